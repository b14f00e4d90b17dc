import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { migrations } from '../../src/store/migrations/index.ts';
import { runTouchpoint, startServer } from '../support/cli.ts';
import { createTestDatabase, storeKinds } from '../support/stores.ts';

/** Start-up failures print exactly one line on stderr, naming the cause, and exit 1. */
function assertOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', pattern);
}

test('--help works on every command and unknown commands exit 2', async () => {
  for (const args of [['--help'], ['serve', '--help'], ['migrate', '--help']]) {
    const result = await runTouchpoint(args);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: touchpoint/);
  }
  const unknown = await runTouchpoint(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const badFlag = await runTouchpoint(['migrate', '--nope']);
  assert.equal(badFlag.code, 2);
});

test('bad config stops start-up with one line naming the key', async () => {
  const db = createTestDatabase('sqlite');
  const result = await runTouchpoint(['serve'], { ...db.env, TOUCHPOINT_LOG_LEVEL: 'chatty' });
  assertOneLine(result, /^touchpoint: TOUCHPOINT_LOG_LEVEL must be one of/);
  await db.drop();
});

test('an unreachable DATABASE_URL stops start-up with one line (password hidden)', async () => {
  const result = await runTouchpoint(['serve'], {
    DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/test',
  });
  assertOneLine(
    result,
    /^touchpoint: cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/,
  );
  assert.ok(!result.stderr.includes('hunter2'));
});

test('a database migrated by a newer version stops start-up with one line', async () => {
  const db = createTestDatabase('sqlite');
  assert.equal((await runTouchpoint(['migrate'], db.env)).code, 0);
  const file = new DatabaseSync((db.options as { path: string }).path);
  file
    .prepare(`INSERT INTO tp_migrations (id, name, applied_at) VALUES (?, 'future', 0)`)
    .run(migrations.length + 5);
  file.close();
  assertOneLine(
    await runTouchpoint(['serve'], db.env),
    /^touchpoint: the database schema is at version \d+, newer/,
  );
  await db.drop();
});

test('a wrong master key stops start-up with one line', async () => {
  const db = createTestDatabase('postgres');
  const keyA = randomBytes(32).toString('base64');
  const server = await startServer({ ...db.env, TOUCHPOINT_MASTER_KEY: keyA });
  assert.equal(await server.stop(), 0);
  const result = await runTouchpoint(['serve', '--port', '0'], {
    ...db.env,
    TOUCHPOINT_MASTER_KEY: randomBytes(32).toString('base64'),
  });
  assertOneLine(
    result,
    /^touchpoint: the master key \(id [0-9a-f]{8}\) cannot decrypt this database's key check/,
  );
  await db.drop();
});

test('production without a master key stops start-up with one line', async () => {
  const db = createTestDatabase('sqlite');
  assertOneLine(
    await runTouchpoint(['serve'], { ...db.env, TOUCHPOINT_ENV: 'production' }),
    /^touchpoint: TOUCHPOINT_MASTER_KEY is required in production/,
  );
  await db.drop();
});

for (const kind of storeKinds) {
  test(`[${kind}] migrate applies once, then is a no-op`, async () => {
    const db = createTestDatabase(kind);
    const first = await runTouchpoint(['migrate'], db.env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied 0001 core/);
    const second = await runTouchpoint(['migrate'], db.env);
    assert.equal(second.code, 0);
    assert.doesNotMatch(second.stdout, /applied/);
    assert.match(second.stdout, new RegExp(`schema version ${migrations.at(-1)?.id}`));
    assert.equal((await runTouchpoint(['migrate', '--check'], db.env)).code, 0);
    await db.drop();
  });

  test(`[${kind}] serve answers healthz, readyz, metrics and openapi, and stops on SIGTERM`, async () => {
    const db = createTestDatabase(kind);
    const server = await startServer(db.env, ['--embedded']);
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.deepEqual(await (await fetch(`${server.url}/readyz`)).json(), {
        status: 'ready',
        database: 'ok',
        profiles: { backlog_events: 0, backlog_seconds: 0 },
      });
      assert.match(await (await fetch(`${server.url}/metrics`)).text(), /touchpoint_process_/);
      assert.equal(
        ((await (await fetch(`${server.url}/api/openapi.json`)).json()) as { openapi: string }).openapi,
        '3.0.3',
      );
      assert.match(server.output(), /TOUCHPOINT_ALLOW_TARGETS=127\.0\.0\.1\/32/);
      assert.match(server.output(), /outbound allowlist: none \(only public addresses\)/);
    } finally {
      assert.equal(await server.stop(), 0);
      await db.drop();
    }
  });
}

test('SSRF-15 start-up prints the configured outbound allowlist, in the banner and the log', async () => {
  const db = createTestDatabase('sqlite');
  const server = await startServer({
    ...db.env,
    TOUCHPOINT_ALLOW_TARGETS: '10.1.2.0/24,127.0.0.1/32',
    TOUCHPOINT_LOG_LEVEL: 'info',
  });
  try {
    const output = server.output();
    assert.match(
      output,
      /outbound allowlist: 10\.1\.2\.0\/24, 127\.0\.0\.1\/32 \(TOUCHPOINT_ALLOW_TARGETS\)/,
    );
    const logged = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; allowTargets?: string[] })
      .find((l) => l.msg === 'outbound allowlist');
    assert.deepEqual(logged?.allowTargets, ['10.1.2.0/24', '127.0.0.1/32']);
  } finally {
    assert.equal(await server.stop(), 0);
    await db.drop();
  }
});

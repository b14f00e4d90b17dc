import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTouchpoint, startServer } from '../support/cli.ts';
import { createTestDatabase, storeKinds } from '../support/stores.ts';

const ADMIN = 'admin@touchpoint.local';
const SCRIPT_PASSWORD = 'ci pipeline secret 2026';

for (const kind of storeKinds) {
  test(`[${kind}] TOUCHPOINT_ADMIN_PASSWORD at the first start: token create works at once`, async () => {
    const db = createTestDatabase(kind);
    const env = { ...db.env, TOUCHPOINT_ADMIN_PASSWORD: SCRIPT_PASSWORD };
    const server = await startServer(env, ['--embedded']);
    try {
      assert.ok(!server.output().includes(SCRIPT_PASSWORD), 'the password is never printed');
      assert.match(server.output(), /TOUCHPOINT_ADMIN_PASSWORD/);
      const created = await runTouchpoint(
        ['token', 'create', '--project', '1', '--as', ADMIN, '--name', 'ci'],
        env,
      );
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^tp_/);
      const members = await fetch(`${server.url}/api/v1/projects/1/members`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(members.status, 200, await members.text());
      // The console sign-in needs no forced change either.
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN, password: SCRIPT_PASSWORD }),
      });
      assert.equal(login.status, 200);
      const body = (await login.json()) as { account: { must_change_password: boolean } };
      assert.equal(body.account.must_change_password, false);
    } finally {
      await server.stop();
      await db.drop();
    }
  });
}

test('a weak TOUCHPOINT_ADMIN_PASSWORD stops start-up with one line naming the key', async () => {
  const db = createTestDatabase('sqlite');
  try {
    for (const [password, why] of [
      ['short', /at least 10 characters/],
      ['Password2026!', /most common passwords/],
      [ADMIN, /e-mail address/],
    ] as const) {
      const result = await runTouchpoint(['serve', '--embedded', '--port', '0'], {
        ...db.env,
        TOUCHPOINT_ADMIN_PASSWORD: password,
      });
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', /^touchpoint: TOUCHPOINT_ADMIN_PASSWORD /);
      assert.match(lines[0] ?? '', why);
      assert.ok(!result.stderr.includes(password), 'the value is never echoed');
    }
  } finally {
    await db.drop();
  }
});

test('admin create refuses a common password with the reason', async () => {
  const db = createTestDatabase('sqlite');
  try {
    const result = await runTouchpoint(
      ['admin', 'create', '--email', 'ops@example.com', '--password', 'letmein12345'],
      db.env,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /most common/);
    const email = await runTouchpoint(
      ['admin', 'create', '--email', 'ops@example.com', '--password', 'ops@example.com'],
      db.env,
    );
    assert.equal(email.code, 1);
    assert.match(email.stderr, /e-mail address/);
  } finally {
    await db.drop();
  }
});

// Profiles and verify across real server processes: a kill -9 inside the applier's transaction,
// and a verify stream on one process seeing events received by another.
process.env.TZ = 'UTC';

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { test } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import * as thinkingdata from 'thinkingdata-node';
import { loadConfig } from '../../src/config/load-config.ts';
import { assemble } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { projectScope } from '../../src/access/scope.ts';
import { startServer } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/stores.ts';

const cli = { actor: { type: 'cli' as const, id: 'test', label: 'test' }, ip: null, requestId: null };

/** Creates an admin, a project and a data source directly through the services. */
async function seed(db: TestDatabase, env: Record<string, string>) {
  const { deps } = await assemble(loadConfig({ ...db.env, ...env }), createLogger('silent'));
  try {
    await deps.auth.createAccount(
      {
        email: 'admin@example.com',
        password: 'correct-horse-battery',
        isInstanceAdmin: false,
        mustChangePassword: false,
      },
      cli,
    );
    const project = await deps.projects.createProject({ name: 'P', adminEmail: 'admin@example.com' }, cli);
    const admin = (await deps.store.accounts.findByEmail('admin@example.com'))!;
    const access = (await deps.access.memberAccess(admin.id, project.id))!;
    const caller = {
      account: admin,
      via: { kind: 'session' as const, idHash: '', csrfToken: '' },
      ip: null,
      requestId: null,
    };
    const app = await deps.sources.createApp(caller, access, { name: 'App', appType: 'app' });
    const source = await deps.sources.createSource(caller, access, {
      name: 'S',
      appId: app.id,
      platforms: [{ platform: 'android' }],
    });
    return { projectId: project.id, sourceId: source.id, appKey: source.appKey };
  } finally {
    await deps.store.close();
  }
}

async function withDeps<T>(
  db: TestDatabase,
  env: Record<string, string>,
  fn: (deps: Awaited<ReturnType<typeof assemble>>['deps']) => Promise<T>,
) {
  const { deps } = await assemble(loadConfig({ ...db.env, ...env }), createLogger('silent'));
  try {
    return await fn(deps);
  } finally {
    await deps.store.close();
  }
}

test('kill -9 inside the applier transaction: after restart every event is applied exactly once', async () => {
  const db = createTestDatabase('sqlite');
  const env = { TOUCHPOINT_MASTER_KEY: randomBytes(32).toString('base64') };
  try {
    const { projectId, appKey } = await seed(db, env);
    const child = spawn(process.execPath, ['src/cli/main.ts', 'serve', '--port', '0'], {
      env: {
        ...process.env,
        ...db.env,
        ...env,
        TOUCHPOINT_LOG_LEVEL: 'silent',
        TOUCHPOINT_TEST_FAULTS: 'true',
        TOUCHPOINT_TEST_FAULT: 'profiles-before-commit',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = once(child, 'exit');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /console:\s+(http:\/\/\S+?)\/?\s/.exec(output);
        if (m?.[1] && output.includes('Press Ctrl+C')) {
          clearInterval(timer);
          resolve(m[1]);
        }
      }, 20);
      setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    });
    const te = thinkingdata.initWithBatchMode(appKey, url, { batchSize: 100, compress: false });
    te.userSet({ accountId: 'acct-k', properties: { level: 2 } });
    te.userAdd({ accountId: 'acct-k', properties: { coins: 5 } });
    te.userAppend({ accountId: 'acct-k', properties: { tags: ['x'] } });
    await new Promise<void>((resolve) => te.flush(() => resolve()));
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL', 'the applier fault point killed the server');

    const pending = await withDeps(db, env, async (deps) => {
      const events = await deps.store.profiles.pendingEvents(
        projectScope(projectId),
        Number.MAX_SAFE_INTEGER,
        100,
      );
      assert.equal(
        await deps.profiles.findByIdentity(projectScope(projectId), 'user_id', 'acct-k'),
        undefined,
      );
      return events.length;
    });
    assert.equal(pending, 3, 'the events are stored and still unapplied: nothing half-applied');

    const server = await startServer({ ...db.env, ...env });
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const profile = await withDeps(db, env, (deps) =>
          deps.profiles.findByIdentity(projectScope(projectId), 'user_id', 'acct-k'),
        );
        if (profile) {
          assert.deepEqual(profile.properties, { level: 2, coins: 5, tags: ['x'] });
          break;
        }
        assert.ok(Date.now() < deadline, 'the restarted worker applied the events');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await server.stop();
    }
    await withDeps(db, env, async (deps) => {
      const before = JSON.stringify(await deps.store.profiles.allProfiles(projectScope(projectId)), (k, v) =>
        k === 'createdAt' || k === 'updatedAt' ? undefined : v,
      );
      await deps.profiles.applier.rebuild(projectId);
      const after = JSON.stringify(await deps.store.profiles.allProfiles(projectScope(projectId)), (k, v) =>
        k === 'createdAt' || k === 'updatedAt' ? undefined : v,
      );
      assert.equal(after, before);
    });
  } finally {
    await db.drop();
  }
});

test('[postgres] an event sent to one server appears in a verify stream opened on another', async () => {
  const db = createTestDatabase('postgres');
  const env = { TOUCHPOINT_MASTER_KEY: randomBytes(32).toString('base64') };
  try {
    const { projectId, sourceId, appKey } = await seed(db, env);
    const a = await startServer({ ...db.env, ...env });
    const b = await startServer({ ...db.env, ...env });
    const controller = new AbortController();
    try {
      const login = await fetch(`${b.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: 'correct-horse-battery' }),
      });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const stream = await fetch(`${b.url}/api/v1/projects/${projectId}/sources/${sourceId}/verify/stream`, {
        headers: { cookie },
        signal: controller.signal,
      });
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();

      const messageId = `cross-${randomBytes(4).toString('hex')}`;
      const analytics = new SegmentAnalytics({ writeKey: appKey, host: a.url, flushAt: 1, maxRetries: 0 });
      const sentAt = Date.now();
      analytics.track({ userId: 'u-x', event: 'Cross Process', messageId, properties: { n: 1 } });
      await analytics.closeAndFlush({ timeout: 10_000 });

      let text = '';
      while (!text.includes(messageId)) {
        const { value, done } = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('no verify entry within 5 s')), 5000 - (Date.now() - sentAt)),
          ),
        ]);
        if (done) break;
        text += value;
      }
      const line = text.split('\n').find((l) => l.startsWith('data: ') && l.includes(messageId)) ?? '';
      const entry = JSON.parse(line.slice('data: '.length)) as {
        verdict: string;
        event_name: string;
        user_id: string;
      };
      assert.deepEqual(
        [entry.verdict, entry.event_name, entry.user_id],
        ['accepted', 'Cross Process', 'u-x'],
      );
    } finally {
      controller.abort();
      await a.stop();
      await b.stop();
    }
  } finally {
    await db.drop();
  }
});

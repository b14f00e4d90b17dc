// ING-21 / DUR-13 on SQLite: a full disk answers 503 and acknowledges nothing it did not store;
// after space is freed the sender's retry is stored once and the file passes integrity_check.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { buildApp } from '../../src/api/build-app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { assemble } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { projectScope } from '../../src/access/scope.ts';
import { createTestDatabase } from '../support/stores.ts';

const cli = { actor: { type: 'cli' as const, id: 'test', label: 'test' }, ip: null, requestId: null };

test('ING-21 SQLite disk full: 503 + Retry-After, no 2xx without commit; after freeing space the retry is stored once', async () => {
  const db = createTestDatabase('sqlite');
  const env = {
    ...db.env,
    TOUCHPOINT_MASTER_KEY: randomBytes(32).toString('base64'),
    TOUCHPOINT_LOG_LEVEL: 'silent',
  };
  const path = (db.options as { path: string }).path;
  try {
    // Seed without a cap.
    let appKey = '';
    let projectId = 0;
    {
      const { deps } = await assemble(loadConfig(env), createLogger('silent'));
      await deps.auth.createAccount(
        {
          email: 'a@example.com',
          password: 'correct-horse-battery',
          isInstanceAdmin: false,
          mustChangePassword: false,
        },
        cli,
      );
      const project = await deps.projects.createProject({ name: 'P', adminEmail: 'a@example.com' }, cli);
      projectId = project.id;
      const admin = (await deps.store.accounts.findByEmail('a@example.com'))!;
      const access = (await deps.access.memberAccess(admin.id, project.id))!;
      const caller = {
        account: admin,
        via: { kind: 'session' as const, idHash: '', csrfToken: '' },
        ip: null,
        requestId: null,
      };
      const app = await deps.sources.createApp(caller, access, { name: 'A', appType: 'app' });
      appKey = (
        await deps.sources.createSource(caller, access, {
          name: 'S',
          appId: app.id,
          platforms: [{ platform: 'android' }],
        })
      ).appKey;
      await deps.store.close();
    }
    const file = new DatabaseSync(path);
    file.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const pages = Number((file.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
    file.close();

    // Reopen with room for only a few more pages.
    const { deps } = await assemble(
      loadConfig({ ...env, TOUCHPOINT_SQLITE_MAX_PAGES: String(pages + 40) }),
      createLogger('silent'),
    );
    const app = await buildApp(deps);
    const acknowledged: string[] = [];
    let failed: { ids: string[]; body: unknown } | undefined;
    try {
      for (let i = 0; i < 200 && !failed; i++) {
        const batch = Array.from({ length: 5 }, () => ({
          type: 'track',
          userId: 'u',
          event: 'Big',
          messageId: randomUUID(),
          properties: { blob: randomBytes(1000).toString('hex') },
        }));
        const res = await app.inject({
          method: 'POST',
          url: '/v1/batch',
          headers: {
            authorization: `Basic ${Buffer.from(`${appKey}:`).toString('base64')}`,
            'content-type': 'application/json',
          },
          payload: { batch },
        });
        assert.ok(res.statusCode === 200 || res.statusCode === 503, `status ${res.statusCode}: ${res.body}`);
        if (res.statusCode === 200) acknowledged.push(...batch.map((e) => e.messageId));
        else {
          assert.equal(res.json().error.code, 'TP_ERR_INGEST_STORE_UNAVAILABLE');
          assert.ok(Number(res.headers['retry-after']) >= 1);
          failed = { ids: batch.map((e) => e.messageId), body: { batch } };
        }
      }
      assert.ok(failed, 'the cap was reached');
      assert.ok(acknowledged.length > 0, 'some batches fitted before the cap');
    } finally {
      await app.close();
      await deps.store.close();
    }

    // "Free space": reopen without the cap.
    const check = new DatabaseSync(path);
    assert.equal(
      (check.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
      'ok',
    );
    check.close();
    const again = await assemble(loadConfig(env), createLogger('silent'));
    const app2 = await buildApp(again.deps);
    try {
      const retry = await app2.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: {
          authorization: `Basic ${Buffer.from(`${appKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        payload: failed.body as object,
      });
      assert.equal(retry.statusCode, 200);
      const stored = await again.deps.store.events.list(projectScope(projectId), {}, 10_000);
      const ids = stored.map((e) => e.messageId);
      for (const id of [...acknowledged, ...failed.ids])
        assert.equal(ids.filter((x) => x === id).length, 1, id);
      assert.equal(ids.length, acknowledged.length + failed.ids.length);
    } finally {
      await app2.close();
      await again.deps.store.close();
    }
  } finally {
    await db.drop();
  }
});

// SPEC §2 source lifecycle end to end through /v1/batch and /sync_server, changes made through the
// admin API: disable → 403 and nothing stored; delete → 401; rotate → the old secret is 401 on
// the next request — also with two server processes on PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { loadConfig } from '../../src/config/load-config.ts';
import { assemble } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { projectScope } from '../../src/access/scope.ts';
import { startServer } from '../support/cli.ts';
import { createTestDatabase, storeKinds } from '../support/stores.ts';
import {
  basic,
  createIngestFixture,
  postJson,
  projectFor,
  sourceFor,
  type IngestFixture,
} from './support/ingest-fixture.ts';

let seq = 0;
const batchOf = () => ({
  batch: [{ type: 'track', event: 'E', userId: 'u', messageId: `l-${process.pid}-${++seq}` }],
});
const teOf = () =>
  JSON.stringify([
    {
      '#type': 'track',
      '#time': '2026-01-02 03:04:05.000',
      '#distinct_id': 'd',
      '#event_name': 'e',
      '#uuid': `te-${++seq}`,
      properties: {},
    },
  ]);

async function admin(
  url: string,
  token: string,
  method: string,
  path: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

for (const kind of storeKinds) {
  describe(`source lifecycle through ingest [${kind}]`, () => {
    let f: IngestFixture;
    before(async () => {
      f = await createIngestFixture(kind);
    });
    after(async () => {
      await f?.close();
    });

    test('reporting after a real SDK send; disable → 403 nothing stored; enable; delete → 401, events remain', async () => {
      const s = await f.createSource();
      const { projectId, token } = f.project;
      const path = `/api/v1/projects/${projectId}/sources/${s.id}`;
      assert.equal((await admin(f.url, token, 'GET', path)).json.reporting_status, 'never_reported');
      const analytics = new SegmentAnalytics({ writeKey: s.appKey, host: f.url, maxRetries: 0 });
      analytics.track({ userId: 'u-1', event: 'First' });
      await analytics.closeAndFlush();
      assert.equal((await admin(f.url, token, 'GET', path)).json.reporting_status, 'reporting');
      assert.equal(await f.count(s), 1);

      assert.equal((await admin(f.url, token, 'POST', `${path}/disable`)).status, 204);
      const seg = await postJson(`${f.url}/v1/batch`, batchOf(), { authorization: basic(s.appKey) });
      assert.equal(seg.status, 403);
      assert.equal((seg.json.error as { code: string }).code, 'TP_ERR_INGEST_SOURCE_DISABLED');
      const te = await postJson(`${f.url}/sync_server`, teOf(), { appid: s.appKey, compress: 'none' });
      assert.equal(te.status, 403);
      assert.equal((te.json.error as { code: string }).code, 'TP_ERR_INGEST_SOURCE_DISABLED');
      assert.equal(await f.count(s), 1);

      assert.equal((await admin(f.url, token, 'POST', `${path}/enable`)).status, 204);
      assert.equal(
        (await postJson(`${f.url}/v1/batch`, batchOf(), { authorization: basic(s.appKey) })).status,
        200,
      );
      assert.equal((await postJson(`${f.url}/sync_server`, teOf(), { appid: s.appKey })).status, 200);
      assert.equal(await f.count(s), 3);

      assert.equal((await admin(f.url, token, 'DELETE', path)).status, 204);
      const gone = await postJson(`${f.url}/v1/batch`, batchOf(), { authorization: basic(s.appKey) });
      assert.equal(gone.status, 401);
      assert.equal((gone.json.error as { code: string }).code, 'TP_ERR_INGEST_KEY_INVALID');
      assert.equal((await postJson(`${f.url}/sync_server`, teOf(), { appid: s.appKey })).status, 401);
      assert.equal(await f.deps.store.events.count(projectScope(projectId), { sourceId: s.id }), 3);
    });

    test('rotate: the old secret is 401 on the very next request, the new one works', async () => {
      const s = await f.createSource({ platforms: [{ platform: 'server', requireSecret: true }] });
      const { projectId, token } = f.project;
      assert.equal(
        (await postJson(`${f.url}/v1/batch`, batchOf(), { authorization: basic(s.appKey, s.secret) })).status,
        200,
      );
      const rotated = await admin(
        f.url,
        token,
        'POST',
        `/api/v1/projects/${projectId}/sources/${s.id}/rotate-secret`,
      );
      assert.equal(rotated.status, 200);
      const old = await postJson(`${f.url}/v1/batch`, batchOf(), {
        authorization: basic(s.appKey, s.secret),
      });
      assert.equal(old.status, 401);
      assert.equal((old.json.error as { code: string }).code, 'TP_ERR_INGEST_SECRET_MISMATCH');
      const fresh = await f.deps.sources.revealSecret(f.project.caller, f.project.access, s.id);
      assert.notEqual(fresh, s.secret);
      assert.equal(
        (await postJson(`${f.url}/v1/batch`, batchOf(), { authorization: basic(s.appKey, fresh) })).status,
        200,
      );
      assert.equal(await f.count(s), 2);
    });
  });
}

test('two server processes on PostgreSQL: disable, rotate and delete through one are enforced by the other at once', async () => {
  const db = createTestDatabase('postgres');
  const env = { ...db.env, TOUCHPOINT_LOG_LEVEL: 'warn' };
  // Set-up through the services on the same database; the changes below go through process B.
  const config = loadConfig({ ...env, TOUCHPOINT_LOG_LEVEL: 'silent' });
  const { deps } = await assemble(config, createLogger('silent'));
  const a = await startServer(env);
  const b = await startServer(env);
  try {
    const project = await projectFor(deps, 'Two processes');
    const s = await sourceFor(deps, project, { platforms: [{ platform: 'server', requireSecret: true }] });
    const path = `/api/v1/projects/${project.projectId}/sources/${s.id}`;
    const ingestA = (secret: string) =>
      postJson(`${a.url}/v1/batch`, batchOf(), { authorization: basic(s.appKey, secret) });
    const count = () => deps.store.events.count(projectScope(project.projectId), { sourceId: s.id });

    assert.equal((await ingestA(s.secret)).status, 200);
    const rotated = await admin(b.url, project.token, 'POST', `${path}/rotate-secret`);
    assert.equal(rotated.status, 200);
    assert.equal((await ingestA(s.secret)).status, 401);
    const fresh = await deps.sources.revealSecret(project.caller, project.access, s.id);
    assert.equal((await ingestA(fresh)).status, 200);

    assert.equal((await admin(b.url, project.token, 'POST', `${path}/disable`)).status, 204);
    assert.equal((await ingestA(fresh)).status, 403);
    assert.equal((await admin(b.url, project.token, 'POST', `${path}/enable`)).status, 204);
    assert.equal((await admin(b.url, project.token, 'DELETE', path)).status, 204);
    assert.equal((await ingestA(fresh)).status, 401);
    assert.equal(await count(), 2);
  } finally {
    await a.stop();
    await b.stop();
    await deps.store.close();
    await db.drop();
  }
});

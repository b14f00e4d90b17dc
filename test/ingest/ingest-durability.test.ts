// DUR-02 / DUR-03: kill -9 of a spawned server just before and just after the ingest commit
// (fault points behind TOUCHPOINT_TEST_FAULTS=1). The client sees the connection drop, retries
// against the restarted server, and the event ends up stored exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assemble } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { projectScope } from '../../src/access/scope.ts';
import { startServer } from '../support/cli.ts';
import { createTestDatabase } from '../support/stores.ts';
import { basic, projectFor, sourceFor } from './support/ingest-fixture.ts';

/** Sends once; on a network error (the server died) restarts it and retries the same bytes. */
async function sendWithRetry(
  body: string,
  headers: Record<string, string>,
  firstUrl: string,
  restart: () => Promise<string>,
): Promise<{ firstAttempt: 'network-error' | number; status: number }> {
  let firstAttempt: 'network-error' | number;
  try {
    const r = await fetch(`${firstUrl}/v1/batch`, { method: 'POST', headers, body });
    firstAttempt = r.status;
    if (r.ok) return { firstAttempt, status: r.status };
  } catch {
    firstAttempt = 'network-error';
  }
  const url = await restart();
  const { 'x-touchpoint-test-fault': _fault, ...retryHeaders } = headers;
  const r = await fetch(`${url}/v1/batch`, { method: 'POST', headers: retryHeaders, body });
  return { firstAttempt, status: r.status };
}

for (const fault of ['exit-before-commit', 'exit-after-commit'] as const) {
  const id = fault === 'exit-before-commit' ? 'DUR-02' : 'DUR-03';
  test(`${id} kill -9 ${fault === 'exit-before-commit' ? 'before' : 'after'} the ingest commit: the retry stores the event once`, async () => {
    const db = createTestDatabase('sqlite');
    const env = { ...db.env, TOUCHPOINT_TEST_FAULTS: '1' };
    const { deps } = await assemble(
      loadConfig({ ...env, TOUCHPOINT_LOG_LEVEL: 'silent' }),
      createLogger('silent'),
    );
    let server = await startServer(env);
    try {
      const project = await projectFor(deps, 'Durability');
      const s = await sourceFor(deps, project);
      const messageId = `${id}-${Date.now()}`;
      const body = JSON.stringify({ batch: [{ type: 'track', event: 'Paid', userId: 'u', messageId }] });
      const count = () => deps.store.events.count(projectScope(project.projectId), { messageId });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        server.child.once('exit', (_c, signal) => resolve(signal)),
      );
      const result = await sendWithRetry(
        body,
        {
          authorization: basic(s.appKey),
          'content-type': 'application/json',
          'x-touchpoint-test-fault': fault,
        },
        server.url,
        async () => {
          assert.equal(await exited, 'SIGKILL');
          // What the dead process left behind: nothing before the commit, the event after it.
          assert.equal(await count(), fault === 'exit-before-commit' ? 0 : 1);
          server = await startServer(env);
          return server.url;
        },
      );
      assert.equal(result.firstAttempt, 'network-error');
      assert.equal(result.status, 200);
      assert.equal(await count(), 1);
    } finally {
      await server.stop();
      await deps.store.close();
      await db.drop();
    }
  });
}

test('fault points are inert without TOUCHPOINT_TEST_FAULTS=1', async () => {
  const db = createTestDatabase('sqlite');
  const { deps } = await assemble(
    loadConfig({ ...db.env, TOUCHPOINT_LOG_LEVEL: 'silent' }),
    createLogger('silent'),
  );
  const server = await startServer(db.env);
  try {
    const s = await sourceFor(deps, await projectFor(deps, 'No faults'));
    const r = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic(s.appKey), 'x-touchpoint-test-fault': 'exit-after-commit' },
      body: JSON.stringify({ batch: [{ type: 'track', event: 'E', userId: 'u', messageId: 'inert' }] }),
    });
    assert.equal(r.status, 200);
    assert.equal(server.child.exitCode, null);
  } finally {
    await server.stop();
    await deps.store.close();
    await db.drop();
  }
});

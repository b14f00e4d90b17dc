// SIGTERM under a profile backlog (issue 14): with TOUCHPOINT_SHUTDOWN_DEADLINE_MS=1000 the server
// exits within 5 s, leaving the rest of the backlog unapplied; the next start resumes from the
// applier's cursor, and the profiles then equal a from-scratch rebuild of the log. Both databases.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { assemble } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { projectScope } from '../../src/access/scope.ts';
import type { Profile } from '../../src/profiles/model.ts';
import { projectFor, sourceFor } from '../ingest/support/ingest-fixture.ts';
import { startServer } from '../support/cli.ts';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.ts';
import { prefill } from './support/synthetic-log.ts';

const BACKLOG = 60_000;

async function withDeps<T>(
  db: TestDatabase,
  env: Record<string, string>,
  fn: (deps: Awaited<ReturnType<typeof assemble>>['deps']) => Promise<T>,
): Promise<T> {
  const { deps } = await assemble(loadConfig({ ...db.env, ...env }), createLogger('silent'));
  try {
    return await fn(deps);
  } finally {
    await deps.store.close();
  }
}

/** Profiles without bookkeeping times, in tp_uid order: what a rebuild must reproduce. */
const content = (profiles: Profile[]) =>
  JSON.stringify(profiles.map((p) => ({ ...p, createdAt: undefined, updatedAt: undefined })));

for (const kind of storeKinds) {
  test(`[${kind}] SIGTERM under a backlog: exit within 5 s at a 1 s deadline; the next start resumes and equals a rebuild`, async () => {
    const db = createTestDatabase(kind);
    const env = {
      TOUCHPOINT_MASTER_KEY: randomBytes(32).toString('base64'),
      TOUCHPOINT_SHUTDOWN_DEADLINE_MS: '1000',
    };
    try {
      const projectId = await withDeps(db, env, async (deps) => {
        const project = await projectFor(deps, 'shutdown');
        const source = await sourceFor(deps, project);
        await prefill(deps.store, project.projectId, source.id, BACKLOG);
        return project.projectId;
      });
      const scope = projectScope(projectId);

      const server = await startServer({ ...db.env, ...env });
      // Let the applier take its first windows, then stop it mid-backlog.
      const deadline = Date.now() + 20_000;
      while ((await withDeps(db, env, (deps) => deps.store.profiles.appliedThrough(scope))) === 0) {
        assert.ok(Date.now() < deadline, 'the applier started applying');
        await new Promise((r) => setTimeout(r, 50));
      }
      const started = Date.now();
      await server.stop();
      const exitMs = Date.now() - started;
      assert.ok(exitMs < 5000, `exited ${exitMs} ms after SIGTERM`);
      const left = await withDeps(db, env, async (deps) => {
        const through = await deps.store.profiles.appliedThrough(scope);
        return (await deps.store.profiles.pendingEvents(scope, Number.MAX_SAFE_INTEGER, 1)).length > 0
          ? through
          : undefined;
      });
      assert.ok(left !== undefined, 'SIGTERM came while events were still pending (not a drained backlog)');

      // The next start resumes from the cursor and applies the rest.
      const again = await startServer({ ...db.env, ...env });
      try {
        const until = Date.now() + 120_000;
        for (;;) {
          const pending = await withDeps(
            db,
            env,
            async (deps) =>
              (await deps.store.profiles.pendingEvents(scope, Number.MAX_SAFE_INTEGER, 1)).length,
          );
          if (pending === 0) break;
          assert.ok(Date.now() < until, 'the restarted applier caught up');
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await again.stop();
      }
      await withDeps(db, env, async (deps) => {
        const incremental = content(await deps.store.profiles.allProfiles(scope));
        assert.equal(await deps.profiles.applier.rebuild(projectId), BACKLOG);
        const rebuilt = content(await deps.store.profiles.allProfiles(scope));
        assert.equal(rebuilt, incremental, 'profiles after the restart equal a rebuild of the log');
      });
    } finally {
      await db.drop();
    }
  });
}

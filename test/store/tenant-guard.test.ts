import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { openSqlite } from '../../src/store/dialects/sqlite/open-sqlite.ts';
import { scoped } from '../../src/store/repositories/scoped.ts';
import type { Database } from '../../src/store/schema.ts';
import { migrate } from '../../src/store/migrator.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { UnscopedQueryError } from '../../src/store/tenant-guard.ts';
import { projectScope, systemScope } from '../../src/access/scope.ts';
import { createTestDatabase } from '../support/stores.ts';

test('MT-20 a deliberately unscoped query through a project-scoped handle is refused', async () => {
  const tdb = createTestDatabase('sqlite');
  const handle = openSqlite({ path: (tdb.options as { path: string }).path, busyTimeoutMs: 1000 });
  try {
    await migrate(handle, migrations);
    const db = handle.db as Kysely<Database>;
    const inProject = scoped(db, projectScope(1));
    const refused = [
      () => inProject.selectFrom('workspaces').selectAll().execute(),
      () => inProject.selectFrom('workspaces').selectAll().where('project_id', '=', 2).execute(),
      () => inProject.selectFrom('memberships').selectAll().where('account_id', '=', 'acc_x').execute(),
      () => inProject.updateTable('projects').set({ name: 'x' }).execute(),
      () => inProject.deleteFrom('audit_log').where('action', '=', 'x').execute(),
      () =>
        inProject
          .insertInto('workspaces')
          .values({
            id: 'w',
            project_id: 2,
            name: 'n',
            name_key: 'n',
            require_approval: false,
            created_at: 0,
            updated_at: 0,
          })
          .execute(),
    ];
    for (const query of refused) await assert.rejects(query, UnscopedQueryError);
    // Pinned queries pass, and a system scope is an explicit opt-out.
    await inProject.selectFrom('workspaces').selectAll().where('project_id', '=', 1).execute();
    await inProject.selectFrom('projects').selectAll().where('id', '=', 1).execute();
    await scoped(db, systemScope('test')).selectFrom('workspaces').selectAll().execute();
    // Instance-wide tables are not tenant tables.
    await inProject.selectFrom('accounts').selectAll().execute();
  } finally {
    await handle.destroy();
    await tdb.drop();
  }
});

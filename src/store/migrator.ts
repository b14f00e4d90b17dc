import { sql } from 'kysely';
import { TouchpointError } from '../errors.ts';
import type { DialectHandle } from './dialect-handle.ts';
import type { Migration } from './migrations/migration.ts';

export interface MigrationResult {
  readonly applied: readonly { id: number; name: string }[];
  readonly version: number;
}

async function ensureTable(handle: DialectHandle): Promise<void> {
  await handle.db.schema
    .createTable('tp_migrations')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
}

async function appliedIds(handle: DialectHandle): Promise<number[]> {
  const rows = (await handle.db.selectFrom('tp_migrations').select('id').orderBy('id').execute()) as {
    id: number;
  }[];
  return rows.map((r) => Number(r.id));
}

function refuseNewer(applied: readonly number[], known: readonly Migration[]): void {
  const latest = known.at(-1)?.id ?? 0;
  const unknown = applied.filter((id) => !known.some((m) => m.id === id));
  if (unknown.length > 0) {
    const version = Math.max(...applied);
    throw new TouchpointError(
      'TP_ERR_STORE_NEWER_SCHEMA',
      { databaseVersion: version, codeVersion: latest },
      {
        message: `the database schema is at version ${version}, newer than this Touchpoint (version ${latest}); run the newer Touchpoint or restore a backup`,
      },
    );
  }
}

/** The schema version of the database, and refuses one migrated by a newer Touchpoint. */
export async function checkSchema(
  handle: DialectHandle,
  known: readonly Migration[],
): Promise<{ version: number; pending: number }> {
  await ensureTable(handle);
  const applied = await appliedIds(handle);
  refuseNewer(applied, known);
  return { version: applied.at(-1) ?? 0, pending: known.filter((m) => !applied.includes(m.id)).length };
}

/**
 * Applies pending migrations in one transaction, serialized across processes. Running it twice is
 * a no-op; a database that has migrations this code does not know is refused.
 */
export async function migrate(handle: DialectHandle, known: readonly Migration[]): Promise<MigrationResult> {
  for (let i = 1; i < known.length; i++) {
    if ((known[i]?.id ?? 0) <= (known[i - 1]?.id ?? 0))
      throw new Error('migrations are not in ascending id order');
  }
  await ensureTable(handle);
  return handle.db.transaction().execute(async (trx) => {
    await handle.lockForMigration(trx);
    const rows = (await trx.selectFrom('tp_migrations').select('id').execute()) as { id: number }[];
    const applied = rows.map((r) => Number(r.id));
    refuseNewer(applied, known);
    const done: { id: number; name: string }[] = [];
    for (const migration of known) {
      if (applied.includes(migration.id)) continue;
      await migration.up({ db: trx, types: handle.types, serialPrimaryKey: handle.serialPrimaryKey });
      await trx
        .insertInto('tp_migrations')
        .values({ id: migration.id, name: migration.name, applied_at: sql`${Date.now()}` })
        .execute();
      done.push({ id: migration.id, name: migration.name });
    }
    return { applied: done, version: Math.max(0, ...applied, ...done.map((d) => d.id)) };
  });
}

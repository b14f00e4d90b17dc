import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { runCached } from './cached-statement.ts';

export interface ProfileRow {
  readonly tp_uid: string;
  readonly properties: string;
  readonly meta: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly last_event_at: number | null;
  readonly event_count: number;
  readonly merged_into: string | null;
}

// Rows per statement: 9 parameters each, far below either database's parameter limit.
const CHUNK = 200;

/**
 * Writes every profile a window of the event log touched — new, changed or merged away — with
 * multi-row INSERT … ON CONFLICT DO UPDATE (one statement per chunk; each tp_uid once per
 * statement, as PostgreSQL requires). `created_at` is kept for an existing profile.
 */
export async function writeProfiles(
  db: Kysely<Database>,
  projectId: number,
  rows: readonly ProfileRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const values = chunk.map((r) => ({ project_id: projectId, ...r }));
    const parameters = values.flatMap((v) => [
      v.project_id,
      v.tp_uid,
      v.properties,
      v.meta,
      v.created_at,
      v.updated_at,
      v.last_event_at,
      v.event_count,
      v.merged_into,
    ]);
    await runCached(
      db,
      projectId,
      `write-profiles:${chunk.length}`,
      () =>
        db
          .insertInto('profiles')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['project_id', 'tp_uid']).doUpdateSet((eb) => ({
              properties: eb.ref('excluded.properties'),
              meta: eb.ref('excluded.meta'),
              updated_at: eb.ref('excluded.updated_at'),
              last_event_at: eb.ref('excluded.last_event_at'),
              event_count: eb.ref('excluded.event_count'),
              merged_into: eb.ref('excluded.merged_into'),
            })),
          ),
      parameters,
      chunk.map((_, i) => i * 9),
    );
  }
}

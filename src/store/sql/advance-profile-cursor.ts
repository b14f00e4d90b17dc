import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Marks a window of the project's event log applied: every event up to `throughId`, in the
 * applier's transaction, with one row per project instead of one update per event (issue 14).
 */
export async function advanceProfileCursor(
  db: Kysely<Database>,
  projectId: number,
  throughId: number,
  at: number,
): Promise<void> {
  await db
    .insertInto('profile_cursors')
    .values({ project_id: projectId, applied_through: throughId, updated_at: at })
    .onConflict((oc) => oc.column('project_id').doUpdateSet({ applied_through: throughId, updated_at: at }))
    .execute();
}

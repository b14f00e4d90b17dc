import type { Kysely, Selectable } from 'kysely';
import type { Database, EventsTable } from '../schema.ts';

/**
 * A project's events not yet applied, received before `before`, oldest first (the partial index
 * `events_unapplied` on (project_id, id)). The caller holds the project's applier lock, so no
 * other applier reads the same rows until this transaction sets their `applied_at`.
 */
export async function pendingEvents(
  db: Kysely<Database>,
  projectId: number,
  before: number,
  limit: number,
): Promise<Selectable<EventsTable>[]> {
  return db
    .selectFrom('events')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('applied_at', 'is', null)
    .where('received_at', '<', before)
    .orderBy('id')
    .limit(limit)
    .execute();
}

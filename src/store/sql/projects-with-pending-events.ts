import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Projects with events not yet applied, received before `before`, the one with the oldest
 * pending event first (uses the partial index `events_unapplied`). `db` is a system-scoped handle:
 * this is the applier looking across every project.
 */
export async function projectsWithPendingEvents(
  db: Kysely<Database>,
  before: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('events')
    .select('project_id')
    .where('applied_at', 'is', null)
    .where('received_at', '<', before)
    .groupBy('project_id')
    .orderBy((eb) => eb.fn.min('id'))
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.project_id));
}

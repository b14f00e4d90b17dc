import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Projects with events after their applier cursor (profile_cursors; none yet = 0), received
 * before `before`, the one with the oldest pending event first. One probe per project of the
 * partial index `events_unapplied` (project_id, id), so it costs the number of projects, not the
 * size of the log. `db` is a system-scoped handle: this is the applier looking across projects.
 */
export async function projectsWithPendingEvents(
  db: Kysely<Database>,
  before: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('projects as p')
    .leftJoin('profile_cursors as c', 'c.project_id', 'p.id')
    .select((eb) => [
      'p.id',
      eb
        .selectFrom('events as e')
        .select((e) => e.fn.min('e.id').as('m'))
        .whereRef('e.project_id', '=', 'p.id')
        .where('e.applied_at', 'is', null)
        .where('e.id', '>', sql<number>`COALESCE(c.applied_through, 0)`)
        .where('e.received_at', '<', before)
        .as('oldest'),
    ])
    .execute();
  return rows
    .filter((r) => r.oldest !== null)
    .sort((a, b) => Number(a.oldest) - Number(b.oldest))
    .slice(0, limit)
    .map((r) => Number(r.id));
}

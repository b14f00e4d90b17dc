import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

// Ids per UPDATE: keeps the parameter list far below SQLite's and PostgreSQL's limits.
const CHUNK = 500;

/**
 * Marks events applied at `at`, each with the profile it was applied to: one UPDATE per profile
 * and chunk of ids, in the applier's transaction (an event is applied exactly once).
 */
export async function markEventsApplied(
  db: Kysely<Database>,
  projectId: number,
  applied: readonly { eventId: number; tpUid: string | null }[],
  at: number,
): Promise<void> {
  const byUid = new Map<string | null, number[]>();
  for (const a of applied) {
    const ids = byUid.get(a.tpUid);
    if (ids) ids.push(a.eventId);
    else byUid.set(a.tpUid, [a.eventId]);
  }
  for (const [tpUid, ids] of byUid) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await db
        .updateTable('events')
        .set({ applied_at: at, tp_uid: tpUid })
        .where('project_id', '=', projectId)
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
    }
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

// Counting looks at ids up to this far past the cursor, so a scrape never scans a whole log.
export const BACKLOG_COUNT_SPAN = 2_000_000;

/**
 * How far the profile applier is behind in one project: the events after its cursor (counted on the
 * partial index `events_unapplied`, within {@link BACKLOG_COUNT_SPAN} ids of the cursor) and when the oldest of
 * them was received.
 */
export async function profileBacklog(
  db: Kysely<Database>,
  projectId: number,
  afterId: number,
): Promise<{ events: number; oldestReceivedAt: number | null }> {
  const pending = db
    .selectFrom('events')
    .where('project_id', '=', projectId)
    .where('applied_at', 'is', null)
    .where('id', '>', afterId);
  const counted = await pending
    .where('id', '<=', afterId + BACKLOG_COUNT_SPAN)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirst();
  const oldest = await pending.select('received_at').orderBy('id').limit(1).executeTakeFirst();
  return {
    events: Number(counted?.n ?? 0),
    oldestReceivedAt: oldest ? Number(oldest.received_at) : null,
  };
}

import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, EventsTable } from '../schema.ts';
import { runCached } from './cached-statement.ts';

/** The event columns the profile applier reads (not `extra`, `receipt_properties`, …). */
export const appliedEventColumns = [
  'id',
  'project_id',
  'source_id',
  'message_id',
  'format',
  'type',
  'event_name',
  'user_id',
  'anonymous_id',
  'account_id',
  'distinct_id',
  'previous_id',
  'identities',
  'properties',
  'traits',
  'context',
  'ops_request_id',
  'event_time',
  'received_at',
] as const;

export type PendingEventRow = Pick<Selectable<EventsTable>, (typeof appliedEventColumns)[number]>;

/** What the applier reads of `context`: its `traits` only (the rest is device data it never uses). */
export type PendingWindowRow = Omit<PendingEventRow, 'context'> & { context_traits: unknown };

/**
 * A window of a project's event log not yet applied: ids after the project's cursor `afterId`, up
 * to `throughId` (the committed horizon), received before `before`, oldest first. Uses the partial
 * index `events_unapplied` on (project_id, id): rows applied before the cursor existed (0013)
 * carry `applied_at` and are skipped.
 */
export async function pendingEvents(
  db: Kysely<Database>,
  projectId: number,
  afterId: number,
  throughId: number,
  before: number,
  limit: number,
): Promise<PendingWindowRow[]> {
  const parameters = [projectId, afterId, throughId, before, limit];
  const result = await runCached<PendingWindowRow>(
    db,
    projectId,
    'pending-events',
    () =>
      db
        .selectFrom('events')
        .select(appliedEventColumns.filter((c) => c !== 'context'))
        // `->` is JSON extraction in both databases (SQLite ≥ 3.38: JSON text; PostgreSQL: jsonb).
        .select(sql<unknown>`context -> 'traits'`.as('context_traits'))
        .where('project_id', '=', projectId)
        .where('applied_at', 'is', null)
        .where('id', '>', afterId)
        .where('id', '<=', throughId)
        .where('received_at', '<', before)
        .orderBy('id')
        .limit(limit),
    parameters,
    [0],
  );
  return result.rows;
}

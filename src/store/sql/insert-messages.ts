import type { Insertable, Kysely } from 'kysely';
import type { Database, MessagesTable } from '../schema.ts';
import { runCached } from './cached-statement.ts';

const CHUNK = 500;

/** The columns the outbox writes, in the order of each row's parameters. */
const columns = [
  'project_id',
  'channel_id',
  'ops_request_id',
  'push_id',
  'tp_uid',
  'workspace_id',
  'send_id',
  'campaign_id',
  'task_id',
  'task_instance_id',
  'body',
  'state',
  'attempts',
  'next_attempt_at',
  'created_at',
  'updated_at',
] as const;

export type MessageInsertRow = { [K in (typeof columns)[number]]-?: Insertable<MessagesTable>[K] };

/**
 * Writes outbox rows with multi-row INSERTs whose text is built once per row count (campaign runs
 * write a million rows: building each 500-row statement with Kysely cost more than a tenth of the
 * run). Every row's `project_id` is checked against the scope's project on each run.
 */
export async function insertMessages(
  db: Kysely<Database>,
  projectId: number,
  rows: readonly MessageInsertRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const parameters: unknown[] = [];
    for (const row of chunk) for (const c of columns) parameters.push(row[c]);
    await runCached(
      db,
      projectId,
      `insert-messages:${chunk.length}`,
      () => db.insertInto('messages').values(chunk as MessageInsertRow[]),
      parameters,
      chunk.map((_, i) => i * columns.length),
    );
  }
}

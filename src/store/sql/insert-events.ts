import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Database, EventsTable } from '../schema.ts';

/** The columns ingest writes, in the order of each row's parameters. */
export const eventInsertColumns = [
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
  'group_id',
  'identities',
  'properties',
  'traits',
  'context',
  'extra',
  'receipt_properties',
  'ops_request_id',
  'event_time',
  'sent_at',
  'received_at',
] as const;

/** One event row as ingest inserts it: every column above, none left to a default. */
export type EventInsertRow = {
  [K in (typeof eventInsertColumns)[number]]-?: Insertable<EventsTable>[K];
};

// Rows per INSERT statement: one statement text per chunk size, prepared once and reused.
const CHUNK = 100;
// Compiled statement texts per dialect (keyed by its adapter class, which is the same for the root
// handle and every transaction) and row count.
const statementCache = new WeakMap<object, Map<number, string>>();

function statementFor(db: Kysely<Database>, rows: readonly EventInsertRow[]): string {
  const adapterClass = db.getExecutor().adapter.constructor;
  let cache = statementCache.get(adapterClass);
  if (!cache) statementCache.set(adapterClass, (cache = new Map()));
  let text = cache.get(rows.length);
  if (text === undefined) {
    const compiled = db
      .insertInto('events')
      .values(rows as EventInsertRow[])
      .onConflict((oc) => oc.columns(['source_id', 'message_id']).doNothing())
      .returning(['source_id', 'message_id'])
      .compile();
    text = compiled.sql;
    // Kysely lists parameters row by row in column order; guard the assumption once.
    const expected = parametersOf(rows);
    if (
      compiled.parameters.length !== expected.length ||
      compiled.parameters.some((p, i) => p !== expected[i])
    )
      throw new Error('events insert: unexpected parameter order');
    cache.set(rows.length, text);
  }
  return text;
}

function parametersOf(rows: readonly EventInsertRow[]): unknown[] {
  return rows.flatMap((r) => eventInsertColumns.map((c) => r[c]));
}

/**
 * Inserts events, skipping any whose (source_id, message_id) is already stored: the unique
 * constraint decides, also across processes (RELIABILITY decision 3). Returns the keys of the
 * rows this call inserted. The hot path skips Kysely's per-call query building: the statement for
 * n rows is compiled once (dialect-agnostic, by Kysely) and then run with fresh parameters.
 */
export async function insertEvents(
  db: Kysely<Database>,
  rows: readonly EventInsertRow[],
): Promise<{ source_id: string; message_id: string }[]> {
  const inserted: { source_id: string; message_id: string }[] = [];
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const result = await db.executeQuery<{ source_id: string; message_id: string }>(
      CompiledQuery.raw(statementFor(db, chunk), parametersOf(chunk)),
    );
    inserted.push(...result.rows);
  }
  return inserted;
}

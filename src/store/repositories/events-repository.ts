import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { EventFormat, EventType, NormalizedEvent } from '../../ingest/event.ts';
import type { ProjectScope, SystemScope } from '../../tenancy/scope.ts';
import { fromJson } from '../json.ts';
import type { Database, EventsTable } from '../schema.ts';
import { scoped } from './scoped.ts';

/** An event as stored: the normalized event plus where it belongs. */
export interface StoredEvent extends Omit<NormalizedEvent, 'messageIdGenerated'> {
  readonly id: number;
  readonly projectId: number;
  readonly sourceId: string;
}

export interface EventToStore {
  readonly projectId: number;
  readonly sourceId: string;
  readonly event: NormalizedEvent;
}

export interface EventFilter {
  readonly sourceId?: string;
  readonly messageId?: string;
  readonly opsRequestId?: string;
  readonly userId?: string;
}

export interface EventsRepository {
  /**
   * Inserts events, skipping any whose (source, message id) is already stored (the unique
   * constraint decides, also across processes). Returns the keys `${sourceId}\n${messageId}`
   * that were inserted by this call. Ingest calls it with a system scope: one group commit holds
   * several projects' events.
   */
  insertNew(scope: SystemScope, events: readonly EventToStore[]): Promise<Set<string>>;
  /** Oldest first, at most `limit`. */
  list(scope: ProjectScope, filter: EventFilter, limit: number): Promise<StoredEvent[]>;
  count(scope: ProjectScope, filter?: EventFilter): Promise<number>;
}

export function eventKey(sourceId: string, messageId: string): string {
  return `${sourceId}\n${messageId}`;
}

const columns = [
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

type InsertRow = Record<(typeof columns)[number], string | number | null>;

function toRow({ projectId, sourceId, event: e }: EventToStore): InsertRow {
  return {
    project_id: projectId,
    source_id: sourceId,
    message_id: e.messageId,
    format: e.format,
    type: e.type,
    event_name: e.eventName,
    user_id: e.userId,
    anonymous_id: e.anonymousId,
    account_id: e.accountId,
    distinct_id: e.distinctId,
    previous_id: e.previousId,
    group_id: e.groupId,
    identities: JSON.stringify(e.identities),
    properties: JSON.stringify(e.properties),
    traits: JSON.stringify(e.traits),
    context: JSON.stringify(e.context),
    extra: JSON.stringify(e.extra),
    receipt_properties: e.receiptProperties === null ? null : JSON.stringify(e.receiptProperties),
    ops_request_id: e.opsRequestId,
    event_time: e.eventTime,
    sent_at: e.sentAt,
    received_at: e.receivedAt,
  };
}

function toStored(row: Selectable<EventsTable>): StoredEvent {
  const receipt = row.receipt_properties;
  return {
    id: Number(row.id),
    projectId: Number(row.project_id),
    sourceId: row.source_id,
    format: row.format as EventFormat,
    type: row.type as EventType,
    messageId: row.message_id,
    eventName: row.event_name,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    accountId: row.account_id,
    distinctId: row.distinct_id,
    previousId: row.previous_id,
    groupId: row.group_id,
    identities: fromJson(row.identities),
    properties: fromJson(row.properties),
    traits: fromJson(row.traits),
    context: fromJson(row.context),
    extra: fromJson(row.extra),
    receiptProperties: receipt === null || receipt === undefined ? null : fromJson(receipt),
    opsRequestId: row.ops_request_id,
    eventTime: Number(row.event_time),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    receivedAt: Number(row.received_at),
  };
}

// Rows per INSERT statement: one statement text per chunk size, prepared once and reused.
const CHUNK = 100;
// Compiled statement texts per dialect (keyed by its adapter class, which is the same for the root
// handle and every transaction) and row count.
const statementCache = new WeakMap<object, Map<number, string>>();

export function eventsRepository(db: Kysely<Database>): EventsRepository {
  // The hot path skips Kysely's per-call query building: the statement for n rows is compiled
  // once (dialect-agnostic, by Kysely) and then executed with fresh parameters.
  const adapterClass = db.getExecutor().adapter.constructor;
  let statements = statementCache.get(adapterClass);
  if (!statements) statementCache.set(adapterClass, (statements = new Map()));
  const cache = statements;
  const statementFor = (rows: readonly InsertRow[]): string => {
    let text = cache.get(rows.length);
    if (text === undefined) {
      const compiled = db
        .insertInto('events')
        .values(rows as never)
        .onConflict((oc) => oc.columns(['source_id', 'message_id']).doNothing())
        .returning(['source_id', 'message_id'])
        .compile();
      text = compiled.sql;
      // Kysely lists parameters row by row in column order; guard the assumption once.
      const expected = rows.flatMap((r) => columns.map((c) => r[c]));
      if (
        compiled.parameters.length !== expected.length ||
        compiled.parameters.some((p, i) => p !== expected[i])
      )
        throw new Error('events insert: unexpected parameter order');
      cache.set(rows.length, text);
    }
    return text;
  };

  const filtered = (scope: ProjectScope, filter: EventFilter) => {
    let query = scoped(db, scope).selectFrom('events').where('project_id', '=', scope.projectId);
    if (filter.sourceId !== undefined) query = query.where('source_id', '=', filter.sourceId);
    if (filter.messageId !== undefined) query = query.where('message_id', '=', filter.messageId);
    if (filter.opsRequestId !== undefined) query = query.where('ops_request_id', '=', filter.opsRequestId);
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    return query;
  };

  return {
    async insertNew(scope, events) {
      const handle = scoped(db, scope);
      const inserted = new Set<string>();
      for (let start = 0; start < events.length; start += CHUNK) {
        const rows = events.slice(start, start + CHUNK).map(toRow);
        const text = statementFor(rows);
        const parameters = rows.flatMap((r) => columns.map((c) => r[c]));
        const result = await handle.executeQuery<{ source_id: string; message_id: string }>(
          CompiledQuery.raw(text, parameters),
        );
        for (const row of result.rows) inserted.add(eventKey(row.source_id, row.message_id));
      }
      return inserted;
    },
    async list(scope, filter, limit) {
      const rows = await filtered(scope, filter).selectAll().orderBy('id').limit(limit).execute();
      return rows.map(toStored);
    },
    async count(scope, filter = {}) {
      const row = await filtered(scope, filter)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

import type { Kysely, Selectable } from 'kysely';
import type { EventFormat, EventType, NormalizedEvent } from '../../ingest/event.ts';
import type { ProjectScope, SystemScope } from '../../access/scope.ts';
import { fromJson } from '../json.ts';
import type { Database, EventsTable } from '../schema.ts';
import { insertEvents, type EventInsertRow } from '../sql/insert-events.ts';
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

/**
 * A JSON column's text. Most events leave several of their five JSON columns empty (a track has
 * no identities, traits or extra): those are the constant `{}` without a serializer call, so a
 * row costs one `JSON.stringify` per column that holds something (issue 14).
 */
function jsonText(value: Readonly<Record<string, unknown>>): string {
  for (const _ in value) return JSON.stringify(value);
  return '{}';
}

function toRow({ projectId, sourceId, event: e }: EventToStore): EventInsertRow {
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
    identities: jsonText(e.identities),
    properties: jsonText(e.properties),
    traits: jsonText(e.traits),
    context: jsonText(e.context),
    extra: jsonText(e.extra),
    receipt_properties: e.receiptProperties === null ? null : jsonText(e.receiptProperties),
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

export function eventsRepository(db: Kysely<Database>): EventsRepository {
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
      const rows = await insertEvents(scoped(db, scope), events.map(toRow));
      return new Set(rows.map((row) => eventKey(row.source_id, row.message_id)));
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

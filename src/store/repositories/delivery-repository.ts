import { sql, type Kysely, type Selectable } from 'kysely';
import type { PageRequest } from '../../access/paging.ts';
import type { ProjectScope, Scope, SystemScope } from '../../access/scope.ts';
import type {
  ChannelHealth,
  ClaimedMessage,
  MessageAttempt,
  MessageFilter,
  MessageState,
  NewMessage,
  SendRecord,
  StoredMessage,
} from '../../delivery/model.ts';
import type { MessageUpdate } from '../../delivery/plan-outcomes.ts';
import type { DialectHandle } from '../dialect-handle.ts';
import { fromJson } from '../json.ts';
import type { Database, MessageAttemptsTable, MessagesTable } from '../schema.ts';
import { claimMessages } from '../sql/claim-messages.ts';
import { insertMessages } from '../sql/insert-messages.ts';
import { scoped } from './scoped.ts';

/** Rows per multi-row INSERT (well under SQLite's 32,766 bound parameters at ~20 per row). */
const INSERT_CHUNK = 500;

export interface Completion {
  readonly id: number;
  readonly update: MessageUpdate;
}

export interface DueChannel {
  readonly channelId: string;
  readonly projectId: number;
  /** Earliest start of the channel's next request (µs, database clock); null: no schedule. */
  readonly nextStartUs: number | null;
}

export interface StartSchedule {
  readonly nextStartUs: number;
  readonly nowMs: number;
}

export interface CompletionResult {
  /** Messages whose state this completion set. */
  readonly applied: readonly number[];
  /** Messages whose lease was lost meanwhile: nothing overwritten (fenced). */
  readonly late: readonly number[];
}

/**
 * The durable outbox and its records (SPEC §4, RELIABILITY §4.2): enqueue, claim with a lease and
 * a fencing token, complete only under the lease, hold and resume, replay, and the queries of the
 * messages API. Times that decide leases come from the database clock.
 */
export interface DeliveryRepository {
  enqueue(scope: ProjectScope, messages: readonly NewMessage[], nowMs: number): Promise<void>;
  /**
   * Channels with messages due now (queued and due, or leased with an expired lease), with the
   * earliest start of their next request when they have a start schedule (rate limit or 429).
   */
  dueChannels(scope: SystemScope, limit: number): Promise<DueChannel[]>;
  /**
   * Locks a channel's request-start schedule for the rest of the transaction (creating it) and
   * answers it with the database clock: the earliest next start (µs) and now (ms).
   */
  lockStarts(scope: SystemScope, channelId: string, projectId: number): Promise<StartSchedule>;
  /** Moves a locked schedule's next start (µs); only ever forward. */
  advanceStarts(scope: SystemScope, channelId: string, nextStartUs: number): Promise<void>;
  /** Unfinished messages (`queued`, `sending`, `held`) by channel and state: one grouped query. */
  queueDepth(scope: SystemScope): Promise<{ channelId: string; state: MessageState; count: number }[]>;
  /** A 429: no request of the channel starts before now + `delayMs` (database clock). */
  pauseStarts(scope: SystemScope, channelId: string, projectId: number, delayMs: number): Promise<void>;
  claim(
    scope: SystemScope,
    channelId: string,
    options: { limit: number; leaseMs: number; leaseToken: string; leasedBy: string },
  ): Promise<ClaimedMessage[]>;
  /** Applies outcomes under the lease (`… WHERE lease_token = ?`) and appends the attempts. */
  complete(
    scope: SystemScope,
    leaseToken: string,
    completions: readonly Completion[],
    attempts: readonly MessageAttempt[],
    nowMs: number,
  ): Promise<CompletionResult>;
  /** Holds the messages of a lease instead of sending them (channel disabled, deleted, unhealthy). */
  holdLeased(scope: SystemScope, leaseToken: string, reason: string): Promise<number>;
  /** Gives unfinished leased messages back at once (graceful shutdown): queued, due now. */
  release(scope: SystemScope, leaseToken: string): Promise<number>;
  /** Holds a channel's queued messages (optionally one workspace's) with a reason. */
  hold(scope: Scope, channelId: string, reason: string, options?: { workspaceId?: string }): Promise<number>;
  /** Re-queues held messages with the given reasons, spread over `spreadMs` from now. */
  resume(
    scope: Scope,
    channelId: string,
    reasons: readonly string[],
    options: { nowMs: number; spreadMs: number; workspaceId?: string },
  ): Promise<number>;
  /**
   * A campaign's unfinished messages (SPEC §5 pause, resume, stop): `hold` moves its queued ones
   * to `held` (`campaign_paused`), `release` moves those back to queued (spread over `spreadMs`),
   * `cancel` ends queued and held ones as `failed` with reason `cancelled`. Messages already
   * leased finish their request.
   */
  campaignMessages(
    scope: ProjectScope,
    campaignId: string,
    action: 'hold' | 'release' | 'cancel',
    options: { nowMs: number; spreadMs?: number },
  ): Promise<number>;
  health(scope: Scope, channelId: string): Promise<ChannelHealth | undefined>;
  saveHealth(scope: Scope, projectId: number, health: ChannelHealth, nowMs: number): Promise<void>;
  list(scope: ProjectScope, filter: MessageFilter, page: PageRequest): Promise<StoredMessage[]>;
  get(scope: ProjectScope, opsRequestId: string): Promise<StoredMessage | undefined>;
  attempts(scope: ProjectScope, messageId: number): Promise<MessageAttempt[]>;
  /** Messages that travelled in the same request. */
  batchNeighbours(scope: ProjectScope, batchId: string): Promise<{ opsRequestId: string; outcome: string }[]>;
  countByState(scope: ProjectScope, filter: MessageFilter): Promise<Record<MessageState, number>>;
  /**
   * Re-queues messages for a new attempt with the same `ops_request_id` (flagged manual replay):
   * by ids any finished message, or a channel's `failed`/`dead` messages finished since a time.
   * Oldest first; a message already queued, sending or held is left alone (re-queued once).
   */
  replay(
    scope: ProjectScope,
    selection: { opsRequestIds: readonly string[] } | { channelId: string; since: number },
    nowMs: number,
  ): Promise<string[]>;
  createSend(scope: ProjectScope, send: SendRecord): Promise<void>;
  sendByKey(scope: ProjectScope, key: string): Promise<SendRecord | undefined>;
  /** Frees an idempotency key older than its window so a new send may take it. */
  expireKey(scope: ProjectScope, key: string, olderThan: number): Promise<void>;
  getSend(scope: ProjectScope, id: string): Promise<SendRecord | undefined>;
}

const finalStates: readonly MessageState[] = ['delivered', 'failed', 'dead', 'sent'];

function toMessage(row: Selectable<MessagesTable>): StoredMessage {
  const body = JSON.parse(row.body) as Pick<NewMessage, 'params' | 'customParams'>;
  return {
    id: Number(row.id),
    projectId: Number(row.project_id),
    channelId: row.channel_id,
    opsRequestId: row.ops_request_id,
    pushId: row.push_id,
    tpUid: row.tp_uid,
    workspaceId: row.workspace_id,
    sendId: row.send_id,
    campaignId: row.campaign_id,
    taskId: row.task_id,
    taskInstanceId: row.task_instance_id,
    params: body.params,
    customParams: body.customParams,
    state: row.state as MessageState,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastReason: row.last_reason as StoredMessage['lastReason'],
    lastError: row.last_error,
    heldReason: row.held_reason,
    manualReplay: Number(row.manual_replay) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

function toAttempt(row: Selectable<MessageAttemptsTable>): MessageAttempt {
  return {
    messageId: Number(row.message_id),
    projectId: Number(row.project_id),
    batchId: row.batch_id,
    attempt: Number(row.attempt),
    leaseToken: row.lease_token,
    leasedBy: row.leased_by,
    leasedUntil: row.leased_until === null ? null : Number(row.leased_until),
    startedAt: Number(row.started_at),
    latencyMs: Number(row.latency_ms),
    status: row.status === null ? null : Number(row.status),
    result: row.result,
    outcome: row.outcome,
    reason: row.reason,
    detail: row.detail,
    responseExcerpt: row.response_excerpt,
    manualReplay: Number(row.manual_replay) === 1,
    late: Number(row.late) === 1,
  };
}

function toSend(row: Selectable<Database['sends']>): SendRecord {
  return {
    id: row.id,
    projectId: Number(row.project_id),
    workspaceId: row.workspace_id,
    channelId: row.channel_id,
    idempotencyKey: row.idempotency_key,
    createdBy: row.created_by,
    queued: Number(row.queued),
    skipped: fromJson(row.skipped),
    createdAt: Number(row.created_at),
  };
}

export function deliveryRepository(db: Kysely<Database>, handle: DialectHandle): DeliveryRepository {
  const { skipLocked } = handle.capabilities;

  const filtered = (scope: ProjectScope, filter: MessageFilter) => {
    let query = scoped(db, scope).selectFrom('messages').where('project_id', '=', scope.projectId);
    if (filter.channelId !== undefined) query = query.where('channel_id', '=', filter.channelId);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.opsRequestId !== undefined) query = query.where('ops_request_id', '=', filter.opsRequestId);
    if (filter.pushId !== undefined) query = query.where('push_id', '=', filter.pushId);
    if (filter.tpUid !== undefined) query = query.where('tp_uid', '=', filter.tpUid);
    if (filter.sendId !== undefined) query = query.where('send_id', '=', filter.sendId);
    if (filter.campaignId !== undefined) query = query.where('campaign_id', '=', filter.campaignId);
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
    if (filter.finishedSince !== undefined) query = query.where('finished_at', '>=', filter.finishedSince);
    if (filter.workspaceIds !== undefined)
      query =
        filter.workspaceIds.length === 0
          ? query.where(sql<boolean>`1 = 0`)
          : query.where('workspace_id', 'in', filter.workspaceIds);
    return query;
  };

  return {
    async enqueue(scope, messages, nowMs) {
      await insertMessages(
        scoped(db, scope),
        scope.projectId,
        messages.map((m) => ({
          project_id: scope.projectId,
          channel_id: m.channelId,
          ops_request_id: m.opsRequestId,
          push_id: m.pushId,
          tp_uid: m.tpUid,
          workspace_id: m.workspaceId,
          send_id: m.sendId,
          campaign_id: m.campaignId,
          task_id: m.taskId,
          task_instance_id: m.taskInstanceId,
          body: JSON.stringify({ params: m.params, customParams: m.customParams }),
          state: 'queued',
          attempts: 0,
          next_attempt_at: m.dueAt ?? nowMs,
          created_at: nowMs,
          updated_at: nowMs,
        })),
      );
    },

    async dueChannels(_scope, limit) {
      const now = handle.nowMs();
      // One index probe per channel (messages_due), never a scan of the backlog: a million queued
      // messages cost what one does.
      const rows = await db
        .selectFrom('channels as c')
        .leftJoin('channel_rates as r', 'r.channel_id', 'c.id')
        .select(['c.id', 'c.project_id', 'r.next_start_us'])
        .where((eb) =>
          eb.or([
            eb.exists(
              eb
                .selectFrom('messages as m')
                .select(sql`1`.as('one'))
                .whereRef('m.channel_id', '=', 'c.id')
                .where('m.state', '=', 'queued')
                .where('m.next_attempt_at', '<=', now),
            ),
            eb.exists(
              eb
                .selectFrom('messages as m')
                .select(sql`1`.as('one'))
                .whereRef('m.channel_id', '=', 'c.id')
                .where('m.state', '=', 'sending')
                .where('m.leased_until', '<', now),
            ),
          ]),
        )
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        channelId: r.id,
        projectId: Number(r.project_id),
        nextStartUs: r.next_start_us === null ? null : Number(r.next_start_us),
      }));
    },

    async lockStarts(_scope, channelId, projectId) {
      const now = handle.nowMs();
      // An upsert locks the row until the transaction ends (PostgreSQL), so workers sharing a
      // channel take their starts one after another; SQLite's writer is already single.
      const row = await db
        .insertInto('channel_rates')
        .values({ channel_id: channelId, project_id: projectId, next_start_us: 0, updated_at: now })
        .onConflict((oc) => oc.column('channel_id').doUpdateSet({ updated_at: now }))
        .returning(['next_start_us', 'updated_at'])
        .executeTakeFirstOrThrow();
      return { nextStartUs: Number(row.next_start_us), nowMs: Number(row.updated_at) };
    },

    async advanceStarts(_scope, channelId, nextStartUs) {
      await db
        .updateTable('channel_rates')
        .set({ next_start_us: Math.ceil(nextStartUs) })
        .where('channel_id', '=', channelId)
        .where('next_start_us', '<', Math.ceil(nextStartUs))
        .execute();
    },

    async queueDepth() {
      const rows = await db
        .selectFrom('messages')
        .select(['channel_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
        .where('state', 'in', ['queued', 'sending', 'held'])
        .groupBy(['channel_id', 'state'])
        .execute();
      return rows.map((r) => ({
        channelId: r.channel_id,
        state: r.state as MessageState,
        count: Number(r.n),
      }));
    },

    async pauseStarts(_scope, channelId, projectId, delayMs) {
      const now = handle.nowMs();
      const until = sql<number>`(${now} + ${Math.round(delayMs)}) * 1000`;
      await db
        .insertInto('channel_rates')
        .values({ channel_id: channelId, project_id: projectId, next_start_us: until, updated_at: now })
        .onConflict((oc) =>
          oc.column('channel_id').doUpdateSet({
            next_start_us: sql<number>`CASE WHEN channel_rates.next_start_us > excluded.next_start_us THEN channel_rates.next_start_us ELSE excluded.next_start_us END`,
            updated_at: now,
          }),
        )
        .execute();
    },

    async claim(_scope, channelId, options) {
      const rows = await claimMessages(db, { ...options, channelId, now: handle.nowMs(), skipLocked });
      return rows.map((row) => ({
        ...toMessage(row),
        leaseToken: row.lease_token as string,
        leasedUntil: Number(row.leased_until),
      }));
    },

    async complete(_scope, leaseToken, completions, attempts, nowMs) {
      const applied: number[] = [];
      const late: number[] = [];
      // Messages with the same outcome (a whole successful batch) share one UPDATE … RETURNING.
      const groups = new Map<string, { update: MessageUpdate; ids: number[] }>();
      for (const { id, update } of completions) {
        const key = JSON.stringify([
          update.state,
          update.attempts,
          update.nextAttemptAt,
          update.reason,
          update.error,
        ]);
        const group = groups.get(key) ?? { update, ids: [] };
        group.ids.push(id);
        groups.set(key, group);
      }
      for (const { update, ids } of groups.values())
        for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
          const chunk = ids.slice(i, i + INSERT_CHUNK);
          const rows = await db
            .updateTable('messages')
            .set({
              state: update.state,
              attempts: update.attempts,
              next_attempt_at: update.nextAttemptAt ?? nowMs,
              last_reason: update.reason,
              last_error: update.error === null ? null : update.error.slice(0, 1000),
              lease_token: null,
              leased_until: null,
              leased_by: null,
              updated_at: nowMs,
              finished_at: finalStates.includes(update.state) ? nowMs : null,
            })
            .where('id', 'in', chunk)
            .where('lease_token', '=', leaseToken)
            .where('state', '=', 'sending')
            .returning('id')
            .execute();
          const done = new Set(rows.map((r) => Number(r.id)));
          for (const id of chunk) (done.has(id) ? applied : late).push(id);
        }
      const lateSet = new Set(late);
      for (let i = 0; i < attempts.length; i += INSERT_CHUNK)
        await db
          .insertInto('message_attempts')
          .values(
            attempts.slice(i, i + INSERT_CHUNK).map((a) => ({
              project_id: a.projectId,
              message_id: a.messageId,
              batch_id: a.batchId,
              attempt: a.attempt,
              lease_token: a.leaseToken,
              leased_by: a.leasedBy,
              leased_until: a.leasedUntil,
              started_at: a.startedAt,
              latency_ms: Math.round(a.latencyMs),
              status: a.status,
              result: a.result,
              outcome: a.outcome,
              reason: a.reason,
              detail: a.detail === null ? null : a.detail.slice(0, 1000),
              response_excerpt: a.responseExcerpt,
              manual_replay: a.manualReplay ? 1 : 0,
              late: a.late || lateSet.has(a.messageId) ? 1 : 0,
            })),
          )
          .execute();
      return { applied, late };
    },

    async holdLeased(_scope, leaseToken, reason) {
      const result = await db
        .updateTable('messages')
        .set({ state: 'held', held_reason: reason, lease_token: null, leased_until: null, leased_by: null })
        .where('lease_token', '=', leaseToken)
        .where('state', '=', 'sending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async release(_scope, leaseToken) {
      const result = await db
        .updateTable('messages')
        .set({ state: 'queued', lease_token: null, leased_until: null, leased_by: null })
        .where('lease_token', '=', leaseToken)
        .where('state', '=', 'sending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async hold(scope, channelId, reason, options = {}) {
      let query = scoped(db, scope)
        .updateTable('messages')
        .set({ state: 'held', held_reason: reason })
        .where('channel_id', '=', channelId)
        .where('state', '=', 'queued');
      if (scope.kind === 'project') query = query.where('project_id', '=', scope.projectId);
      if (options.workspaceId !== undefined) query = query.where('workspace_id', '=', options.workspaceId);
      return Number((await query.executeTakeFirst()).numUpdatedRows);
    },

    async resume(scope, channelId, reasons, options) {
      if (reasons.length === 0) return 0;
      // Spread the re-queued messages so a long hold does not become one burst (WH-25, WH-26).
      const spread = Math.max(1, Math.round(options.spreadMs));
      let query = scoped(db, scope)
        .updateTable('messages')
        .set({
          state: 'queued',
          held_reason: null,
          next_attempt_at: sql<number>`${options.nowMs} + (id % ${spread})`,
          updated_at: options.nowMs,
        })
        .where('channel_id', '=', channelId)
        .where('state', '=', 'held')
        .where('held_reason', 'in', reasons);
      if (scope.kind === 'project') query = query.where('project_id', '=', scope.projectId);
      if (options.workspaceId !== undefined) query = query.where('workspace_id', '=', options.workspaceId);
      return Number((await query.executeTakeFirst()).numUpdatedRows);
    },

    async campaignMessages(scope, campaignId, action, options) {
      const base = scoped(db, scope).updateTable('messages');
      const set =
        action === 'hold'
          ? base.set({ state: 'held', held_reason: 'campaign_paused', updated_at: options.nowMs })
          : action === 'release'
            ? base.set({
                state: 'queued',
                held_reason: null,
                next_attempt_at: sql<number>`${options.nowMs} + (id % ${Math.max(1, Math.round(options.spreadMs ?? 1))})`,
                updated_at: options.nowMs,
              })
            : base.set({
                state: 'failed',
                held_reason: null,
                last_reason: 'cancelled',
                last_error: 'the campaign was stopped before this message was sent',
                finished_at: options.nowMs,
                updated_at: options.nowMs,
              });
      let query = set.where('project_id', '=', scope.projectId).where('campaign_id', '=', campaignId);
      query =
        action === 'hold'
          ? query.where('state', '=', 'queued')
          : action === 'release'
            ? query.where('state', '=', 'held').where('held_reason', '=', 'campaign_paused')
            : query.where('state', 'in', ['queued', 'held']);
      return Number((await query.executeTakeFirst()).numUpdatedRows);
    },

    async health(scope, channelId) {
      let query = scoped(db, scope)
        .selectFrom('channel_health')
        .selectAll()
        .where('channel_id', '=', channelId);
      if (scope.kind === 'project') query = query.where('project_id', '=', scope.projectId);
      const row = await query.executeTakeFirst();
      if (!row) return undefined;
      return {
        channelId: row.channel_id,
        state: row.state === 'unhealthy' ? 'unhealthy' : 'healthy',
        reason: row.reason,
        since: row.since === null ? null : Number(row.since),
        lastSuccessAt: row.last_success_at === null ? null : Number(row.last_success_at),
        firstFailureAt: row.first_failure_at === null ? null : Number(row.first_failure_at),
        lastFailureAt: row.last_failure_at === null ? null : Number(row.last_failure_at),
        failedRequests: Number(row.failed_requests),
      };
    },

    async saveHealth(scope, projectId, health, nowMs) {
      const values = {
        state: health.state,
        reason: health.reason,
        since: health.since,
        last_success_at: health.lastSuccessAt,
        first_failure_at: health.firstFailureAt,
        last_failure_at: health.lastFailureAt,
        failed_requests: health.failedRequests,
        updated_at: nowMs,
      };
      await scoped(db, scope)
        .insertInto('channel_health')
        .values({ channel_id: health.channelId, project_id: projectId, ...values })
        .onConflict((oc) => oc.column('channel_id').doUpdateSet(values))
        .execute();
    },

    async list(scope, filter, page) {
      let query = filtered(scope, filter).selectAll();
      const [afterAt, afterId] = page.after ?? [];
      if (afterAt !== undefined && afterId !== undefined)
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', Number(afterAt)),
            eb.and([eb('created_at', '=', Number(afterAt)), eb('id', '<', Number(afterId))]),
          ]),
        );
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .execute();
      return rows.map(toMessage);
    },

    async get(scope, opsRequestId) {
      const row = await scoped(db, scope)
        .selectFrom('messages')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('ops_request_id', '=', opsRequestId)
        .executeTakeFirst();
      return row ? toMessage(row) : undefined;
    },

    async attempts(scope, messageId) {
      const rows = await scoped(db, scope)
        .selectFrom('message_attempts')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('message_id', '=', messageId)
        .orderBy('id')
        .execute();
      return rows.map(toAttempt);
    },

    async batchNeighbours(scope, batchId) {
      const rows = await scoped(db, scope)
        .selectFrom('message_attempts')
        .innerJoin('messages', 'messages.id', 'message_attempts.message_id')
        .select(['messages.ops_request_id', 'message_attempts.outcome'])
        .where('message_attempts.project_id', '=', scope.projectId)
        .where('messages.project_id', '=', scope.projectId)
        .where('message_attempts.batch_id', '=', batchId)
        .orderBy('message_attempts.id')
        .execute();
      return rows.map((r) => ({ opsRequestId: r.ops_request_id, outcome: r.outcome }));
    },

    async countByState(scope, filter) {
      const rows = await filtered(scope, filter)
        .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      const counts = { queued: 0, sending: 0, delivered: 0, failed: 0, dead: 0, sent: 0, held: 0 };
      for (const r of rows) if (r.state in counts) counts[r.state as MessageState] = Number(r.n);
      return counts;
    },

    async replay(scope, selection, nowMs) {
      const q = scoped(db, scope);
      let candidates = q
        .selectFrom('messages')
        .select(['id', 'ops_request_id'])
        .where('project_id', '=', scope.projectId)
        .where('state', 'in', 'opsRequestIds' in selection ? finalStates : ['failed', 'dead']);
      if ('opsRequestIds' in selection) {
        if (selection.opsRequestIds.length === 0) return [];
        candidates = candidates.where('ops_request_id', 'in', selection.opsRequestIds);
      } else
        candidates = candidates
          .where('channel_id', '=', selection.channelId)
          .where('finished_at', '>=', selection.since);
      const rows = await candidates.orderBy('created_at').orderBy('id').execute();
      const replayed: string[] = [];
      for (const [i, row] of rows.entries()) {
        // One statement per message, guarded by its state: a concurrent replay re-queues it once.
        const result = await q
          .updateTable('messages')
          .set({
            state: 'queued',
            attempts: 0,
            next_attempt_at: nowMs + i,
            manual_replay: 1,
            last_reason: null,
            last_error: null,
            held_reason: null,
            finished_at: null,
            updated_at: nowMs,
          })
          .where('project_id', '=', scope.projectId)
          .where('id', '=', row.id)
          .where('state', 'in', finalStates)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) replayed.push(row.ops_request_id);
      }
      return replayed;
    },

    async createSend(scope, send) {
      await scoped(db, scope)
        .insertInto('sends')
        .values({
          id: send.id,
          project_id: scope.projectId,
          workspace_id: send.workspaceId,
          channel_id: send.channelId,
          idempotency_key: send.idempotencyKey,
          created_by: send.createdBy,
          queued: send.queued,
          skipped: JSON.stringify(send.skipped),
          created_at: send.createdAt,
        })
        .execute();
    },

    async sendByKey(scope, key) {
      const row = await scoped(db, scope)
        .selectFrom('sends')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('idempotency_key', '=', key)
        .executeTakeFirst();
      return row ? toSend(row) : undefined;
    },

    async expireKey(scope, key, olderThan) {
      await scoped(db, scope)
        .updateTable('sends')
        .set({ idempotency_key: null })
        .where('project_id', '=', scope.projectId)
        .where('idempotency_key', '=', key)
        .where('created_at', '<', olderThan)
        .execute();
    },

    async getSend(scope, id) {
      const row = await scoped(db, scope)
        .selectFrom('sends')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toSend(row) : undefined;
    },
  };
}

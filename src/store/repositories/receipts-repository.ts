import type { Insertable, Kysely } from 'kysely';
import type { ProjectScope } from '../../access/scope.ts';
import type { Database, MessageReceiptsTable } from '../schema.ts';
import { scoped } from './scoped.ts';

/** An event naming a message by its `ops_request_id`, to be recorded as a receipt. */
export interface ReceiptCandidate {
  readonly opsRequestId: string;
  /** The event's name: the receipt step (e.g. `ops_push_open`). */
  readonly step: string;
  readonly eventId: number;
  readonly eventTime: number;
}

/** A recorded receipt: one per message and step. */
export interface Receipt {
  readonly opsRequestId: string;
  readonly step: string;
  readonly channelId: string;
  readonly campaignId: string | null;
  readonly taskInstanceId: string;
  readonly sendId: string | null;
  readonly eventId: number;
  readonly eventTime: number;
}

/** Receipts of messages (migration 0021). */
export interface ReceiptsRepository {
  /**
   * Records the candidates whose `ops_request_id` names a message of this project (others count
   * nowhere), once per message and step; answers how many were new.
   */
  record(scope: ProjectScope, candidates: readonly ReceiptCandidate[], nowMs: number): Promise<number>;
  /**
   * Conversions (SPEC §6): for each event, the messages of campaigns whose conversion goal is
   * that event name, sent to the event's profile within the goal's days before it, are recorded
   * under the step `$converted` (once per message). Answers how many were new.
   */
  recordConversions(
    scope: ProjectScope,
    events: readonly { eventId: number; eventName: string; tpUid: string; eventTime: number }[],
    nowMs: number,
  ): Promise<number>;
  /** A message's receipts, in the order they were recorded. */
  ofMessage(scope: ProjectScope, opsRequestId: string): Promise<Receipt[]>;
  /** Receipts by step of a campaign (optionally one run) or of a send. */
  countSteps(
    scope: ProjectScope,
    of: { readonly campaignId: string; readonly runId?: string } | { readonly sendId: string },
  ): Promise<Map<string, number>>;
}

const CHUNK = 500;

/** The step under which a message's conversion is recorded. */
export const CONVERTED = '$converted';

type ReceiptRow = Insertable<MessageReceiptsTable>;

export function receiptsRepository(root: Kysely<Database>): ReceiptsRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);
  /** Inserts rows, skipping (message, step) pairs already recorded; answers how many were new. */
  const insertOnce = async (scope: ProjectScope, rows: readonly ReceiptRow[]): Promise<number> => {
    let added = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const result = await q(scope)
        .insertInto('message_receipts')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['project_id', 'ops_request_id', 'step']).doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  };
  return {
    async record(scope, candidates, nowMs) {
      let added = 0;
      for (let i = 0; i < candidates.length; i += CHUNK) {
        const chunk = candidates.slice(i, i + CHUNK);
        const messages = await q(scope)
          .selectFrom('messages')
          .select(['ops_request_id', 'channel_id', 'campaign_id', 'task_instance_id', 'send_id'])
          .where('project_id', '=', scope.projectId)
          .where('ops_request_id', 'in', [...new Set(chunk.map((c) => c.opsRequestId))])
          .execute();
        const byId = new Map(messages.map((m) => [m.ops_request_id, m]));
        const rows = chunk.flatMap((c) => {
          const m = byId.get(c.opsRequestId);
          return m
            ? [
                {
                  project_id: scope.projectId,
                  ops_request_id: c.opsRequestId,
                  step: c.step,
                  channel_id: m.channel_id,
                  campaign_id: m.campaign_id,
                  task_instance_id: m.task_instance_id,
                  send_id: m.send_id,
                  event_id: c.eventId,
                  event_time: c.eventTime,
                  created_at: nowMs,
                },
              ]
            : [];
        });
        added += await insertOnce(scope, rows);
      }
      return added;
    },

    async recordConversions(scope, events, nowMs) {
      if (events.length === 0) return 0;
      const goals = await q(scope)
        .selectFrom('campaigns')
        .select(['id', 'conversion'])
        .where('project_id', '=', scope.projectId)
        .where('conversion', 'is not', null)
        .where('published_at', 'is not', null)
        .execute();
      const byEvent = new Map<string, { campaignId: string; withinMs: number }[]>();
      for (const g of goals) {
        const goal = JSON.parse(g.conversion as string) as { event: string; withinDays: number };
        const list = byEvent.get(goal.event) ?? [];
        list.push({ campaignId: g.id, withinMs: goal.withinDays * 86_400_000 });
        byEvent.set(goal.event, list);
      }
      const wanted = events.filter((e) => byEvent.has(e.eventName));
      if (wanted.length === 0) return 0;
      const longest = Math.max(...[...byEvent.values()].flat().map((g) => g.withinMs));
      const from = Math.min(...wanted.map((e) => e.eventTime)) - longest;
      const rows: ReceiptRow[] = [];
      for (let i = 0; i < wanted.length; i += CHUNK) {
        const chunk = wanted.slice(i, i + CHUNK);
        // A message sent to a profile that has since merged into the event's profile counts too.
        const ownerOf = new Map(chunk.map((e) => [e.tpUid, e.tpUid]));
        const merged = await q(scope)
          .selectFrom('profiles')
          .select(['tp_uid', 'merged_into'])
          .where('project_id', '=', scope.projectId)
          .where('merged_into', 'in', [...ownerOf.keys()])
          .execute();
        for (const p of merged) ownerOf.set(p.tp_uid, p.merged_into as string);
        const messages = await q(scope)
          .selectFrom('messages')
          .select([
            'ops_request_id',
            'tp_uid',
            'channel_id',
            'campaign_id',
            'task_instance_id',
            'send_id',
            'created_at',
          ])
          .where('project_id', '=', scope.projectId)
          .where('tp_uid', 'in', [...ownerOf.keys()])
          .where('campaign_id', 'in', [
            ...new Set(chunk.flatMap((e) => byEvent.get(e.eventName) ?? []).map((g) => g.campaignId)),
          ])
          .where('created_at', '>=', from)
          .execute();
        for (const e of chunk)
          for (const goal of byEvent.get(e.eventName) ?? [])
            for (const m of messages)
              if (
                m.tp_uid !== null &&
                ownerOf.get(m.tp_uid) === e.tpUid &&
                m.campaign_id === goal.campaignId &&
                Number(m.created_at) <= e.eventTime &&
                e.eventTime - Number(m.created_at) <= goal.withinMs
              )
                rows.push({
                  project_id: scope.projectId,
                  ops_request_id: m.ops_request_id,
                  step: CONVERTED,
                  channel_id: m.channel_id,
                  campaign_id: m.campaign_id,
                  task_instance_id: m.task_instance_id,
                  send_id: m.send_id,
                  event_id: e.eventId,
                  event_time: e.eventTime,
                  created_at: nowMs,
                });
      }
      const seen = new Set<string>();
      return insertOnce(
        scope,
        rows.filter((r) => !seen.has(r.ops_request_id) && seen.add(r.ops_request_id)),
      );
    },

    async ofMessage(scope, opsRequestId) {
      const rows = await q(scope)
        .selectFrom('message_receipts')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('ops_request_id', '=', opsRequestId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        opsRequestId: r.ops_request_id,
        step: r.step,
        channelId: r.channel_id,
        campaignId: r.campaign_id,
        taskInstanceId: r.task_instance_id,
        sendId: r.send_id,
        eventId: Number(r.event_id),
        eventTime: Number(r.event_time),
      }));
    },

    async countSteps(scope, of) {
      let query = q(scope)
        .selectFrom('message_receipts')
        .select(['step', (eb) => eb.fn.countAll<number>().as('n')])
        .where('project_id', '=', scope.projectId);
      if ('sendId' in of) query = query.where('send_id', '=', of.sendId);
      else {
        query = query.where('campaign_id', '=', of.campaignId);
        if (of.runId !== undefined) query = query.where('task_instance_id', '=', of.runId);
      }
      const rows = await query.groupBy('step').execute();
      return new Map(rows.map((r) => [r.step, Number(r.n)]));
    },
  };
}

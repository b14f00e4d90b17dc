import type { Kysely } from 'kysely';
import type { ProjectScope } from '../../access/scope.ts';
import type { Database } from '../schema.ts';
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
  /** A message's receipts, in the order they were recorded. */
  ofMessage(scope: ProjectScope, opsRequestId: string): Promise<Receipt[]>;
  /** Receipts by step of a campaign (optionally one run) or of a send. */
  countSteps(
    scope: ProjectScope,
    of: { readonly campaignId: string; readonly runId?: string } | { readonly sendId: string },
  ): Promise<Map<string, number>>;
}

const CHUNK = 500;

export function receiptsRepository(root: Kysely<Database>): ReceiptsRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);
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
        if (rows.length === 0) continue;
        const result = await q(scope)
          .insertInto('message_receipts')
          .values(rows)
          .onConflict((oc) => oc.columns(['project_id', 'ops_request_id', 'step']).doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return added;
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

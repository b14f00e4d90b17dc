import type { Kysely, Selectable } from 'kysely';
import type { ProjectScope, SystemScope } from '../../access/scope.ts';
import type { Campaign } from '../../campaigns/model.ts';
import { fromJson } from '../json.ts';
import type { CampaignFiresTable, Database } from '../schema.ts';
import { scoped } from './scoped.ts';

/** A matching event recorded for an event-triggered campaign, waiting for its due time. */
export interface NewFire {
  readonly id: string;
  readonly campaignId: string;
  readonly workspaceId: string;
  readonly runId: string;
  readonly eventId: number;
  readonly tpUid: string;
  readonly eventTime: number;
  readonly receivedAt: number;
  readonly eventProperties: Readonly<Record<string, unknown>>;
  readonly dueAt: number;
}

export interface Fire extends NewFire {
  readonly projectId: number;
}

/** How a claimed fire ended: `sent` (messages queued), `skipped` (with the reason), `cancelled`. */
export interface FireOutcome {
  readonly id: string;
  readonly state: 'sent' | 'skipped' | 'cancelled';
  readonly reason: string | null;
  readonly messages: number;
}

/** A listening event campaign of a project, with its run. */
export interface ListeningCampaign {
  readonly campaign: Campaign;
  readonly runId: string;
  readonly runStartedAt: number;
}

/** Fires of event-triggered campaigns (migration 0020). */
export interface CampaignFiresRepository {
  /** Records fires (inside the profile applier's window transaction); answers how many were new. */
  record(scope: ProjectScope, fires: readonly NewFire[], nowMs: number): Promise<number>;
  /**
   * Leases up to `limit` due fires of running campaigns (any project) whose lease is free or
   * expired, and answers them. Two workers never hold the same fire.
   */
  claimDue(
    scope: SystemScope,
    lease: { token: string; untilMs: number },
    nowMs: number,
    limit: number,
  ): Promise<Fire[]>;
  /**
   * Ends claimed fires still held by `token`; answers how many it ended. Fewer than asked means
   * the lease was lost: the caller's transaction must roll back.
   */
  finish(
    scope: ProjectScope,
    token: string,
    outcomes: readonly FireOutcome[],
    nowMs: number,
  ): Promise<number>;
  /**
   * Frees a lease early (a campaign paused meanwhile): the fires wait, due — or, with
   * `notBefore`, untouched by any worker until then (a wait for the profile applier).
   */
  release(scope: ProjectScope, token: string, ids: readonly string[], notBefore?: number): Promise<void>;
  /** Pending fires of a stopped campaign become `cancelled`; answers how many. */
  cancel(scope: ProjectScope, campaignId: string, nowMs: number): Promise<number>;
  /** Pending fires of a run (it completes only when none are left). */
  pending(scope: ProjectScope, runId: string): Promise<number>;
  /**
   * Events named `event` of the given profiles between `from` and `through` (event time,
   * both included), with their properties: the "unless" check.
   */
  eventsOf(
    scope: ProjectScope,
    tpUids: readonly string[],
    event: string,
    from: number,
    through: number,
  ): Promise<{ eventId: number; tpUid: string; eventTime: number; properties: Record<string, unknown> }[]>;
  /** Erasure: every fire of these profiles. */
  deleteForProfiles(scope: ProjectScope, tpUids: readonly string[]): Promise<number>;
}

function toFire(r: Selectable<CampaignFiresTable>): Fire {
  return {
    id: r.id,
    projectId: Number(r.project_id),
    campaignId: r.campaign_id,
    workspaceId: r.workspace_id,
    runId: r.run_id,
    eventId: Number(r.event_id),
    tpUid: r.tp_uid,
    eventTime: Number(r.event_time),
    receivedAt: Number(r.received_at),
    eventProperties: JSON.parse(r.event_properties) as Record<string, unknown>,
    dueAt: Number(r.due_at),
  };
}

const CHUNK = 500;

export function campaignFiresRepository(root: Kysely<Database>): CampaignFiresRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);
  return {
    async record(scope, fires, nowMs) {
      let added = 0;
      for (let i = 0; i < fires.length; i += CHUNK) {
        const chunk = fires.slice(i, i + CHUNK);
        const result = await q(scope)
          .insertInto('campaign_fires')
          .values(
            chunk.map((f) => ({
              id: f.id,
              project_id: scope.projectId,
              campaign_id: f.campaignId,
              workspace_id: f.workspaceId,
              run_id: f.runId,
              event_id: f.eventId,
              tp_uid: f.tpUid,
              event_time: f.eventTime,
              received_at: f.receivedAt,
              event_properties: JSON.stringify(f.eventProperties),
              due_at: f.dueAt,
              state: 'pending',
              reason: null,
              lease_token: null,
              leased_until: null,
              created_at: nowMs,
              done_at: null,
            })),
          )
          .onConflict((oc) => oc.columns(['campaign_id', 'event_id']).doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      const perRun = new Map<string, number>();
      for (const f of fires) perRun.set(f.runId, (perRun.get(f.runId) ?? 0) + 1);
      for (const [runId, n] of perRun)
        await q(scope)
          .updateTable('campaign_runs')
          .set((eb) => ({ fired: eb('fired', '+', n), updated_at: nowMs }))
          .where('project_id', '=', scope.projectId)
          .where('id', '=', runId)
          .execute();
      return added;
    },

    async claimDue(_scope, lease, nowMs, limit) {
      const candidates = root
        .selectFrom('campaign_fires as f')
        .innerJoin('campaigns as c', 'c.id', 'f.campaign_id')
        .select('f.id')
        .where('f.state', '=', 'pending')
        .where('f.due_at', '<=', nowMs)
        .where((eb) => eb.or([eb('f.leased_until', 'is', null), eb('f.leased_until', '<', nowMs)]))
        .where('c.state', '=', 'running')
        .orderBy('f.due_at')
        .limit(limit);
      // The outer conditions are checked again on each row after a concurrent claim committed
      // (PostgreSQL re-reads a locked row), so a row another worker just leased is skipped.
      await root
        .updateTable('campaign_fires')
        .set({ lease_token: lease.token, leased_until: lease.untilMs })
        .where('id', 'in', candidates)
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', nowMs)]))
        .execute();
      const rows = await root
        .selectFrom('campaign_fires')
        .selectAll()
        .where('lease_token', '=', lease.token)
        .where('state', '=', 'pending')
        .orderBy('due_at')
        .execute();
      return rows.map(toFire);
    },

    async finish(scope, token, outcomes, nowMs) {
      // One statement per kind of outcome (a batch has a handful), not one per fire.
      const groups = new Map<string, { outcome: FireOutcome; ids: string[] }>();
      for (const o of outcomes) {
        const key = `${o.state}\u0000${o.reason ?? ''}\u0000${o.messages}`;
        const group = groups.get(key) ?? { outcome: o, ids: [] };
        group.ids.push(o.id);
        groups.set(key, group);
      }
      let ended = 0;
      for (const { outcome, ids } of groups.values())
        for (let i = 0; i < ids.length; i += CHUNK) {
          const result = await q(scope)
            .updateTable('campaign_fires')
            .set({
              state: outcome.state,
              reason: outcome.reason,
              messages: outcome.messages,
              lease_token: null,
              leased_until: null,
              done_at: nowMs,
            })
            .where('project_id', '=', scope.projectId)
            .where('id', 'in', ids.slice(i, i + CHUNK))
            .where('lease_token', '=', token)
            .where('state', '=', 'pending')
            .executeTakeFirst();
          ended += Number(result.numUpdatedRows);
        }
      return ended;
    },

    async release(scope, token, ids, notBefore) {
      for (let i = 0; i < ids.length; i += CHUNK)
        await q(scope)
          .updateTable('campaign_fires')
          .set({ lease_token: null, leased_until: notBefore ?? null })
          .where('project_id', '=', scope.projectId)
          .where('id', 'in', ids.slice(i, i + CHUNK))
          .where('lease_token', '=', token)
          .execute();
    },

    async cancel(scope, campaignId, nowMs) {
      const result = await q(scope)
        .updateTable('campaign_fires')
        .set({
          state: 'cancelled',
          reason: 'campaign_stopped',
          lease_token: null,
          leased_until: null,
          done_at: nowMs,
        })
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async pending(scope, runId) {
      const row = await q(scope)
        .selectFrom('campaign_fires')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', scope.projectId)
        .where('run_id', '=', runId)
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async eventsOf(scope, tpUids, event, from, through) {
      if (tpUids.length === 0) return [];
      const rows = await q(scope)
        .selectFrom('profile_events as pe')
        .innerJoin('events as e', 'e.id', 'pe.event_id')
        .select(['e.id', 'pe.tp_uid', 'pe.event_time', 'e.properties'])
        .where('pe.project_id', '=', scope.projectId)
        .where('e.project_id', '=', scope.projectId)
        .where('pe.tp_uid', 'in', tpUids)
        .where('pe.event_time', '>=', from)
        .where('pe.event_time', '<=', through)
        .where('e.event_name', '=', event)
        .execute();
      return rows.map((r) => ({
        eventId: Number(r.id),
        tpUid: r.tp_uid,
        eventTime: Number(r.event_time),
        properties: fromJson<Record<string, unknown>>(r.properties),
      }));
    },

    async deleteForProfiles(scope, tpUids) {
      let deleted = 0;
      for (let i = 0; i < tpUids.length; i += CHUNK) {
        const result = await q(scope)
          .deleteFrom('campaign_fires')
          .where('project_id', '=', scope.projectId)
          .where('tp_uid', 'in', tpUids.slice(i, i + CHUNK))
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },
  };
}

import type { Kysely, Selectable } from 'kysely';
import type { PageRequest } from '../../access/paging.ts';
import type { ProjectScope, Scope, SystemScope } from '../../access/scope.ts';
import type {
  Campaign,
  CampaignRun,
  CampaignState,
  CampaignTrigger,
  ConversionGoal,
  RunCounts,
  RunState,
} from '../../campaigns/model.ts';
import type { VariableJson } from '../../channels/variables.ts';
import type { MessageState } from '../../delivery/model.ts';
import type { CampaignRunsTable, CampaignsTable, Database } from '../schema.ts';
import type { ListeningCampaign } from './campaign-fires-repository.ts';
import { nameKey } from './projects-repository.ts';
import { olderThan, scoped } from './scoped.ts';

/** The editable part of a campaign. */
export interface CampaignWrite {
  readonly name: string;
  readonly description: string | null;
  readonly audienceId: string | null;
  readonly channelId: string | null;
  readonly trigger: CampaignTrigger;
  readonly templateValues: Readonly<Record<string, unknown>>;
  readonly variables: readonly VariableJson[];
  readonly conversion: ConversionGoal | null;
  readonly frequencyCap: Campaign['frequencyCap'];
  readonly quietHours: Campaign['quietHours'];
}

/** What a state change writes besides the state. */
export interface CampaignStamp {
  readonly nextRunAt?: number | null;
  readonly submittedBy?: string | null;
  readonly submittedAt?: number | null;
  readonly approvedBy?: string | null;
  readonly approvedAt?: number | null;
  readonly rejection?: Campaign['rejection'];
  readonly publishedBy?: string | null;
  readonly publishedAt?: number | null;
}

export interface RunProgress {
  readonly cursor: string;
  readonly processed: number;
  readonly queued: number;
  readonly skipped: number;
  readonly suppressed: number;
  readonly unsubscribed: number;
  readonly capped: number;
  readonly quiet: number;
}

/** Campaigns of a workspace and their runs (task instances). */
export interface CampaignsRepository {
  create(
    scope: ProjectScope,
    c: CampaignWrite & { id: string; workspaceId: string; createdBy: string; at: number },
  ): Promise<Campaign>;
  get(scope: ProjectScope, workspaceId: string, id: string): Promise<Campaign | undefined>;
  /** Newest first; `after` is `[createdAt, id]`. */
  list(
    scope: ProjectScope,
    workspaceId: string,
    filter: { states?: readonly CampaignState[] },
    page: PageRequest,
  ): Promise<Campaign[]>;
  /** Edits a campaign still in one of `states`; false when it is not (any more). */
  update(
    scope: ProjectScope,
    id: string,
    states: readonly CampaignState[],
    patch: Partial<CampaignWrite>,
    at: number,
  ): Promise<boolean>;
  /** Moves a campaign from one of `from` to `to`; false when another change came first. */
  transition(
    scope: ProjectScope,
    id: string,
    from: readonly CampaignState[],
    to: CampaignState,
    stamp: CampaignStamp,
    at: number,
  ): Promise<boolean>;
  delete(scope: ProjectScope, id: string, states: readonly CampaignState[]): Promise<boolean>;
  /** Campaigns in one of `states` that use a channel (or an audience). */
  using(
    scope: ProjectScope,
    what: { channelId: string } | { audienceId: string },
    states: readonly CampaignState[],
  ): Promise<{ id: string; name: string; state: CampaignState }[]>;

  /** Campaigns of every project whose next run is due (the scheduler). */
  due(
    scope: SystemScope,
    nowMs: number,
    limit: number,
  ): Promise<{ projectId: number; workspaceId: string; id: string }[]>;
  /** Running campaigns of every project with no next run (the runner's completion check). */
  runningWithoutNext(
    scope: SystemScope,
    limit: number,
  ): Promise<{ projectId: number; workspaceId: string; id: string }[]>;
  /**
   * Fires the run due at `scheduledFor`: moves `next_run_at` on to `nextRunAt` and the campaign
   * to `running`, guarded by the `next_run_at` it read, and inserts the run. False when another
   * scheduler fired it first (nothing written).
   */
  fire(
    scope: ProjectScope,
    campaign: Campaign,
    run: { id: string; scheduledFor: number; state: 'rendering' | 'listening' },
    nextRunAt: number | null,
    nowMs: number,
  ): Promise<boolean>;
  /**
   * An event campaign's window ended: its `listening` run moves to `delivering` and the campaign
   * has no next time, guarded by the `next_run_at` read (one worker does it).
   */
  endListening(scope: ProjectScope, campaignId: string, endAt: number, nowMs: number): Promise<boolean>;
  /** Running or paused event campaigns of a project with their listening run (the applier's matcher). */
  listening(scope: ProjectScope): Promise<ListeningCampaign[]>;
  /** Adds an event campaign's counts to its run. */
  addRunCounts(
    scope: ProjectScope,
    runId: string,
    counts: Omit<RunProgress, 'cursor'> & { readonly excluded: number },
    nowMs: number,
  ): Promise<void>;

  getRun(scope: ProjectScope, campaignId: string, runId: string): Promise<CampaignRun | undefined>;
  /** Newest first; `after` is `[scheduledFor, id]`. */
  listRuns(scope: ProjectScope, campaignId: string, page: PageRequest): Promise<CampaignRun[]>;
  /** Messages of the given runs counted by state. */
  runCounts(
    scope: ProjectScope,
    campaignId: string,
    runIds: readonly string[],
  ): Promise<Map<string, RunCounts>>;
  /** Unfinished (queued, sending, held) messages of a run. */
  unfinished(scope: ProjectScope, campaignId: string, runId: string): Promise<number>;
  /** Runs of a campaign in one of `from` move to `to` (pause, resume, stop); answers how many. */
  setRunsState(
    scope: ProjectScope,
    campaignId: string,
    from: readonly RunState[],
    to: RunState,
    nowMs: number,
  ): Promise<number>;
  /** Whether a campaign has runs in one of `states`. */
  hasRuns(scope: ProjectScope, campaignId: string, states: readonly RunState[]): Promise<boolean>;

  /** A run to render whose lease is free or expired, leased to `token` (any project). */
  claimRun(
    scope: SystemScope,
    lease: { token: string; by: string; untilMs: number },
    nowMs: number,
  ): Promise<CampaignRun | undefined>;
  /** Runs in `state` of every project (the runner's completion check). */
  runsIn(scope: SystemScope, state: RunState, limit: number): Promise<CampaignRun[]>;
  /**
   * Records a committed page of a leased run and extends its lease; false when the lease was
   * lost or the run left `rendering` (paused, stopped): the caller's transaction must roll back.
   */
  checkpoint(
    scope: ProjectScope,
    runId: string,
    token: string,
    progress: RunProgress,
    leaseUntilMs: number,
    nowMs: number,
  ): Promise<boolean>;
  /** Sets the audience size of a leased run when it starts rendering. */
  sizeRun(
    scope: ProjectScope,
    runId: string,
    token: string,
    size: number,
    reachable: number,
  ): Promise<boolean>;
  /** Ends a leased run's rendering (`delivering` or `failed`) and frees its lease. */
  finishRendering(
    scope: ProjectScope,
    runId: string,
    token: string,
    to: RunState,
    error: string | null,
    nowMs: number,
  ): Promise<boolean>;
  /** Frees a leased run's lease (graceful shutdown): another worker may resume it at once. */
  releaseRun(scope: ProjectScope, runId: string, token: string): Promise<void>;
  /** A leased run that cannot render: `paused` with the reason, lease freed. */
  blockRun(
    scope: ProjectScope,
    runId: string,
    token: string,
    reason: string,
    nowMs: number,
  ): Promise<boolean>;
  /** Moves one run from `from` to `to`. */
  setRunState(scope: Scope, runId: string, from: RunState, to: RunState, nowMs: number): Promise<boolean>;
}

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function toCampaign(r: Selectable<CampaignsTable>): Campaign {
  return {
    id: r.id,
    projectId: Number(r.project_id),
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    state: r.state as CampaignState,
    audienceId: r.audience_id,
    channelId: r.channel_id,
    trigger: JSON.parse(r.trigger) as CampaignTrigger,
    templateValues: JSON.parse(r.template_values) as Record<string, unknown>,
    variables: JSON.parse(r.variables) as VariableJson[],
    conversion: parse<ConversionGoal>(r.conversion),
    frequencyCap: parse<Campaign['frequencyCap']>(r.frequency_cap),
    quietHours: r.quiet_hours === 'drop' ? 'drop' : 'delay',
    nextRunAt: r.next_run_at === null ? null : Number(r.next_run_at),
    submittedBy: r.submitted_by,
    submittedAt: r.submitted_at === null ? null : Number(r.submitted_at),
    approvedBy: r.approved_by,
    approvedAt: r.approved_at === null ? null : Number(r.approved_at),
    rejection: parse<Campaign['rejection']>(r.rejection),
    publishedBy: r.published_by,
    publishedAt: r.published_at === null ? null : Number(r.published_at),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toRun(r: Selectable<CampaignRunsTable>): CampaignRun {
  const num = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: r.id,
    projectId: Number(r.project_id),
    campaignId: r.campaign_id,
    workspaceId: r.workspace_id,
    scheduledFor: Number(r.scheduled_for),
    state: r.state as RunState,
    cursor: r.cursor,
    audienceSize: num(r.audience_size),
    reachable: num(r.reachable),
    processed: Number(r.processed),
    queued: Number(r.queued),
    skipped: Number(r.skipped),
    suppressed: Number(r.suppressed),
    unsubscribed: Number(r.unsubscribed),
    capped: Number(r.capped),
    quiet: Number(r.quiet),
    fired: Number(r.fired),
    excluded: Number(r.excluded),
    error: r.error,
    startedAt: Number(r.started_at),
    updatedAt: Number(r.updated_at),
    finishedAt: num(r.finished_at),
  };
}

function writeColumns(patch: Partial<CampaignWrite>) {
  return {
    ...(patch.name !== undefined ? { name: patch.name, name_key: nameKey(patch.name) } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.audienceId !== undefined ? { audience_id: patch.audienceId } : {}),
    ...(patch.channelId !== undefined ? { channel_id: patch.channelId } : {}),
    ...(patch.trigger !== undefined ? { trigger: JSON.stringify(patch.trigger) } : {}),
    ...(patch.templateValues !== undefined ? { template_values: JSON.stringify(patch.templateValues) } : {}),
    ...(patch.variables !== undefined ? { variables: JSON.stringify(patch.variables) } : {}),
    ...(patch.conversion !== undefined
      ? { conversion: patch.conversion === null ? null : JSON.stringify(patch.conversion) }
      : {}),
    ...(patch.frequencyCap !== undefined
      ? { frequency_cap: patch.frequencyCap === null ? null : JSON.stringify(patch.frequencyCap) }
      : {}),
    ...(patch.quietHours !== undefined ? { quiet_hours: patch.quietHours } : {}),
  };
}

function stampColumns(s: CampaignStamp) {
  return {
    ...(s.nextRunAt !== undefined ? { next_run_at: s.nextRunAt } : {}),
    ...(s.submittedBy !== undefined ? { submitted_by: s.submittedBy } : {}),
    ...(s.submittedAt !== undefined ? { submitted_at: s.submittedAt } : {}),
    ...(s.approvedBy !== undefined ? { approved_by: s.approvedBy } : {}),
    ...(s.approvedAt !== undefined ? { approved_at: s.approvedAt } : {}),
    ...(s.rejection !== undefined
      ? { rejection: s.rejection === null ? null : JSON.stringify(s.rejection) }
      : {}),
    ...(s.publishedBy !== undefined ? { published_by: s.publishedBy } : {}),
    ...(s.publishedAt !== undefined ? { published_at: s.publishedAt } : {}),
  };
}

const unfinishedStates: readonly MessageState[] = ['queued', 'sending', 'held'];
const emptyCounts = (): RunCounts => ({
  queued: 0,
  sending: 0,
  delivered: 0,
  failed: 0,
  dead: 0,
  sent: 0,
  held: 0,
});

export function campaignsRepository(root: Kysely<Database>): CampaignsRepository {
  const q = (scope: Scope) => scoped(root, scope);
  const repo: CampaignsRepository = {
    async create(scope, c) {
      const row = {
        id: c.id,
        project_id: scope.projectId,
        workspace_id: c.workspaceId,
        name: c.name,
        name_key: nameKey(c.name),
        description: c.description,
        state: 'draft',
        audience_id: c.audienceId,
        channel_id: c.channelId,
        trigger: JSON.stringify(c.trigger),
        template_values: JSON.stringify(c.templateValues),
        variables: JSON.stringify(c.variables),
        conversion: c.conversion === null ? null : JSON.stringify(c.conversion),
        frequency_cap: c.frequencyCap === null ? null : JSON.stringify(c.frequencyCap),
        quiet_hours: c.quietHours,
        next_run_at: null,
        submitted_by: null,
        submitted_at: null,
        approved_by: null,
        approved_at: null,
        rejection: null,
        published_by: null,
        published_at: null,
        created_by: c.createdBy,
        created_at: c.at,
        updated_at: c.at,
      };
      await q(scope).insertInto('campaigns').values(row).execute();
      return toCampaign(row);
    },
    async get(scope, workspaceId, id) {
      const row = await q(scope)
        .selectFrom('campaigns')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toCampaign(row);
    },
    async list(scope, workspaceId, filter, page) {
      let query = q(scope)
        .selectFrom('campaigns')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('workspace_id', '=', workspaceId);
      if (filter.states && filter.states.length > 0) query = query.where('state', 'in', filter.states);
      if (page.after) query = query.where(olderThan('created_at', page.after));
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .execute();
      return rows.map(toCampaign);
    },
    async update(scope, id, states, patch, at) {
      const result = await q(scope)
        .updateTable('campaigns')
        .set({ ...writeColumns(patch), updated_at: at })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('state', 'in', states)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async transition(scope, id, from, to, stamp, at) {
      const result = await q(scope)
        .updateTable('campaigns')
        .set({ state: to, ...stampColumns(stamp), updated_at: at })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('state', 'in', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(scope, id, states) {
      const result = await q(scope)
        .deleteFrom('campaigns')
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('state', 'in', states)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async using(scope, what, states) {
      let query = q(scope)
        .selectFrom('campaigns')
        .select(['id', 'name', 'state'])
        .where('project_id', '=', scope.projectId)
        .where('state', 'in', states);
      query =
        'channelId' in what
          ? query.where('channel_id', '=', what.channelId)
          : query.where('audience_id', '=', what.audienceId);
      const rows = await query.orderBy('name').limit(50).execute();
      return rows.map((r) => ({ id: r.id, name: r.name, state: r.state as CampaignState }));
    },

    async due(_scope, nowMs, limit) {
      // `campaigns_due` walks next_run_at in order; paused campaigns keep theirs but wait.
      const rows = await root
        .selectFrom('campaigns')
        .select(['project_id', 'workspace_id', 'id'])
        .where('next_run_at', '<=', nowMs)
        .where('state', 'in', ['scheduled', 'running'])
        .orderBy('next_run_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ projectId: Number(r.project_id), workspaceId: r.workspace_id, id: r.id }));
    },
    async runningWithoutNext(_scope, limit) {
      const rows = await root
        .selectFrom('campaigns')
        .select(['project_id', 'workspace_id', 'id'])
        .where('state', '=', 'running')
        .where('next_run_at', 'is', null)
        .limit(limit)
        .execute();
      return rows.map((r) => ({ projectId: Number(r.project_id), workspaceId: r.workspace_id, id: r.id }));
    },
    async fire(scope, campaign, run, nextRunAt, nowMs) {
      const moved = await q(scope)
        .updateTable('campaigns')
        .set({ state: 'running', next_run_at: nextRunAt, updated_at: nowMs })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', campaign.id)
        .where('state', 'in', ['scheduled', 'running'])
        .where('next_run_at', '=', run.scheduledFor)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await q(scope)
        .insertInto('campaign_runs')
        .values({
          id: run.id,
          project_id: scope.projectId,
          campaign_id: campaign.id,
          workspace_id: campaign.workspaceId,
          scheduled_for: run.scheduledFor,
          state: run.state,
          cursor: null,
          audience_size: null,
          reachable: null,
          error: null,
          lease_token: null,
          leased_until: null,
          leased_by: null,
          started_at: nowMs,
          updated_at: nowMs,
          finished_at: null,
        })
        .execute();
      return true;
    },

    async endListening(scope, campaignId, endAt, nowMs) {
      const moved = await q(scope)
        .updateTable('campaigns')
        .set({ next_run_at: null, updated_at: nowMs })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', campaignId)
        .where('next_run_at', '=', endAt)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      await q(scope)
        .updateTable('campaign_runs')
        .set({ state: 'delivering', updated_at: nowMs })
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId)
        .where('state', '=', 'listening')
        .execute();
      return true;
    },
    async listening(scope) {
      const rows = await q(scope)
        .selectFrom('campaign_runs as r')
        .innerJoin('campaigns as c', 'c.id', 'r.campaign_id')
        .selectAll('c')
        .select(['r.id as run_id', 'r.started_at as run_started_at'])
        .where('r.project_id', '=', scope.projectId)
        .where('c.project_id', '=', scope.projectId)
        .where('r.state', '=', 'listening')
        // Paused: events still fire, and the fires wait for Resume as queued messages do.
        .where('c.state', 'in', ['running', 'paused'])
        .execute();
      return rows.map((r) => ({
        campaign: toCampaign(r),
        runId: r.run_id,
        runStartedAt: Number(r.run_started_at),
      }));
    },
    async addRunCounts(scope, runId, c, nowMs) {
      await q(scope)
        .updateTable('campaign_runs')
        .set((eb) => ({
          processed: eb('processed', '+', c.processed),
          queued: eb('queued', '+', c.queued),
          skipped: eb('skipped', '+', c.skipped),
          suppressed: eb('suppressed', '+', c.suppressed),
          unsubscribed: eb('unsubscribed', '+', c.unsubscribed),
          capped: eb('capped', '+', c.capped),
          quiet: eb('quiet', '+', c.quiet),
          excluded: eb('excluded', '+', c.excluded),
          updated_at: nowMs,
        }))
        .where('project_id', '=', scope.projectId)
        .where('id', '=', runId)
        .execute();
    },

    async getRun(scope, campaignId, runId) {
      const row = await q(scope)
        .selectFrom('campaign_runs')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId)
        .where('id', '=', runId)
        .executeTakeFirst();
      return row && toRun(row);
    },
    async listRuns(scope, campaignId, page) {
      let query = q(scope)
        .selectFrom('campaign_runs')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId);
      if (page.after) query = query.where(olderThan('scheduled_for', page.after));
      const rows = await query
        .orderBy('scheduled_for', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .execute();
      return rows.map(toRun);
    },
    async runCounts(scope, campaignId, runIds) {
      const out = new Map<string, RunCounts>(runIds.map((id) => [id, emptyCounts()]));
      if (runIds.length === 0) return out;
      // `messages_campaign` (campaign_id, task_instance_id, state): an index-only count.
      const rows = await q(scope)
        .selectFrom('messages')
        .select(['task_instance_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId)
        .where('task_instance_id', 'in', runIds)
        .groupBy(['task_instance_id', 'state'])
        .execute();
      for (const r of rows) {
        const counts = out.get(r.task_instance_id);
        if (counts && r.state in counts) counts[r.state as MessageState] = Number(r.n);
      }
      return out;
    },
    async unfinished(scope, campaignId, runId) {
      const row = await q(scope)
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId)
        .where('task_instance_id', '=', runId)
        .where('state', 'in', unfinishedStates)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async setRunsState(scope, campaignId, from, to, nowMs) {
      const finished = to === 'stopped' || to === 'completed' || to === 'failed';
      const result = await q(scope)
        .updateTable('campaign_runs')
        .set({
          state: to,
          updated_at: nowMs,
          ...(to === 'rendering' ? { error: null } : {}),
          ...(finished ? { finished_at: nowMs, lease_token: null, leased_until: null, leased_by: null } : {}),
        })
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId)
        .where('state', 'in', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async hasRuns(scope, campaignId, states) {
      const row = await q(scope)
        .selectFrom('campaign_runs')
        .select('id')
        .where('project_id', '=', scope.projectId)
        .where('campaign_id', '=', campaignId)
        .where('state', 'in', states)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async claimRun(_scope, lease, nowMs) {
      // Optimistic: read a candidate, then take it with an update guarded by the lease it saw;
      // two workers racing for one run both read it, one update wins.
      for (let tries = 0; tries < 3; tries++) {
        const candidate = await root
          .selectFrom('campaign_runs')
          .select(['id', 'leased_until'])
          .where('state', '=', 'rendering')
          .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', nowMs)]))
          .orderBy('started_at')
          .limit(1)
          .executeTakeFirst();
        if (!candidate) return undefined;
        const result = await root
          .updateTable('campaign_runs')
          .set({
            lease_token: lease.token,
            leased_by: lease.by,
            leased_until: lease.untilMs,
            updated_at: nowMs,
          })
          .where('id', '=', candidate.id)
          .where('state', '=', 'rendering')
          .where((eb) =>
            candidate.leased_until === null
              ? eb('leased_until', 'is', null)
              : eb('leased_until', '=', candidate.leased_until),
          )
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) continue;
        const row = await root
          .selectFrom('campaign_runs')
          .selectAll()
          .where('id', '=', candidate.id)
          .executeTakeFirstOrThrow();
        return toRun(row);
      }
      return undefined;
    },
    async runsIn(_scope, state, limit) {
      const rows = await root
        .selectFrom('campaign_runs')
        .selectAll()
        .where('state', '=', state)
        .orderBy('started_at')
        .limit(limit)
        .execute();
      return rows.map(toRun);
    },
    async checkpoint(scope, runId, token, progress, leaseUntilMs, nowMs) {
      const result = await q(scope)
        .updateTable('campaign_runs')
        .set((eb) => ({
          cursor: progress.cursor,
          processed: eb('processed', '+', progress.processed),
          queued: eb('queued', '+', progress.queued),
          skipped: eb('skipped', '+', progress.skipped),
          suppressed: eb('suppressed', '+', progress.suppressed),
          unsubscribed: eb('unsubscribed', '+', progress.unsubscribed),
          capped: eb('capped', '+', progress.capped),
          quiet: eb('quiet', '+', progress.quiet),
          leased_until: leaseUntilMs,
          updated_at: nowMs,
        }))
        .where('project_id', '=', scope.projectId)
        .where('id', '=', runId)
        .where('lease_token', '=', token)
        .where('state', '=', 'rendering')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async sizeRun(scope, runId, token, size, reachable) {
      const result = await q(scope)
        .updateTable('campaign_runs')
        .set({ audience_size: size, reachable })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', runId)
        .where('lease_token', '=', token)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async finishRendering(scope, runId, token, to, error, nowMs) {
      const result = await q(scope)
        .updateTable('campaign_runs')
        .set({
          state: to,
          error,
          lease_token: null,
          leased_until: null,
          leased_by: null,
          updated_at: nowMs,
          ...(to === 'delivering' ? {} : { finished_at: nowMs }),
        })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', runId)
        .where('lease_token', '=', token)
        .where('state', '=', 'rendering')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async releaseRun(scope, runId, token) {
      await q(scope)
        .updateTable('campaign_runs')
        .set({ lease_token: null, leased_until: null, leased_by: null })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', runId)
        .where('lease_token', '=', token)
        .execute();
    },
    async blockRun(scope, runId, token, reason, nowMs) {
      const result = await q(scope)
        .updateTable('campaign_runs')
        .set({
          state: 'paused',
          error: reason,
          lease_token: null,
          leased_until: null,
          leased_by: null,
          updated_at: nowMs,
        })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', runId)
        .where('lease_token', '=', token)
        .where('state', '=', 'rendering')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async setRunState(scope, runId, from, to, nowMs) {
      let query = q(scope)
        .updateTable('campaign_runs')
        .set({
          state: to,
          updated_at: nowMs,
          ...(to === 'completed' || to === 'stopped' || to === 'failed' ? { finished_at: nowMs } : {}),
        })
        .where('id', '=', runId)
        .where('state', '=', from);
      if (scope.kind === 'project') query = query.where('project_id', '=', scope.projectId);
      return Number((await query.executeTakeFirst()).numUpdatedRows) > 0;
    },
  };
  return repo;
}

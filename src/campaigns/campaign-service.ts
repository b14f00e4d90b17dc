import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type Caller, type ProjectAccess, type WorkspaceGate } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import type { Permission } from '../access/permissions.ts';
import type { ProjectScope } from '../access/scope.ts';
import type { AudienceEvaluator } from '../audiences/audience-service.ts';
import type { Channel } from '../channels/model.ts';
import type { MessageValue } from '../channels/message.ts';
import { renderMessages } from '../channels/render-messages.ts';
import { checkVariables, type Variable, type VariableJson } from '../channels/variables.ts';
import { TouchpointError } from '../errors.ts';
import { Issues } from '../issues.ts';
import type { Repositories, Store } from '../store/store.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import type { CampaignStamp, CampaignWrite } from '../store/repositories/campaigns-repository.ts';
import {
  liveStates,
  transitions,
  type Campaign,
  type CampaignAction,
  type CampaignRun,
  type CampaignState,
  type ConversionGoal,
  type RunCounts,
} from './model.ts';
import { firstRunAt, parseTrigger, type CronOptions, type TriggerJson } from './schedule.ts';

/** What campaigns need of the channels module. */
export interface CampaignChannels {
  assertChannelUsable(
    user: { accountId: string; access: ProjectAccess },
    workspaceId: string,
    channelId: string,
  ): Promise<Channel>;
  checkTemplateValues(
    channel: Channel,
    values: Readonly<Record<string, unknown>>,
    pathPrefix?: string,
  ): Promise<Record<string, MessageValue>>;
}

/** What campaigns need of the audiences module. */
export interface CampaignAudiences {
  evaluator(scope: ProjectScope, workspaceId: string, id: string): Promise<AudienceEvaluator | undefined>;
}

/** A campaign as the API takes it (every field optional on PATCH). */
export interface CampaignInput {
  readonly name?: string;
  readonly description?: string | null;
  readonly audienceId?: string | null;
  readonly channelId?: string | null;
  readonly trigger?: TriggerJson;
  readonly templateValues?: Readonly<Record<string, unknown>>;
  readonly variables?: readonly VariableJson[];
  readonly conversion?: ConversionGoal | null;
  readonly frequencyCap?: Campaign['frequencyCap'];
  readonly quietHours?: Campaign['quietHours'];
}

export interface PreviewInput {
  readonly audienceId: string;
  readonly channelId: string;
  readonly templateValues: Readonly<Record<string, unknown>>;
  readonly variables: readonly VariableJson[];
  readonly limit: number;
}

export interface CampaignPreview {
  readonly estimate: { size: number; reachable: number | null; sendIdType: string };
  readonly recipients: readonly {
    readonly tpUid: string;
    readonly identities: readonly { type: string; value: string }[];
    readonly messages: readonly {
      pushId: string;
      params: Readonly<Record<string, unknown>>;
      customParams: Readonly<Record<string, unknown>>;
    }[];
  }[];
}

/** What an action needs (SPEC §1 closed list). */
export const actionPermission: Readonly<Record<CampaignAction, Permission>> = {
  submit: 'campaign.edit',
  approve: 'campaign.approve',
  reject: 'campaign.approve',
  publish: 'campaign.operate',
  pause: 'campaign.operate',
  resume: 'campaign.operate',
  stop: 'campaign.operate',
};

const auditAction: Readonly<Record<CampaignAction, string>> = {
  submit: 'campaign.submitted',
  approve: 'campaign.approved',
  reject: 'campaign.rejected',
  publish: 'campaign.published',
  pause: 'campaign.paused',
  resume: 'campaign.resumed',
  stop: 'campaign.stopped',
};

const editableStates: readonly CampaignState[] = ['draft'];
const deletableStates: readonly CampaignState[] = ['draft', 'completed', 'stopped'];
/** A time trigger may lie this far in the past at publish (clock skew, a slow click). */
const AT_PAST_GRACE_MS = 60_000;
/** Resumed messages are spread over this long so a long pause does not become one burst. */
const RESUME_SPREAD_MS = 1000;

/** A campaign's checked content: what a run renders with. */
export interface CheckedContent {
  readonly channel: Channel;
  readonly values: Record<string, MessageValue>;
  readonly variables: Variable[];
}

/**
 * Campaigns of a workspace (SPEC §5): drafts, the state machine with approval, and previews of
 * rendered messages. Runs are fired and rendered by {@link CampaignRunner} in the worker role.
 */
export class CampaignService {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #access: WorkspaceGate;
  readonly #channels: CampaignChannels;
  readonly #audiences: CampaignAudiences;
  readonly #cron: CronOptions;
  readonly #now: () => number;
  readonly #onPublished: (projectId: number, campaignId: string) => void;

  constructor(deps: {
    store: Store;
    audit: AuditLog;
    access: WorkspaceGate;
    channels: CampaignChannels;
    audiences: CampaignAudiences;
    cron: CronOptions;
    now?: () => number;
    /** Called after a publish or resume commits (wakes the scheduler in this process). */
    onPublished?: (projectId: number, campaignId: string) => void;
  }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#access = deps.access;
    this.#channels = deps.channels;
    this.#audiences = deps.audiences;
    this.#cron = deps.cron;
    this.#now = deps.now ?? Date.now;
    this.#onPublished = deps.onPublished ?? (() => {});
  }

  /** The actions `access` may take on `campaign` now (the console's buttons). */
  allowedActions(caller: Caller, access: ProjectAccess, campaign: Campaign): CampaignAction[] {
    return transitions[campaign.state].filter(
      (a) =>
        access.permissions.has(actionPermission[a]) &&
        !(a === 'approve' && campaign.submittedBy === caller.account.id),
    );
  }

  async list(
    access: ProjectAccess,
    workspaceId: string,
    filter: { states?: readonly CampaignState[] },
    page: PageRequest,
  ): Promise<Campaign[]> {
    await this.#access.requireWorkspace(access, workspaceId);
    return this.#store.campaigns.list(access.scope, workspaceId, filter, page);
  }

  async get(access: ProjectAccess, workspaceId: string, id: string): Promise<Campaign> {
    await this.#access.requireWorkspace(access, workspaceId);
    const campaign = await this.#store.campaigns.get(access.scope, workspaceId, id);
    if (!campaign) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'campaign' });
    return campaign;
  }

  async #zone(scope: ProjectScope): Promise<string> {
    return (await this.#store.projects.get(scope))?.timeZone ?? 'UTC';
  }

  /**
   * Checks what a campaign holds. A draft may be incomplete (no audience, channel or required
   * value yet); `complete` (submit, publish) requires everything. Whatever is given is checked
   * either way: the channel is usable by the caller here, values fit its fields, variables are
   * declared, the trigger parses.
   */
  async #check(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    c: CampaignWrite,
    complete: boolean,
  ): Promise<CheckedContent | undefined> {
    const issues = new Issues();
    // An event campaign sends to whoever did the event; an audience only narrows it.
    const byEvent = c.trigger.type === 'event';
    if (complete && c.audienceId === null && !byEvent)
      issues.add('/audience_id', 'required', 'is required to submit');
    if (complete && c.channelId === null) issues.add('/channel_id', 'required', 'is required to submit');
    if (c.audienceId !== null) {
      const audience = await this.#store.audiences.get(access.scope, workspaceId, c.audienceId);
      if (!audience) issues.add('/audience_id', 'not_found', 'names no audience of this workspace');
    }
    let checked: CheckedContent | undefined;
    if (c.channelId !== null) {
      const channel = await this.#channels.assertChannelUsable(
        { accountId: caller.account.id, access },
        workspaceId,
        c.channelId,
      );
      let values: Record<string, MessageValue> = {};
      try {
        values = await this.#channels.checkTemplateValues(channel, c.templateValues, '/template_values');
      } catch (error) {
        if (!(error instanceof TouchpointError) || error.code !== 'TP_ERR_VALIDATION') throw error;
        for (const issue of (error.details?.issues ?? []) as {
          path: string;
          rule: string;
          message: string;
        }[])
          if (complete || issue.rule !== 'required') issues.add(issue.path, issue.rule, issue.message);
      }
      const variables = checkVariables(
        c.variables,
        channel.config.template,
        c.templateValues,
        { eventSource: byEvent, valuesPrefix: '/template_values' },
        issues,
      );
      checked = { channel, values, variables };
    } else if (Object.keys(c.templateValues).length > 0 || c.variables.length > 0) {
      issues.add('/channel_id', 'required', 'is required with template_values or variables');
    }
    issues.throwIfAny();
    return checked;
  }

  #trigger(json: TriggerJson | undefined, timeZone: string): CampaignWrite['trigger'] {
    const issues = new Issues();
    const trigger = parseTrigger(json ?? { type: 'now' }, timeZone, this.#cron, issues);
    issues.throwIfAny();
    return trigger as CampaignWrite['trigger'];
  }

  #write(input: CampaignInput, base: CampaignWrite | undefined, timeZone: string): CampaignWrite {
    return {
      name: (input.name ?? base?.name ?? '').trim(),
      description: input.description !== undefined ? input.description : (base?.description ?? null),
      audienceId: input.audienceId !== undefined ? input.audienceId : (base?.audienceId ?? null),
      channelId: input.channelId !== undefined ? input.channelId : (base?.channelId ?? null),
      trigger:
        input.trigger !== undefined
          ? this.#trigger(input.trigger, timeZone)
          : (base?.trigger ?? { type: 'now' }),
      templateValues: input.templateValues ?? base?.templateValues ?? {},
      variables: input.variables ?? base?.variables ?? [],
      conversion: input.conversion !== undefined ? input.conversion : (base?.conversion ?? null),
      frequencyCap: input.frequencyCap !== undefined ? input.frequencyCap : (base?.frequencyCap ?? null),
      quietHours: input.quietHours ?? base?.quietHours ?? 'delay',
    };
  }

  async #record(
    tx: Repositories,
    caller: Caller,
    access: ProjectAccess,
    action: string,
    campaign: { id: string; name: string; workspaceId: string },
    details: Record<string, unknown> = {},
  ) {
    await this.#audit.record(
      access.scope,
      auditContextOf(caller),
      {
        action,
        target: { type: 'campaign', id: campaign.id, label: campaign.name },
        details: { workspace_id: campaign.workspaceId, ...details },
      },
      tx,
    );
  }

  async create(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    input: CampaignInput,
  ): Promise<Campaign> {
    await this.#access.requireWorkspace(access, workspaceId);
    const write = this.#write(input, undefined, await this.#zone(access.scope));
    await this.#check(caller, access, workspaceId, write, false);
    try {
      return await this.#store.transaction(async (tx) => {
        const campaign = await tx.campaigns.create(access.scope, {
          ...write,
          id: newId('cmp'),
          workspaceId,
          createdBy: caller.account.id,
          at: this.#now(),
        });
        await this.#record(tx, caller, access, 'campaign.created', campaign);
        return campaign;
      });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new TouchpointError('TP_ERR_CAMPAIGN_NAME_TAKEN');
      throw error;
    }
  }

  #stateError(campaign: Campaign, action: string): TouchpointError {
    const allowed = transitions[campaign.state];
    const what = action === 'edit' || action === 'delete' ? `${action} it` : action;
    return new TouchpointError(
      'TP_ERR_CAMPAIGN_STATE',
      { state: campaign.state, action, allowed },
      {
        message: `The campaign is ${campaign.state}: you cannot ${what} now. ${
          allowed.length > 0 ? `Allowed now: ${allowed.join(', ')}.` : 'No action is allowed any more.'
        }${action === 'edit' ? ' Only a draft can be edited (a rejected campaign returns to draft).' : ''}`,
      },
    );
  }

  async update(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    id: string,
    input: CampaignInput,
  ): Promise<Campaign> {
    const existing = await this.get(access, workspaceId, id);
    if (!editableStates.includes(existing.state)) throw this.#stateError(existing, 'edit');
    const write = this.#write(input, existing, await this.#zone(access.scope));
    await this.#check(caller, access, workspaceId, write, false);
    try {
      await this.#store.transaction(async (tx) => {
        if (!(await tx.campaigns.update(access.scope, id, editableStates, write, this.#now())))
          throw this.#stateError((await tx.campaigns.get(access.scope, workspaceId, id)) ?? existing, 'edit');
        await this.#record(tx, caller, access, 'campaign.updated', existing, {
          fields: Object.keys(input).sort(),
        });
      });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new TouchpointError('TP_ERR_CAMPAIGN_NAME_TAKEN');
      throw error;
    }
    return this.get(access, workspaceId, id);
  }

  async delete(caller: Caller, access: ProjectAccess, workspaceId: string, id: string): Promise<void> {
    const existing = await this.get(access, workspaceId, id);
    if (!deletableStates.includes(existing.state)) throw this.#stateError(existing, 'delete');
    await this.#store.transaction(async (tx) => {
      if (!(await tx.campaigns.delete(access.scope, id, deletableStates)))
        throw this.#stateError(existing, 'delete');
      await this.#record(tx, caller, access, 'campaign.deleted', existing);
    });
  }

  /**
   * One step of the state machine. Each checks the state it starts from inside the transaction
   * that changes it (a concurrent action loses with TP_ERR_CAMPAIGN_STATE) and is audited.
   */
  async act(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    id: string,
    action: CampaignAction,
    options: { reason?: string } = {},
  ): Promise<Campaign> {
    const campaign = await this.get(access, workspaceId, id);
    if (!transitions[campaign.state].includes(action)) throw this.#stateError(campaign, action);
    if (!access.permissions.has(actionPermission[action]))
      throw new TouchpointError('TP_ERR_FORBIDDEN', { permission: actionPermission[action] });
    const now = this.#now();
    const scope = access.scope;
    let to: CampaignState;
    let stamp: CampaignStamp = {};
    let details: Record<string, unknown> = {};
    let messages: 'hold' | 'release' | 'cancel' | undefined;
    switch (action) {
      case 'submit': {
        await this.#check(caller, access, workspaceId, campaign, true);
        const workspace = await this.#store.projects.getWorkspace(scope, workspaceId);
        to = workspace?.requireApproval ? 'pending_approval' : 'pending_publish';
        stamp = {
          submittedBy: caller.account.id,
          submittedAt: now,
          rejection: null,
          approvedBy: null,
          approvedAt: null,
        };
        break;
      }
      case 'approve':
        if (campaign.submittedBy === caller.account.id)
          throw new TouchpointError('TP_ERR_CAMPAIGN_SELF_APPROVAL');
        to = 'pending_publish';
        stamp = { approvedBy: caller.account.id, approvedAt: now };
        break;
      case 'reject': {
        const reason = (options.reason ?? '').trim();
        if (reason === '') {
          const issues = new Issues();
          issues.add('/reason', 'required', 'say why, so the author knows what to change');
          issues.throwIfAny();
        }
        to = 'draft';
        stamp = { rejection: { by: caller.account.id, at: now, reason } };
        details = { reason };
        break;
      }
      case 'publish': {
        await this.#check(caller, access, workspaceId, campaign, true);
        const next = firstRunAt(campaign.trigger, now, await this.#zone(scope), this.#cron);
        const issues = new Issues();
        if (campaign.trigger.type === 'at' && campaign.trigger.at < now - AT_PAST_GRACE_MS)
          issues.add('/trigger/at', 'past', 'is in the past; choose a later time or send now');
        if (next === null) issues.add('/trigger', 'never', 'has no run left (past its end)');
        issues.throwIfAny();
        to = 'scheduled';
        stamp = { nextRunAt: next, publishedBy: caller.account.id, publishedAt: now };
        details = { next_run_at: next === null ? null : new Date(next).toISOString() };
        break;
      }
      case 'pause':
        to = 'paused';
        messages = 'hold';
        break;
      case 'resume':
        to = (await this.#store.campaigns.hasRuns(scope, id, [
          'rendering',
          'listening',
          'paused',
          'delivering',
          'completed',
        ]))
          ? 'running'
          : 'scheduled';
        messages = 'release';
        break;
      case 'stop':
        to = 'stopped';
        stamp = { nextRunAt: null };
        messages = 'cancel';
        break;
    }
    await this.#store.transaction(async (tx) => {
      // The campaign row first: it serializes with a run's checkpoint, which re-reads the run.
      if (!(await tx.campaigns.transition(scope, id, [campaign.state], to, stamp, now)))
        throw this.#stateError((await tx.campaigns.get(scope, workspaceId, id)) ?? campaign, action);
      if (action === 'pause') await tx.campaigns.setRunsState(scope, id, ['rendering'], 'paused', now);
      if (action === 'resume') await tx.campaigns.setRunsState(scope, id, ['paused'], 'rendering', now);
      if (action === 'stop') {
        await tx.campaigns.setRunsState(
          scope,
          id,
          ['rendering', 'listening', 'paused', 'delivering'],
          'stopped',
          now,
        );
        details = { ...details, fires_cancelled: await tx.fires.cancel(scope, id, now) };
      }
      if (messages)
        details = {
          ...details,
          messages: await tx.delivery.campaignMessages(scope, id, messages, {
            nowMs: now,
            spreadMs: RESUME_SPREAD_MS,
          }),
        };
      await this.#record(tx, caller, access, auditAction[action], campaign, {
        from: campaign.state,
        to,
        ...details,
      });
    });
    if (action === 'publish' || action === 'resume') this.#onPublished(scope.projectId, id);
    return this.get(access, workspaceId, id);
  }

  async runs(
    access: ProjectAccess,
    workspaceId: string,
    campaignId: string,
    page: PageRequest,
  ): Promise<{ run: CampaignRun; counts: RunCounts }[]> {
    await this.get(access, workspaceId, campaignId);
    const runs = await this.#store.campaigns.listRuns(access.scope, campaignId, page);
    const counts = await this.#store.campaigns.runCounts(
      access.scope,
      campaignId,
      runs.map((r) => r.id),
    );
    return runs.map((run) => ({ run, counts: counts.get(run.id) as RunCounts }));
  }

  async run(
    access: ProjectAccess,
    workspaceId: string,
    campaignId: string,
    runId: string,
  ): Promise<{ run: CampaignRun; counts: RunCounts }> {
    await this.get(access, workspaceId, campaignId);
    const run = await this.#store.campaigns.getRun(access.scope, campaignId, runId);
    if (!run) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'run' });
    const counts = await this.#store.campaigns.runCounts(access.scope, campaignId, [runId]);
    return { run, counts: counts.get(runId) as RunCounts };
  }

  /**
   * The first `limit` recipients of an audience with the messages the campaign would send them,
   * rendered exactly as a run renders them (ids aside): the check before launch.
   */
  async preview(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    input: PreviewInput,
  ): Promise<CampaignPreview> {
    await this.#access.requireWorkspace(access, workspaceId);
    const checked = (await this.#check(
      caller,
      access,
      workspaceId,
      {
        name: '',
        description: null,
        audienceId: input.audienceId,
        channelId: input.channelId,
        trigger: { type: 'now' },
        templateValues: input.templateValues,
        variables: input.variables,
        conversion: null,
        frequencyCap: null,
        quietHours: 'delay',
      },
      true,
    )) as CheckedContent;
    const evaluator = await this.#audiences.evaluator(access.scope, workspaceId, input.audienceId);
    if (!evaluator) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'audience' });
    const sendIdType = checked.channel.config.sendIdType;
    const estimate = await evaluator.estimate(sendIdType);
    const first = await evaluator.pages({ after: null, sendIdType, pageSize: input.limit }).next();
    const ids = first.done ? [] : first.value.slice(0, input.limit);
    const profiles = await this.#store.profiles.getProfiles(access.scope, ids);
    const timeZone = await this.#zone(access.scope);
    const byId = new Map(profiles.map((p) => [p.tpUid, p]));
    const recipients: CampaignPreview['recipients'][number][] = [];
    for (const tpUid of ids) {
      const profile = byId.get(tpUid);
      if (!profile) continue;
      const rendered = renderMessages(
        {
          channel: checked.channel.config,
          values: checked.values,
          variables: checked.variables,
          timeZone,
          receipt: { taskId: 'preview', taskInstanceId: 'preview', projectId: access.scope.projectId },
          newRequestId: randomUUID,
        },
        { identities: profile.identities, properties: profile.properties },
      );
      recipients.push({
        tpUid,
        identities: profile.identities,
        messages: rendered.map((m) => ({
          pushId: String(m.pushId),
          params: m.params as Record<string, unknown>,
          customParams: m.customParams as Record<string, unknown>,
        })),
      });
    }
    return { estimate: { ...estimate, sendIdType }, recipients };
  }
}

/** The channels module's in-use interface: live campaigns keep their channel enabled. */
export function campaignChannelUsage(store: Store) {
  return {
    blockingCampaigns: (scope: ProjectScope, channelId: string) =>
      store.campaigns.using(scope, { channelId }, liveStates),
  };
}

/** The audiences module's in-use interface: live campaigns keep their audience. */
export function campaignAudienceUsage(store: Store) {
  return {
    usedBy: (scope: ProjectScope, audienceId: string) =>
      store.campaigns.using(scope, { audienceId }, liveStates),
  };
}

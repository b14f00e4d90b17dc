import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AuditLog } from '../access/audit-log.ts';
import type { AuditContext } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import { projectScope, systemScope, type ProjectScope } from '../access/scope.ts';
import type { Channel } from '../channels/model.ts';
import type { MessageValue } from '../channels/message.ts';
import { renderMessages, type RenderPlan } from '../channels/render-messages.ts';
import { checkVariables } from '../channels/variables.ts';
import type { NewMessage } from '../delivery/model.ts';
import { TouchpointError } from '../errors.ts';
import { Issues } from '../issues.ts';
import type { Logger } from '../observability/logger.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { CampaignAudiences } from './campaign-service.ts';
import type { SendGate } from './consent-service.ts';
import type { Campaign, CampaignRun } from './model.ts';
import { nextRunAfter, type CronOptions } from './schedule.ts';

export interface CampaignRunnerOptions {
  /** How long a renderer owns a run without checkpointing before another worker may take it. */
  readonly leaseMs: number;
  /** Idle pause between looks for due campaigns. */
  readonly pollMs: number;
  /** Members rendered per transaction: the checkpoint granularity. */
  readonly pageSize?: number;
  readonly cron: CronOptions;
}

/** What the runner needs of the channels module at render time. */
export interface RunnerChannels {
  checkTemplateValues(
    channel: Channel,
    values: Readonly<Record<string, unknown>>,
    pathPrefix?: string,
  ): Promise<Record<string, MessageValue>>;
}

/**
 * Iterates `pages` with the next page already requested while the caller handles the current
 * one, so on PostgreSQL reading page n+1 overlaps writing page n (SQLite's one connection runs
 * them in turn). A page read that fails after the caller stopped is ignored.
 */
async function* prefetched<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = pages.next();
      next.catch(() => {});
      yield result.value;
    }
  } finally {
    await next.catch(() => {});
    await pages.return(undefined);
  }
}

/** Why a run cannot render now; it pauses with this text until an operator resumes it. */
export class RunBlocked extends Error {}
/** The run's lease was taken over or the run left `rendering` (paused, stopped) meanwhile. */
class RunLost extends Error {}

/**
 * What every message of a campaign run is rendered with, as of now: the channel (still enabled
 * and authorized to the workspace) and the template values and variables checked against it
 * again. Throws {@link RunBlocked} with the reason an operator reads when it cannot render.
 */
export async function campaignPlan(
  store: Store,
  channels: RunnerChannels,
  scope: ProjectScope,
  campaign: Campaign,
  runId: string,
): Promise<RenderPlan> {
  if (campaign.channelId === null) throw new RunBlocked('The campaign has no channel.');
  const channel = await store.channels.get(scope, campaign.channelId);
  if (!channel) throw new RunBlocked('The channel was deleted; stop the campaign.');
  if (channel.status !== 'enabled')
    throw new RunBlocked(`The channel "${channel.name}" is disabled; enable it and resume.`);
  if (!channel.workspaceIds.includes(campaign.workspaceId))
    throw new RunBlocked(
      `The channel "${channel.name}" is no longer authorized to this workspace; authorize it and resume.`,
    );
  let values: Record<string, MessageValue>;
  try {
    // Enum codes from a URL's options are checked again at render: the list may have changed.
    values = await channels.checkTemplateValues(channel, campaign.templateValues, '/template_values');
  } catch (error) {
    if (error instanceof TouchpointError && error.code === 'TP_ERR_VALIDATION')
      throw new RunBlocked(`The template values no longer fit the channel: ${error.message}`);
    throw error;
  }
  const issues = new Issues();
  const variables = checkVariables(
    campaign.variables,
    channel.config.template,
    campaign.templateValues,
    { eventSource: campaign.trigger.type === 'event' },
    issues,
  );
  if (issues.list.length > 0)
    throw new RunBlocked(
      `The variables no longer fit the channel: ${issues.list.map((i) => `${i.path} ${i.message}`).join('; ')}`,
    );
  return {
    channel: channel.config,
    values,
    variables,
    timeZone: (await store.projects.get(scope))?.timeZone ?? 'UTC',
    receipt: { taskId: campaign.id, taskInstanceId: runId, projectId: scope.projectId },
  };
}

/**
 * Pauses a running campaign that cannot render (its channel disabled, say), holding its queued
 * messages, audited with the reason; inside the caller's transaction.
 */
export async function pauseForReason(
  tx: Repositories,
  audit: AuditLog,
  scope: ProjectScope,
  run: { readonly id: string; readonly workspaceId: string; readonly campaignId: string },
  reason: string,
  now: number,
): Promise<boolean> {
  const campaign = await tx.campaigns.get(scope, run.workspaceId, run.campaignId);
  if (!campaign || !(await tx.campaigns.transition(scope, campaign.id, ['running'], 'paused', {}, now)))
    return false;
  await tx.delivery.campaignMessages(scope, campaign.id, 'hold', { nowMs: now });
  await audit.record(
    scope,
    scheduler,
    {
      action: 'campaign.paused',
      target: { type: 'campaign', id: campaign.id, label: campaign.name },
      details: { workspace_id: campaign.workspaceId, run_id: run.id, from: 'running', to: 'paused', reason },
    },
    tx,
  );
  return true;
}

export const scheduler: AuditContext = {
  actor: { type: 'system', id: 'campaign-scheduler', label: 'campaign scheduler' },
  ip: null,
  requestId: null,
};

/**
 * The campaign scheduler of the worker role (SPEC §5). Each pass:
 * 1. **fires** due campaigns: a run (task instance) per due time, once however many workers see
 *    it (the update of `next_run_at` is guarded by the value read, and `(campaign, scheduled_for)`
 *    is unique); a recurring campaign's next time is computed from now, so runs missed during
 *    downtime fire once;
 * 2. **renders** one run at a time under a lease: members in tp_uid order, a page per
 *    transaction holding the page's messages and the run's checkpoint, so `kill -9` resumes after
 *    the last committed page with neither gap nor duplicate; the channel and the values are
 *    checked again, and a run that cannot render pauses its campaign with the reason;
 * 3. **completes** runs whose messages are all finished, and campaigns with no run left.
 */
export class CampaignRunner {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #channels: RunnerChannels;
  readonly #audiences: CampaignAudiences;
  readonly #logger: Logger;
  readonly #options: Required<CampaignRunnerOptions>;
  readonly #now: () => number;
  readonly #onEnqueued: (projectId: number, messages: number) => void;
  readonly #gate: SendGate;
  readonly #worker = `${hostname()}:${process.pid}`;

  constructor(deps: {
    store: Store;
    audit: AuditLog;
    channels: RunnerChannels;
    audiences: CampaignAudiences;
    gate: SendGate;
    logger: Logger;
    options: CampaignRunnerOptions;
    now?: () => number;
    /** Called after each page commits (wakes the dispatcher in this process). */
    onEnqueued?: (projectId: number, messages: number) => void;
  }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#channels = deps.channels;
    this.#audiences = deps.audiences;
    this.#gate = deps.gate;
    this.#logger = deps.logger;
    this.#options = { pageSize: 2000, ...deps.options };
    this.#now = deps.now ?? Date.now;
    this.#onEnqueued = deps.onEnqueued ?? (() => {});
  }

  job(): BackgroundJob {
    return {
      name: 'campaigns',
      intervalMs: this.#options.pollMs,
      run: async (signal) => {
        const fired = await this.fireDue();
        const rendered = await this.renderNext(signal);
        await this.completeRuns();
        return { more: fired > 0 || rendered };
      },
    };
  }

  async #zone(scope: ProjectScope): Promise<string> {
    return (await this.#store.projects.get(scope))?.timeZone ?? 'UTC';
  }

  /** Fires every due campaign; answers how many runs this worker fired. */
  async fireDue(): Promise<number> {
    const now = this.#now();
    const due = await this.#store.campaigns.due(
      systemScope('the campaign scheduler finds due campaigns'),
      now,
      100,
    );
    let fired = 0;
    for (const { projectId, workspaceId, id } of due) {
      const scope = projectScope(projectId);
      const campaign = await this.#store.campaigns.get(scope, workspaceId, id);
      if (!campaign || campaign.nextRunAt === null || campaign.nextRunAt > now) continue;
      const byEvent = campaign.trigger.type === 'event';
      if (byEvent && campaign.state === 'running') {
        // The listening window ended: the run delivers what it fired, then completes.
        if (await this.#store.campaigns.endListening(scope, campaign.id, campaign.nextRunAt, now))
          this.#logger.info({ campaignId: campaign.id }, 'event campaign stopped listening (end reached)');
        continue;
      }
      // An event campaign fires once, into a run that listens until the trigger's end.
      const next =
        campaign.trigger.type === 'event'
          ? campaign.trigger.endAt
          : nextRunAfter(campaign.trigger, now, await this.#zone(scope), this.#options.cron);
      const runId = newId('run');
      const won = await this.#store.transaction(async (tx) => {
        if (
          !(await tx.campaigns.fire(
            scope,
            campaign,
            {
              id: runId,
              scheduledFor: campaign.nextRunAt as number,
              state: byEvent ? 'listening' : 'rendering',
            },
            next,
            now,
          ))
        )
          return false;
        await this.#audit.record(
          scope,
          scheduler,
          {
            action: 'campaign.run_fired',
            target: { type: 'campaign', id: campaign.id, label: campaign.name },
            details: {
              workspace_id: campaign.workspaceId,
              run_id: runId,
              from: campaign.state,
              to: 'running',
              scheduled_for: new Date(campaign.nextRunAt as number).toISOString(),
              next_run_at: next === null ? null : new Date(next).toISOString(),
            },
          },
          tx,
        );
        return true;
      });
      if (won) fired++;
    }
    return fired;
  }

  /** Claims one run to render and renders it to the end (or until stopped); false when none. */
  async renderNext(signal: AbortSignal): Promise<boolean> {
    const token = randomUUID();
    const run = await this.#store.campaigns.claimRun(
      systemScope('the campaign runner claims a run to render'),
      { token, by: this.#worker, untilMs: this.#now() + this.#options.leaseMs },
      this.#now(),
    );
    if (!run) return false;
    const scope = projectScope(run.projectId);
    try {
      await this.#render(scope, run, token, signal);
    } catch (error) {
      if (error instanceof RunLost) return true;
      if (error instanceof RunBlocked) {
        await this.#block(scope, run, token, error.message);
        return true;
      }
      // Anything else (the database away): the lease expires and a worker takes the run again.
      throw error;
    }
    return true;
  }

  async #render(scope: ProjectScope, run: CampaignRun, token: string, signal: AbortSignal): Promise<void> {
    const campaign = await this.#store.campaigns.get(scope, run.workspaceId, run.campaignId);
    if (!campaign) throw new RunLost();
    const plan = await this.#plan(scope, campaign, run);
    const evaluator = await this.#audiences.evaluator(
      scope,
      campaign.workspaceId,
      campaign.audienceId as string,
    );
    if (!evaluator)
      throw new RunBlocked('The audience was deleted; choose another audience or stop the campaign.');
    const sendIdType = plan.channel.sendIdType;
    if (run.audienceSize === null) {
      const { size, reachable } = await evaluator.estimate(sendIdType);
      await this.#store.campaigns.sizeRun(scope, run.id, token, size, reachable ?? size);
    }
    for await (const page of prefetched(
      evaluator.profilePages({ after: run.cursor, sendIdType, pageSize: this.#options.pageSize }),
    )) {
      const messages: NewMessage[] = [];
      let skipped = 0;
      const gated = { suppressed: 0, unsubscribed: 0, capped: 0, quiet: 0 };
      const verdicts = await this.#gate.check(
        scope,
        {
          channelId: campaign.channelId as string,
          campaign: {
            campaignId: campaign.id,
            frequencyCap: campaign.frequencyCap,
            quietHours: campaign.quietHours,
          },
        },
        page,
        { from: page[0]?.tpUid as string, through: page[page.length - 1]?.tpUid as string },
      );
      for (const member of page) {
        const skip = verdicts.skip.get(member.tpUid);
        if (skip) {
          gated[skip === 'frequency_capped' ? 'capped' : skip === 'quiet_hours' ? 'quiet' : skip]++;
          continue;
        }
        const rendered = renderMessages(plan, member);
        if (rendered.length === 0) skipped++;
        for (const m of rendered)
          messages.push({
            projectId: scope.projectId,
            channelId: campaign.channelId as string,
            opsRequestId: m.receipt.requestId,
            pushId: String(m.pushId),
            tpUid: member.tpUid,
            workspaceId: campaign.workspaceId,
            sendId: null,
            campaignId: campaign.id,
            taskId: campaign.id,
            taskInstanceId: run.id,
            params: m.params as NewMessage['params'],
            customParams: m.customParams as NewMessage['customParams'],
            dueAt: verdicts.dueAt.get(member.tpUid) ?? null,
          });
      }
      const now = this.#now();
      await this.#store.transaction(async (tx) => {
        // The run row first: a concurrent pause or stop waits for this page, or this page sees
        // the run left `rendering` and rolls back.
        const progress = {
          cursor: page[page.length - 1]?.tpUid as string,
          processed:
            page.length - skipped - gated.suppressed - gated.unsubscribed - gated.capped - gated.quiet,
          queued: messages.length,
          skipped,
          ...gated,
        };
        if (
          !(await tx.campaigns.checkpoint(scope, run.id, token, progress, now + this.#options.leaseMs, now))
        )
          throw new RunLost();
        await tx.delivery.enqueue(scope, messages, now);
      });
      if (messages.length > 0) this.#onEnqueued(scope.projectId, messages.length);
      // Stop between pages: the next start (or another worker, after the lease) resumes here.
      if (signal.aborted) {
        await this.#store.campaigns.releaseRun(scope, run.id, token);
        return;
      }
    }
    if (!(await this.#store.campaigns.finishRendering(scope, run.id, token, 'delivering', null, this.#now())))
      throw new RunLost();
    this.#logger.info({ campaignId: campaign.id, runId: run.id }, 'campaign run rendered');
  }

  /** The channel and values as of now: a run renders only with a usable channel. */
  async #plan(scope: ProjectScope, campaign: Campaign, run: CampaignRun): Promise<RenderPlan> {
    if (campaign.audienceId === null) throw new RunBlocked('The campaign has no channel or audience.');
    return campaignPlan(this.#store, this.#channels, scope, campaign, run.id);
  }

  /** A run that cannot render pauses with its campaign; Resume tries again from its checkpoint. */
  async #block(scope: ProjectScope, run: CampaignRun, token: string, reason: string): Promise<void> {
    const now = this.#now();
    await this.#store.transaction(async (tx) => {
      if (!(await tx.campaigns.blockRun(scope, run.id, token, reason, now))) return;
      await pauseForReason(tx, this.#audit, scope, run, reason, now);
    });
    this.#logger.warn(
      { campaignId: run.campaignId, runId: run.id, reason },
      'campaign run paused: cannot render',
    );
  }

  /** Completes delivered runs, then running campaigns with no run left to fire or finish. */
  async completeRuns(): Promise<number> {
    const runs = await this.#store.campaigns.runsIn(
      systemScope('the campaign runner finds runs still delivering'),
      'delivering',
      200,
    );
    let completed = 0;
    for (const run of runs) {
      const scope = projectScope(run.projectId);
      if ((await this.#store.campaigns.unfinished(scope, run.campaignId, run.id)) > 0) continue;
      if ((await this.#store.fires.pending(scope, run.id)) > 0) continue;
      if (await this.#store.campaigns.setRunState(scope, run.id, 'delivering', 'completed', this.#now()))
        completed++;
    }
    const finishing = await this.#store.campaigns.runningWithoutNext(
      systemScope('the campaign runner finds campaigns with no run left'),
      200,
    );
    for (const { projectId, workspaceId, id } of finishing) {
      const scope = projectScope(projectId);
      const now = this.#now();
      await this.#store.transaction(async (tx) => {
        if (await tx.campaigns.hasRuns(scope, id, ['rendering', 'listening', 'paused', 'delivering'])) return;
        const campaign = await tx.campaigns.get(scope, workspaceId, id);
        if (!campaign || campaign.state !== 'running' || campaign.nextRunAt !== null) return;
        if (!(await tx.campaigns.transition(scope, id, ['running'], 'completed', {}, now))) return;
        await this.#audit.record(
          scope,
          scheduler,
          {
            action: 'campaign.completed',
            target: { type: 'campaign', id, label: campaign.name },
            details: { workspace_id: workspaceId, from: 'running', to: 'completed' },
          },
          tx,
        );
      });
    }
    return completed;
  }
}

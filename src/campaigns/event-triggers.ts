import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../access/audit-log.ts';
import { newId } from '../access/ids.ts';
import { projectScope, systemScope, type ProjectScope } from '../access/scope.ts';
import type { PropertyPredicate } from '../audiences/model.ts';
import { parseEventFilters } from '../audiences/parse-conditions.ts';
import { renderMessages, type RenderPlan } from '../channels/render-messages.ts';
import type { NewMessage } from '../delivery/model.ts';
import type { Logger } from '../observability/logger.ts';
import type { ProfileEvent } from '../store/repositories/profiles-repository.ts';
import type { Fire, FireOutcome, NewFire } from '../store/repositories/campaign-fires-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import { campaignPlan, pauseForReason, RunBlocked, type RunnerChannels } from './campaign-runner.ts';
import type { CampaignAudiences } from './campaign-service.ts';
import type { SendGate } from './consent-service.ts';
import { matchesAll } from './event-match.ts';
import type { Campaign, EventTrigger } from './model.ts';

export interface EventTriggerOptions {
  /** How long a worker holds claimed fires before another may take them. */
  readonly leaseMs: number;
  /** Idle pause between looks for due fires (another process's fires, delays ending). */
  readonly pollMs: number;
  /** Fires claimed per transaction. */
  readonly batchSize?: number;
}

/** Why a fire sent nothing (the run counts them: `excluded` for the first three). */
type FireSkip =
  | 'no_profile'
  | 'not_in_audience'
  | 'unless_event'
  | 'no_send_id'
  | 'suppressed'
  | 'unsubscribed'
  | 'frequency_capped'
  | 'quiet_hours';

const MINUTE = 60_000;

/** The lease was taken over while rendering: the transaction rolls back; the fires go again. */
class LeaseLost extends Error {}

const same = (a: unknown, b: unknown) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/**
 * Event-triggered campaigns (SPEC §5 "behavior event"; issue 20 item 1), in two halves:
 *
 * - **match** runs inside the profile applier's window transaction: each event of the window that
 *   matches a listening campaign (name, property filters, received while it listens) becomes a
 *   *fire* row for the event's profile, due after the campaign's delay (and after the "unless"
 *   wait). The applier's cursor moves in the same transaction, so an event fires a campaign once
 *   whatever crashes; it works from the committed log, so API and worker may be separate
 *   processes.
 * - **send** is a worker job: it leases due fires, checks the audience (when the campaign has
 *   one) and the "unless" event, passes the rest through the send gate, renders with the
 *   triggering event's properties as `event.<property>` variables, and commits the messages and
 *   the fires' outcomes together — so each fire yields its messages exactly once, even after
 *   `kill -9`.
 */
export class EventTriggers {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #channels: RunnerChannels;
  readonly #audiences: CampaignAudiences;
  readonly #gate: SendGate;
  readonly #logger: Logger;
  readonly #options: Required<EventTriggerOptions>;
  readonly #now: () => number;
  readonly #onEnqueued: (projectId: number, messages: number) => void;
  readonly #killBeforeCommit: number;
  #commits = 0;

  constructor(deps: {
    store: Store;
    audit: AuditLog;
    channels: RunnerChannels;
    audiences: CampaignAudiences;
    gate: SendGate;
    logger: Logger;
    options: EventTriggerOptions;
    now?: () => number;
    /** Called after fires' messages commit (wakes the dispatcher in this process). */
    onEnqueued?: (projectId: number, messages: number) => void;
    /** Test fault: SIGKILL inside the n-th sending transaction, before its commit (0: never). */
    killBeforeCommit?: number;
  }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#channels = deps.channels;
    this.#audiences = deps.audiences;
    this.#gate = deps.gate;
    this.#logger = deps.logger;
    this.#options = { batchSize: 500, ...deps.options };
    this.#now = deps.now ?? Date.now;
    this.#onEnqueued = deps.onEnqueued ?? (() => {});
    this.#killBeforeCommit = deps.killBeforeCommit ?? 0;
  }

  /**
   * Records the fires of one applied window (the profile applier's `onWindow`, in its
   * transaction); answers how many. `ownerOf` names the profile each event ended in.
   */
  async match(
    tx: Repositories,
    scope: ProjectScope,
    events: readonly ProfileEvent[],
    ownerOf: (eventId: number) => string | undefined,
  ): Promise<number> {
    const listening = await tx.campaigns.listening(scope);
    if (listening.length === 0) return 0;
    const now = this.#now();
    const timeZone = (await tx.projects.get(scope))?.timeZone ?? 'UTC';
    const fires: NewFire[] = [];
    for (const { campaign, runId, runStartedAt } of listening) {
      const trigger = campaign.trigger as EventTrigger;
      let filters: PropertyPredicate[];
      try {
        filters = parseEventFilters(trigger.filters, { timeZone, now }, '/trigger/filters');
      } catch (error) {
        // Checked at save; a filter that no longer parses matches nothing rather than everything.
        this.#logger.warn({ campaignId: campaign.id, err: error }, 'event trigger filters do not parse');
        continue;
      }
      for (const event of events) {
        if (event.eventName !== trigger.event) continue;
        // Only events received while the campaign listens: history ingested late never fires.
        if (event.receivedAt < runStartedAt) continue;
        if (trigger.endAt !== null && event.receivedAt >= trigger.endAt) continue;
        const tpUid = ownerOf(event.id);
        if (tpUid === undefined) continue;
        if (!matchesAll(event.properties, filters)) continue;
        const unlessWait = trigger.unless ? event.eventTime + trigger.unless.withinMinutes * MINUTE : 0;
        fires.push({
          id: newId('fire'),
          campaignId: campaign.id,
          workspaceId: campaign.workspaceId,
          runId,
          eventId: event.id,
          tpUid,
          eventTime: event.eventTime,
          receivedAt: event.receivedAt,
          eventProperties: event.properties,
          dueAt: Math.max(event.receivedAt + trigger.delayMinutes * MINUTE, unlessWait),
        });
      }
    }
    if (fires.length === 0) return 0;
    return tx.fires.record(scope, fires, now);
  }

  job(): BackgroundJob {
    return {
      name: 'campaign-triggers',
      intervalMs: this.#options.pollMs,
      run: async (signal) => {
        let handled = 0;
        for (;;) {
          if (signal.aborted) return;
          const n = await this.sendDue();
          handled += n;
          if (n === 0) return { more: false };
          if (handled >= this.#options.batchSize * 20) return { more: true };
        }
      },
    };
  }

  /**
   * Sends one batch of due fires; answers how many fires it claimed. `asOf` takes fires due by
   * then (tests move past a delay with it).
   */
  async sendDue(asOf?: number): Promise<number> {
    const token = randomUUID();
    const now = this.#now();
    const fires = await this.#store.fires.claimDue(
      systemScope('the event-trigger worker claims due fires'),
      { token, untilMs: now + this.#options.leaseMs },
      asOf ?? now,
      this.#options.batchSize,
    );
    const byCampaign = new Map<string, Fire[]>();
    for (const f of fires) {
      const list = byCampaign.get(f.campaignId) ?? [];
      list.push(f);
      byCampaign.set(f.campaignId, list);
    }
    for (const list of byCampaign.values()) {
      const scope = projectScope((list[0] as Fire).projectId);
      try {
        await this.#sendCampaign(scope, list, token);
      } catch (error) {
        if (!(error instanceof LeaseLost)) throw error;
      }
    }
    return fires.length;
  }

  async #sendCampaign(scope: ProjectScope, claimed: Fire[], token: string): Promise<void> {
    const first = claimed[0] as Fire;
    const campaign = await this.#store.campaigns.get(scope, first.workspaceId, first.campaignId);
    if (!campaign || campaign.state === 'stopped' || campaign.state === 'completed') {
      await this.#commit(
        scope,
        token,
        first,
        claimed.map((f) => skipOutcome(f, 'cancelled')),
        [],
        zero(),
      );
      return;
    }
    if (campaign.state !== 'running') {
      await this.#store.fires.release(
        scope,
        token,
        claimed.map((f) => f.id),
      );
      return;
    }
    const fires = [...claimed];

    const trigger = campaign.trigger as EventTrigger;
    if (trigger.unless) {
      // The "unless" event must have been applied to profiles before the wait is judged over.
      const backlog = await this.#store.profiles.backlog(scope);
      const waiting = fires.filter(
        (f) => backlog.oldestReceivedAt !== null && backlog.oldestReceivedAt <= f.dueAt,
      );
      if (waiting.length > 0) {
        // Looked at again in a second, not in a busy loop.
        await this.#store.fires.release(
          scope,
          token,
          waiting.map((f) => f.id),
          this.#now() + 1000,
        );
        fires.splice(0, fires.length, ...fires.filter((f) => !waiting.includes(f)));
        if (fires.length === 0) return;
      }
    }

    let plan;
    try {
      plan = await campaignPlan(this.#store, this.#channels, scope, campaign, first.runId);
    } catch (error) {
      if (!(error instanceof RunBlocked)) throw error;
      await this.#block(scope, campaign, first.runId, token, fires, error.message);
      return;
    }

    // One fire per profile per transaction, in rounds: the frequency caps count committed
    // messages, so a profile's next fire is judged after the previous one's messages count —
    // and a profile with many fires neither loses them nor holds up everyone else's.
    let rest = fires;
    while (rest.length > 0) {
      const seen = new Set<string>();
      const round: Fire[] = [];
      const next: Fire[] = [];
      for (const f of rest) {
        if (seen.has(f.tpUid)) next.push(f);
        else {
          seen.add(f.tpUid);
          round.push(f);
        }
      }
      if (!(await this.#sendRound(scope, campaign, trigger, plan, round, token))) {
        await this.#store.fires.release(
          scope,
          token,
          next.map((f) => f.id),
        );
        return;
      }
      rest = next;
    }
  }

  /** Sends one round of fires (one per profile); answers false when the campaign was blocked. */
  async #sendRound(
    scope: ProjectScope,
    campaign: Campaign,
    trigger: EventTrigger,
    plan: RenderPlan,
    fires: Fire[],
    token: string,
  ): Promise<boolean> {
    const first = fires[0] as Fire;
    const outcomes = new Map<string, FireOutcome>();
    const skip = (f: Fire, reason: FireSkip) =>
      outcomes.set(f.id, { id: f.id, state: 'skipped', reason, messages: 0 });

    // Profiles merged since the event: the survivor receives.
    const current = await this.#store.profiles.resolveTpUids(scope, [...new Set(fires.map((f) => f.tpUid))]);
    let live = fires.filter((f) => (current.has(f.tpUid) ? true : (skip(f, 'no_profile'), false)));

    if (campaign.audienceId !== null && live.length > 0) {
      const evaluator = await this.#audiences.evaluator(scope, campaign.workspaceId, campaign.audienceId);
      if (!evaluator) {
        await this.#block(
          scope,
          campaign,
          first.runId,
          token,
          fires,
          'The audience was deleted; choose another audience or stop the campaign.',
        );
        return false;
      }
      const members = await evaluator.among([...new Set(live.map((f) => current.get(f.tpUid) as string))]);
      live = live.filter((f) =>
        members.has(current.get(f.tpUid) as string) ? true : (skip(f, 'not_in_audience'), false),
      );
    }

    if (trigger.unless && live.length > 0) live = await this.#unless(scope, trigger, live, current, skip);

    const uids = [...new Set(live.map((f) => current.get(f.tpUid) as string))];
    const profiles = new Map((await this.#store.profiles.getProfiles(scope, uids)).map((p) => [p.tpUid, p]));
    live = live.filter((f) =>
      profiles.has(current.get(f.tpUid) as string) ? true : (skip(f, 'no_profile'), false),
    );
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
      live.map(
        (f) =>
          profiles.get(current.get(f.tpUid) as string) as {
            tpUid: string;
            properties: Record<string, unknown>;
          },
      ),
      { tpUids: [...new Set(live.map((f) => current.get(f.tpUid) as string))] },
    );

    const messages: NewMessage[] = [];
    for (const f of live) {
      const uid = current.get(f.tpUid) as string;
      const gated = verdicts.skip.get(uid);
      if (gated) {
        skip(f, gated);
        continue;
      }
      const profile = profiles.get(uid);
      const rendered = profile
        ? renderMessages(plan, {
            identities: profile.identities,
            properties: profile.properties,
            event: f.eventProperties,
          })
        : [];
      if (rendered.length === 0) {
        skip(f, 'no_send_id');
        continue;
      }
      for (const m of rendered)
        messages.push({
          projectId: scope.projectId,
          channelId: campaign.channelId as string,
          opsRequestId: m.receipt.requestId,
          pushId: String(m.pushId),
          tpUid: uid,
          workspaceId: campaign.workspaceId,
          sendId: null,
          campaignId: campaign.id,
          taskId: campaign.id,
          taskInstanceId: f.runId,
          params: m.params as NewMessage['params'],
          customParams: m.customParams as NewMessage['customParams'],
          dueAt: verdicts.dueAt.get(uid) ?? null,
        });
      outcomes.set(f.id, { id: f.id, state: 'sent', reason: null, messages: rendered.length });
    }

    const counts = zero();
    for (const o of outcomes.values()) {
      if (o.state === 'sent') counts.processed++;
      else if (o.reason === 'no_send_id') counts.skipped++;
      else if (o.reason === 'suppressed') counts.suppressed++;
      else if (o.reason === 'unsubscribed') counts.unsubscribed++;
      else if (o.reason === 'frequency_capped') counts.capped++;
      else if (o.reason === 'quiet_hours') counts.quiet++;
      else counts.excluded++;
    }
    counts.queued = messages.length;
    await this.#commit(scope, token, first, [...outcomes.values()], messages, counts);
    return true;
  }

  /** Leaves out fires whose profile did the "unless" event within the wait after theirs. */
  async #unless(
    scope: ProjectScope,
    trigger: EventTrigger,
    fires: Fire[],
    current: ReadonlyMap<string, string>,
    skip: (f: Fire, reason: FireSkip) => void,
  ): Promise<Fire[]> {
    const unless = trigger.unless as NonNullable<EventTrigger['unless']>;
    const wait = unless.withinMinutes * MINUTE;
    const timeZone = (await this.#store.projects.get(scope))?.timeZone ?? 'UTC';
    const filters = parseEventFilters(
      unless.filters,
      { timeZone, now: this.#now() },
      '/trigger/unless/filters',
    );
    const from = Math.min(...fires.map((f) => f.eventTime));
    const through = Math.max(...fires.map((f) => f.eventTime)) + wait;
    const done = await this.#store.fires.eventsOf(
      scope,
      [...new Set(fires.map((f) => current.get(f.tpUid) as string))],
      unless.event,
      from,
      through,
    );
    return fires.filter((f) => {
      const uid = current.get(f.tpUid);
      const cancelled = done.some(
        (e) =>
          e.tpUid === uid &&
          e.eventId !== f.eventId &&
          e.eventTime >= f.eventTime &&
          e.eventTime <= f.eventTime + wait &&
          unless.same.every((key) => same(e.properties[key], f.eventProperties[key])) &&
          matchesAll(e.properties, filters),
      );
      if (cancelled) skip(f, 'unless_event');
      return !cancelled;
    });
  }

  /** One transaction: the fires' outcomes (still leased to us), their messages, the run's counts. */
  async #commit(
    scope: ProjectScope,
    token: string,
    first: Fire,
    outcomes: readonly FireOutcome[],
    messages: readonly NewMessage[],
    counts: ReturnType<typeof zero>,
  ): Promise<void> {
    const now = this.#now();
    await this.#store.transaction(async (tx) => {
      if ((await tx.fires.finish(scope, token, outcomes, now)) !== outcomes.length) throw new LeaseLost();
      if (messages.length > 0) await tx.delivery.enqueue(scope, messages, now);
      await tx.campaigns.addRunCounts(scope, first.runId, counts, now);
      if (this.#killBeforeCommit > 0 && (this.#commits += 1) >= this.#killBeforeCommit)
        process.kill(process.pid, 'SIGKILL');
    });
    if (messages.length > 0) this.#onEnqueued(scope.projectId, messages.length);
  }

  /** The campaign cannot render: it pauses with the reason; its fires wait for Resume. */
  async #block(
    scope: ProjectScope,
    campaign: Campaign,
    runId: string,
    token: string,
    fires: readonly Fire[],
    reason: string,
  ): Promise<void> {
    const now = this.#now();
    await this.#store.transaction(async (tx) => {
      await pauseForReason(
        tx,
        this.#audit,
        scope,
        { id: runId, workspaceId: campaign.workspaceId, campaignId: campaign.id },
        reason,
        now,
      );
    });
    await this.#store.fires.release(
      scope,
      token,
      fires.map((f) => f.id),
    );
    this.#logger.warn({ campaignId: campaign.id, reason }, 'event campaign paused: cannot render');
  }
}

function zero() {
  return {
    processed: 0,
    queued: 0,
    skipped: 0,
    suppressed: 0,
    unsubscribed: 0,
    capped: 0,
    quiet: 0,
    excluded: 0,
  };
}

function skipOutcome(f: Fire, state: 'cancelled'): FireOutcome {
  return { id: f.id, state, reason: 'campaign_stopped', messages: 0 };
}

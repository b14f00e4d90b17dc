import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemScope, type SystemScope } from '../access/scope.ts';
import type { ChannelSecrets, DeliveryResult } from '../channels/channel-driver.ts';
import { channelDrivers } from '../channels/channel-drivers.ts';
import type { RenderedMessage } from '../channels/message.ts';
import type { Channel } from '../channels/model.ts';
import type { GuardedClient } from '../net/guarded-client.ts';
import type { LifecycleEvents } from '../observability/lifecycle-events.ts';
import type { Logger } from '../observability/logger.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { Repositories, Store } from '../store/store.ts';
import { nextHealth } from './channel-health.ts';
import { addIncrements, requestIncrement, type StatsIncrement } from './delivery-stats.ts';
import type { ChannelHealth, ClaimedMessage, MessageAttempt } from './model.ts';
import { planOutcomes, type MessageUpdate } from './plan-outcomes.ts';
import { maxRetryAfterMs } from './retry-schedule.ts';

/** How the delivery engine finds a channel and its secrets (the channels module implements it). */
export interface DeliveryChannels {
  forDelivery(
    projectId: number,
    channelId: string,
  ): Promise<{ channel: Channel; secrets: () => ChannelSecrets } | undefined>;
}

export interface DispatcherOptions {
  /** Retry delays (SPEC §4 by default; shrunk by tests through configuration). */
  readonly retrySchedule: readonly number[];
  /** Requests in flight at once in this process, across channels. */
  readonly concurrency: number;
  /** Requests in flight at once per channel, so a slow channel never takes every slot. */
  readonly channelConcurrency: number;
  /** How often to look for due work while idle or while requests are in flight. */
  readonly pollMs: number;
  /** Added to a request's own timeout to make its lease. */
  readonly leaseMarginMs: number;
  /** SIGTERM: how long in-flight requests may finish before their leases are released. */
  readonly drainMs: number;
  /** SPEC §4 "Unhealthy": no success for this long with at least `unhealthyFailures` failures. */
  readonly unhealthyAfterMs: number;
  readonly unhealthyFailures: number;
  /**
   * Rate limits (decision 91): the limiter spaces a channel's request starts by
   * `(1000 + rateMarginMs) / rate_limit` ms, so a start that leaves up to this much later than
   * planned still keeps every sliding second within the limit. Default 20 ms.
   */
  readonly rateMarginMs?: number;
  /** How far ahead a request start may be reserved (then awaited before sending). Default 100 ms. */
  readonly rateHorizonMs?: number;
  /**
   * Fault point for the durability tests (DUR-07: a worker paused past its lease): waits this
   * long between the answer and the completion. Honoured only with TOUCHPOINT_TEST_FAULTS.
   */
  readonly testPauseBeforeCompleteMs?: number;
}

/** At most this much of a receiver's answer is kept per attempt. */
export const responseExcerptBytes = 4096;

/** At most this many batches of one channel are claimed in one transaction. */
export const maxBatchesPerClaim = 8;

/** How late a rate-limited start may leave and still keep the limit (decision 91). */
export const defaultRateMarginMs = 20;

/** A reserved start missed by more than this (or the margin, when smaller) is reserved again. */
export const maxLateMs = 8;

/** Extra spacing after the first request of a quiet rate-limited channel (it may connect first). */
export const coldStartMs = 50;

/** WH-05: a 429 without `Retry-After` pauses its channel this long. */
export const defaultPauseMs = 1000;

type StartResult =
  { kind: 'started'; batches: number } | { kind: 'none' } | { kind: 'throttled'; untilMs: number };

interface Lease {
  readonly channelId: string;
  readonly token: string;
  readonly done: Promise<void>;
}

/**
 * The dispatcher (SPEC §4, RELIABILITY §4.2): finds channels with due messages, claims a batch of
 * each channel's `batch_size` under a lease with a fencing token, sends it through the channel's
 * driver and the guarded client with no database transaction open, and completes under the lease
 * (a lost lease changes nothing). Concurrency is bounded per channel and in total, and channels
 * are visited in turn, so a slow or failing channel never starves the others. A disabled,
 * deleted or unhealthy channel's messages are held instead of sent.
 *
 * Runs as the `dispatcher` job of the worker runner; several processes share the work through
 * the database (PostgreSQL: `SKIP LOCKED`).
 */
export class Dispatcher {
  readonly #store: Store;
  readonly #channels: DeliveryChannels;
  readonly #client: GuardedClient;
  readonly #logger: Logger;
  readonly #events: LifecycleEvents | undefined;
  readonly #options: DispatcherOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #leases = new Set<Lease>();
  #wake: (() => void) | undefined;
  #turn = 0;
  readonly #pending: {
    channelId: string;
    work: CompletionWork<unknown>;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }[] = [];
  #flushing = false;
  /** Earliest local time a throttled channel may start its next request (0: none waiting). */
  #throttledUntil = 0;

  constructor(deps: {
    store: Store;
    channels: DeliveryChannels;
    client: GuardedClient;
    logger: Logger;
    events?: LifecycleEvents;
    options: DispatcherOptions;
    now?: () => number;
    random?: () => number;
  }) {
    this.#store = deps.store;
    this.#channels = deps.channels;
    this.#client = deps.client;
    this.#logger = deps.logger;
    this.#events = deps.events;
    this.#options = deps.options;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /** Requests in flight in this process. */
  get inFlight(): number {
    return this.#leases.size;
  }

  /** New messages were committed in this process: look now instead of at the next poll. */
  wake(): void {
    this.#wake?.();
  }

  job(): BackgroundJob {
    return {
      name: 'dispatcher',
      intervalMs: this.#options.pollMs,
      stopDeadlineMs: this.#options.drainMs + 5000,
      run: (signal) => this.run(signal),
    };
  }

  /** Dispatches until nothing is due and nothing is in flight, or until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = await this.#fill();
      // A channel throttled for a moment keeps the loop (and its precise wake-up); a longer wait
      // is the runner's next poll.
      const throttledSoon = this.#throttledUntil !== 0 && this.#throttledUntil - this.#now() < 2000;
      if (started === 0 && this.#leases.size === 0 && !throttledSoon) return;
      const woken = new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      const pause = new AbortController();
      await Promise.race([
        woken,
        sleep(this.#pauseMs(), undefined, { signal: AbortSignal.any([signal, pause.signal]) }).catch(
          () => {},
        ),
      ]);
      pause.abort();
      this.#wake = undefined;
    }
    await this.#drain();
  }

  /** In flight at or below this, a finished request wakes the loop to claim more. */
  #lowWater(): number {
    const { concurrency } = this.#options;
    return concurrency - Math.min(maxBatchesPerClaim, Math.ceil(concurrency / 4));
  }

  /** Until the next poll, or sooner when a throttled channel's start comes first. */
  #pauseMs(): number {
    if (this.#throttledUntil === 0) return this.#options.pollMs;
    const horizon = this.#options.rateHorizonMs ?? 100;
    return Math.max(1, Math.min(this.#options.pollMs, this.#throttledUntil - horizon - this.#now()));
  }

  /** Claims and starts as many batches as the bounds allow; answers how many it started. */
  async #fill(): Promise<number> {
    const { concurrency, channelConcurrency } = this.#options;
    this.#throttledUntil = 0;
    if (this.#leases.size >= concurrency) return 0;
    const due = await this.#store.delivery.dueChannels(
      systemScope('delivery finds channels with due work'),
      256,
    );
    if (due.length === 0) return 0;
    const horizon = this.#options.rateHorizonMs ?? 100;
    const throttle = (untilMs: number) => {
      if (this.#throttledUntil === 0 || untilMs < this.#throttledUntil) this.#throttledUntil = untilMs;
    };
    // Visit channels in turn from a rotating start, one batch each per pass.
    const start = this.#turn++ % due.length;
    const order = [...due.slice(start), ...due.slice(0, start)].filter((c) => {
      // A channel whose next start is beyond the horizon (its rate, or a receiver's 429) waits
      // without a transaction.
      if (c.nextStartUs === null || c.nextStartUs / 1000 <= this.#now() + horizon) return true;
      throttle(c.nextStartUs / 1000);
      return false;
    });
    const busy = new Map<string, number>();
    for (const l of this.#leases) busy.set(l.channelId, (busy.get(l.channelId) ?? 0) + 1);
    const skip = new Set<string>();
    let started = 0;
    let progress = true;
    while (progress && this.#leases.size < concurrency) {
      progress = false;
      for (const { channelId, projectId, nextStartUs } of order) {
        if (this.#leases.size >= concurrency) break;
        if (skip.has(channelId) || (busy.get(channelId) ?? 0) >= channelConcurrency) continue;
        const free = Math.min(
          channelConcurrency - (busy.get(channelId) ?? 0),
          concurrency - this.#leases.size,
        );
        const result = await this.#startBatch(projectId, channelId, nextStartUs !== null, free);
        if (result.kind === 'started') {
          started += result.batches;
          busy.set(channelId, (busy.get(channelId) ?? 0) + result.batches);
          progress = true;
        } else {
          skip.add(channelId);
          if (result.kind === 'throttled') throttle(result.untilMs);
        }
      }
    }
    return started;
  }

  /**
   * Claims up to `maxBatches` batches of a channel in one transaction (one when its starts are
   * scheduled) and starts them. `scheduled`: the channel has a start schedule (a rate limit, or a
   * receiver's 429 once).
   */
  async #startBatch(
    projectId: number,
    channelId: string,
    scheduled: boolean,
    maxBatches: number,
  ): Promise<StartResult> {
    const found = await this.#channels.forDelivery(projectId, channelId);
    const health = await this.#store.delivery.health(systemScope('delivery reads channel health'), channelId);
    const token = randomUUID();
    const system = systemScope('delivery claims due messages');
    const holdReason = !found
      ? 'deleted'
      : found.channel.status !== 'enabled'
        ? 'disabled'
        : health?.state === 'unhealthy'
          ? 'unhealthy'
          : undefined;
    const timeoutMs = found ? this.#requestTimeoutMs(found.channel) : 60_000;
    const rateLimit = holdReason === undefined && found ? found.channel.config.rateLimit : -1;
    const horizonMs = this.#options.rateHorizonMs ?? 100;
    type Claim =
      { throttledMs: number } | { rows: ClaimedMessage[]; startAt: number | undefined; intervalMs: number };
    const claimed = await this.#store.transaction(
      async (tx): Promise<Claim> => {
        // Rate limit (decision 91): the channel's next starts are taken under its row lock in the
        // claim's transaction, as many as fit in the horizon; a start beyond it claims nothing.
        let startAtMs: number | undefined;
        let nowMs = 0;
        let localNow = 0;
        let slotUs = 0;
        let intervalUs = 0;
        let cold = false;
        let batches = holdReason === undefined ? Math.max(1, Math.min(maxBatches, maxBatchesPerClaim)) : 1;
        // Without a limit, a channel pays for its schedule only after a 429 created one.
        if (rateLimit > 0 || (scheduled && holdReason === undefined)) {
          const schedule = await tx.delivery.lockStarts(system, channelId, projectId);
          localNow = this.#now();
          nowMs = schedule.nowMs;
          slotUs = Math.max(schedule.nextStartUs, nowMs * 1000);
          const horizonUs = (nowMs + horizonMs) * 1000;
          if (slotUs > horizonUs) return { throttledMs: slotUs / 1000 - nowMs };
          startAtMs = slotUs / 1000;
          intervalUs =
            rateLimit > 0
              ? ((1000 + (this.#options.rateMarginMs ?? defaultRateMarginMs)) * 1000) / rateLimit
              : 0;
          // After a quiet spell the first request may open a connection first, so it can leave
          // late: the start after it keeps a cold allowance on top of the interval.
          cold = rateLimit > 0 && schedule.nextStartUs + intervalUs < nowMs * 1000;
          batches =
            rateLimit > 0 && !cold
              ? Math.max(1, Math.min(maxBatches, Math.floor((horizonUs - slotUs) / intervalUs) + 1))
              : 1;
        }
        const rows = await tx.delivery.claim(system, channelId, {
          limit: (found?.channel.config.batchSize ?? 500) * batches,
          leaseMs: timeoutMs + this.#options.leaseMarginMs + (startAtMs !== undefined ? horizonMs : 0),
          leaseToken: token,
          leasedBy: this.#workerId,
        });
        if (holdReason !== undefined && rows.length > 0) {
          await tx.delivery.holdLeased(system, token, holdReason);
          await tx.delivery.hold(system, channelId, holdReason);
        }
        if (startAtMs !== undefined && rows.length > 0) {
          const used = Math.ceil(rows.length / (found?.channel.config.batchSize ?? 500));
          if (rateLimit > 0)
            await tx.delivery.advanceStarts(
              system,
              channelId,
              slotUs + used * intervalUs + (cold ? coldStartMs * 1000 : 0),
            );
          // Starts on this process's clock (the database's clock only decides the order).
          return { rows, startAt: localNow + Math.max(0, startAtMs - nowMs), intervalMs: intervalUs / 1000 };
        }
        return { rows, startAt: undefined, intervalMs: 0 };
        // A claim a machine crash undoes is claimed and sent again (decision 94); a start schedule
        // is kept durable, so the rate limit holds across such a crash too.
      },
      { relaxed: !(rateLimit > 0 || scheduled) },
    );
    if ('throttledMs' in claimed) return { kind: 'throttled', untilMs: this.#now() + claimed.throttledMs };
    const { rows, startAt, intervalMs } = claimed;
    if (rows.length === 0) return { kind: 'none' };
    if (holdReason !== undefined || !found) {
      this.#logger.info({ channelId, held: rows.length, reason: holdReason }, 'messages held');
      return { kind: 'none' };
    }
    // Batches claimed together share the lease token; each completes its own messages.
    const size = found.channel.config.batchSize;
    const batches: ClaimedMessage[][] = [];
    for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));
    for (const [i, batch] of batches.entries()) {
      const lease: Lease = {
        channelId,
        token,
        done: Promise.resolve()
          .then(() =>
            this.#send(found, batch, token, startAt === undefined ? undefined : startAt + i * intervalMs),
          )
          .catch((error: unknown) => {
            // Nothing recorded: the lease expires and the batch is claimed again (at-least-once).
            this.#logger.error(
              { err: error, channelId, leaseToken: token },
              'delivery batch failed to complete',
            );
          })
          .finally(() => {
            this.#leases.delete(lease);
            // Refill once a few slots are free, so claims take several batches per transaction.
            if (this.#leases.size <= this.#lowWater()) this.#wake?.();
          }),
      };
      this.#leases.add(lease);
    }
    return { kind: 'started', batches: batches.length };
  }

  /**
   * Waits for a reserved start. A start missed by more than `maxLateMs` (the event loop was busy,
   * the timer fired late) is given up and a new one reserved, so a late request never lands on
   * top of the ones reserved after it (decision 91).
   */
  async #awaitStart(channel: Channel, startAt: number): Promise<void> {
    const marginMs = this.#options.rateMarginMs ?? defaultRateMarginMs;
    let planned = startAt;
    for (let tries = 0; ; tries += 1) {
      const waitMs = planned - this.#now();
      if (waitMs > 0) {
        this.#events?.emit('delivery:rate-wait', { waitMs });
        await sleep(waitMs);
      }
      const lateMs = this.#now() - planned;
      // A start may leave a little late and still be kept; the rest of the margin is for what
      // follows (the socket write, the receiver's own clock).
      if (lateMs <= Math.min(marginMs, maxLateMs) || channel.config.rateLimit <= 0 || tries >= 20) return;
      const system = systemScope('delivery claims due messages');
      planned = await this.#store.transaction(async (tx) => {
        const schedule = await tx.delivery.lockStarts(system, channel.id, channel.projectId);
        const localNow = this.#now();
        const slotUs = Math.max(schedule.nextStartUs, schedule.nowMs * 1000);
        await tx.delivery.advanceStarts(
          system,
          channel.id,
          slotUs + ((1000 + marginMs) * 1000) / channel.config.rateLimit,
        );
        return localNow + (slotUs / 1000 - schedule.nowMs);
      });
    }
  }

  #requestTimeoutMs(channel: Channel): number {
    const timeoutS = channel.config.timeoutS;
    // -1: the answer is not awaited; 0: the one-hour ceiling of the guarded client.
    return timeoutS === -1 ? 60_000 : timeoutS === 0 ? 3_600_000 : timeoutS * 1000;
  }

  async #send(
    found: { channel: Channel; secrets: () => ChannelSecrets },
    claimed: readonly ClaimedMessage[],
    leaseToken: string,
    startAt: number | undefined,
  ): Promise<void> {
    const { channel } = found;
    const messages: RenderedMessage[] = claimed.map((m) => ({
      pushId: m.pushId,
      params: m.params,
      customParams: m.customParams,
      receipt: {
        requestId: m.opsRequestId,
        taskId: m.taskId,
        taskInstanceId: m.taskInstanceId,
        projectId: m.projectId,
      },
    }));
    let startedAt = startAt === undefined ? this.#now() : Math.max(startAt, this.#now());
    const result: DeliveryResult = await channelDrivers[channel.kind].deliver(messages, {
      channel,
      secrets: found.secrets,
      client: this.#client,
      // Rendered values are final text already; the zone only matters for raw values.
      timeZone: 'UTC',
      nowMs: startedAt,
      // A rate-limited request waits for its start once its body is ready, so the start is kept
      // as closely as the event loop allows.
      ...(startAt === undefined
        ? {}
        : {
            beforeRequest: async () => {
              await this.#awaitStart(channel, startAt);
              startedAt = this.#now();
            },
          }),
    });
    if (this.#options.testPauseBeforeCompleteMs) await sleep(this.#options.testPauseBeforeCompleteMs);
    const finishedAt = this.#now();
    const { verdict } = result;
    const gone = verdict.reason === 'gone';
    const updates: MessageUpdate[] = planOutcomes(claimed, verdict, {
      nowMs: finishedAt,
      schedule: this.#options.retrySchedule,
      random: this.#random,
    }).map((u) =>
      // A 410 holds the channel (below); its messages wait with it rather than fail.
      gone ? { ...u, state: 'queued', nextAttemptAt: finishedAt } : u,
    );
    const batchId = randomUUID();
    const excerpt = result.response?.body.slice(0, responseExcerptBytes) ?? null;
    const attempts: MessageAttempt[] = claimed.map((m, i) => {
      const outcome = verdict.outcomes[i];
      return {
        messageId: m.id,
        projectId: m.projectId,
        batchId,
        attempt: m.attempts + 1,
        leaseToken,
        leasedBy: this.#workerId,
        leasedUntil: m.leasedUntil,
        startedAt,
        latencyMs: result.timings.totalMs,
        status: verdict.status ?? null,
        result: verdict.result,
        // What the attempt meant for this message: the state it left it in (`retry` while queued).
        outcome: gone
          ? 'held'
          : (updates[i] as MessageUpdate).state === 'queued'
            ? 'retry'
            : (updates[i] as MessageUpdate).state,
        reason:
          outcome && 'reason' in outcome
            ? outcome.reason
            : outcome && 'cause' in outcome && outcome.cause === 'fail_list'
              ? 'fail_list'
              : null,
        detail:
          outcome && 'receiverMessage' in outcome
            ? (outcome.receiverMessage ?? verdict.detail)
            : verdict.detail,
        responseExcerpt: excerpt,
        manualReplay: m.manualReplay,
        late: false,
      };
    });
    const system = systemScope('delivery completes its lease');
    const { late, health } = await this.#commit(channel.id, async (tx, group) => {
      const done = await tx.delivery.complete(
        system,
        leaseToken,
        claimed.map((m, i) => ({ id: m.id, update: updates[i] as MessageUpdate })),
        [],
        finishedAt,
      );
      const lateIds = new Set(done.late);
      group.attempts.push(...attempts.map((a) => ({ ...a, late: lateIds.has(a.messageId) })));
      // The charts' aggregate moves in the same transaction as the attempts it counts.
      group.stats(
        requestIncrement({
          projectId: channel.projectId,
          channelId: channel.id,
          finishedAt,
          result: verdict.result,
          latencyMs: result.timings.totalMs,
          outcomes: attempts.map((a) => ({ outcome: a.outcome, late: lateIds.has(a.messageId) })),
        }),
      );
      // WH-05: a 429 slows its channel (every message of it), never the others.
      if (verdict.status === 429)
        await tx.delivery.pauseStarts(
          system,
          channel.id,
          channel.projectId,
          Math.min(verdict.retryAfterMs ?? defaultPauseMs, maxRetryAfterMs),
        );
      const after = await group.health(channel.id, channel.projectId, (before) =>
        nextHealth(before, channel.id, verdict, finishedAt, this.#options),
      );
      return { late: done.late, health: after };
    });
    if (late.length > 0) this.#events?.emit('delivery:lease-lost', { messages: late.length });
    if (late.length > 0)
      this.#logger.warn(
        { channelId: channel.id, leaseToken, late: late.length },
        'late completion: the lease was lost meanwhile; nothing overwritten',
      );
    if (health.state === 'unhealthy' && health.since === finishedAt)
      this.#logger.warn(
        { channelId: channel.id, reason: health.reason },
        'channel unhealthy: its messages are held',
      );
    this.#events?.emit('delivery:attempt', {
      projectId: channel.projectId,
      channelId: channel.id,
      batchId,
      result: verdict.result,
      reason: verdict.reason ?? null,
      status: verdict.status ?? null,
      messages: claimed.length,
      latencyMs: result.timings.totalMs,
      states: countStates(updates),
    });
  }

  /**
   * Group commit of completions: runs `work` in the next transaction with whatever other
   * completions are waiting (one commit, hence one fsync on SQLite, for many batches). Work is
   * ordered by channel, so two workers' groups take channel rows in the same order on PostgreSQL.
   * When a group fails, each completion runs alone so one bad one never holds back the others.
   */
  #commit<T>(channelId: string, work: CompletionWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({
        channelId,
        work: work as CompletionWork<unknown>,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.#flushing) void this.#flush();
    });
  }

  /** Runs completions in one transaction with one attempts insert and one stats/health write per channel. */
  #runGroup(items: readonly { work: CompletionWork<unknown> }[]): Promise<unknown[]> {
    // Relaxed durability (decision 94): a completion a machine crash undoes is sent again.
    return this.#store.transaction(
      async (tx) => {
        const group = new CompletionGroup(tx, systemScope('delivery completes its lease'), this.#now());
        const out: unknown[] = [];
        for (const item of items) out.push(await item.work(tx, group));
        await group.finish();
        return out;
      },
      { relaxed: true },
    );
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        // Let the answers that already arrived join this group: SQLite's calls are synchronous,
        // so without a turn of the event loop every group would hold one completion.
        await new Promise((resolve) => setImmediate(resolve));
        const group = this.#pending.splice(0, 64).sort((a, b) => (a.channelId < b.channelId ? -1 : 1));
        try {
          const results = await this.#runGroup(group);
          group.forEach((item, i) => item.resolve(results[i]));
        } catch {
          for (const item of group) await this.#runGroup([item]).then(([r]) => item.resolve(r), item.reject);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** Lets in-flight requests finish up to the drain deadline, then releases what is left. */
  async #drain(): Promise<void> {
    if (this.#leases.size === 0) return;
    const all = Promise.all([...this.#leases].map((l) => l.done));
    await Promise.race([all, sleep(this.#options.drainMs)]);
    const left = [...this.#leases];
    for (const lease of left) {
      const released = await this.#store.delivery
        .release(systemScope('delivery releases leases at shutdown'), lease.token)
        .catch(() => 0);
      this.#logger.warn(
        { channelId: lease.channelId, released },
        'shutdown: a request was still in flight at the deadline; its messages were released',
      );
    }
  }
}

type CompletionWork<T> = (tx: Repositories, group: CompletionGroup) => Promise<T>;

/**
 * What the completions of one group commit share: their attempts are inserted together, their
 * stats increments are summed per channel and minute, and each channel's health is read once,
 * advanced by every verdict in order and saved once (holding the channel if it became unhealthy).
 */
class CompletionGroup {
  readonly attempts: MessageAttempt[] = [];
  readonly #tx: Repositories;
  readonly #system: SystemScope;
  readonly #nowMs: number;
  readonly #stats = new Map<string, StatsIncrement>();
  readonly #health = new Map<string, { projectId: number; health: ChannelHealth }>();

  constructor(tx: Repositories, system: SystemScope, nowMs: number) {
    this.#tx = tx;
    this.#system = system;
    this.#nowMs = nowMs;
  }

  stats(increment: StatsIncrement): void {
    const key = `${increment.channelId}:${increment.minute}`;
    const earlier = this.#stats.get(key);
    this.#stats.set(key, earlier ? addIncrements(earlier, increment) : increment);
  }

  async health(
    channelId: string,
    projectId: number,
    next: (before: ChannelHealth | undefined) => ChannelHealth,
  ): Promise<ChannelHealth> {
    const before = this.#health.has(channelId)
      ? this.#health.get(channelId)?.health
      : await this.#tx.delivery.health(this.#system, channelId);
    const after = next(before);
    this.#health.set(channelId, { projectId, health: after });
    return after;
  }

  async finish(): Promise<void> {
    if (this.attempts.length > 0)
      await this.#tx.delivery.complete(this.#system, '', [], this.attempts, this.#nowMs);
    for (const increment of this.#stats.values())
      await this.#tx.deliveryStats.record(this.#system, increment);
    for (const [channelId, { projectId, health }] of this.#health) {
      await this.#tx.delivery.saveHealth(this.#system, projectId, health, this.#nowMs);
      if (health.state === 'unhealthy') await this.#tx.delivery.hold(this.#system, channelId, 'unhealthy');
    }
  }
}

function countStates(updates: readonly MessageUpdate[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const u of updates) counts[u.state] = (counts[u.state] ?? 0) + 1;
  return counts;
}

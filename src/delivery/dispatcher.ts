import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemScope } from '../access/scope.ts';
import type { ChannelSecrets, DeliveryResult } from '../channels/channel-driver.ts';
import { channelDrivers } from '../channels/channel-drivers.ts';
import type { RenderedMessage } from '../channels/message.ts';
import type { Channel } from '../channels/model.ts';
import type { GuardedClient } from '../net/guarded-client.ts';
import type { LifecycleEvents } from '../observability/lifecycle-events.ts';
import type { Logger } from '../observability/logger.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { Store } from '../store/store.ts';
import { nextHealth } from './channel-health.ts';
import { requestIncrement } from './delivery-stats.ts';
import type { ClaimedMessage, MessageAttempt } from './model.ts';
import { planOutcomes, type MessageUpdate } from './plan-outcomes.ts';

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
   * Fault point for the durability tests (DUR-07: a worker paused past its lease): waits this
   * long between the answer and the completion. Honoured only with TOUCHPOINT_TEST_FAULTS.
   */
  readonly testPauseBeforeCompleteMs?: number;
}

/** At most this much of a receiver's answer is kept per attempt. */
export const responseExcerptBytes = 4096;

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
      if (started === 0 && this.#leases.size === 0) return;
      const woken = new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      const pause = new AbortController();
      await Promise.race([
        woken,
        ...[...this.#leases].map((l) => l.done),
        sleep(this.#options.pollMs, undefined, { signal: AbortSignal.any([signal, pause.signal]) }).catch(
          () => {},
        ),
      ]);
      pause.abort();
      this.#wake = undefined;
    }
    await this.#drain();
  }

  /** Claims and starts as many batches as the bounds allow; answers how many it started. */
  async #fill(): Promise<number> {
    const { concurrency, channelConcurrency } = this.#options;
    if (this.#leases.size >= concurrency) return 0;
    const due = await this.#store.delivery.dueChannels(
      systemScope('delivery finds channels with due work'),
      256,
    );
    if (due.length === 0) return 0;
    // Visit channels in turn from a rotating start, one batch each per pass.
    const start = this.#turn++ % due.length;
    const order = [...due.slice(start), ...due.slice(0, start)];
    let started = 0;
    let progress = true;
    while (progress && this.#leases.size < concurrency) {
      progress = false;
      for (const { channelId, projectId } of order) {
        if (this.#leases.size >= concurrency) break;
        const busy = [...this.#leases].filter((l) => l.channelId === channelId).length;
        if (busy >= channelConcurrency) continue;
        if (await this.#startBatch(projectId, channelId)) {
          started += 1;
          progress = true;
        }
      }
    }
    return started;
  }

  async #startBatch(projectId: number, channelId: string): Promise<boolean> {
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
    const claimed = await this.#store.transaction(async (tx) => {
      const rows = await tx.delivery.claim(system, channelId, {
        limit: found?.channel.config.batchSize ?? 500,
        leaseMs: timeoutMs + this.#options.leaseMarginMs,
        leaseToken: token,
        leasedBy: this.#workerId,
      });
      if (holdReason !== undefined && rows.length > 0) {
        await tx.delivery.holdLeased(system, token, holdReason);
        await tx.delivery.hold(system, channelId, holdReason);
      }
      return rows;
    });
    if (claimed.length === 0) return false;
    if (holdReason !== undefined || !found) {
      this.#logger.info({ channelId, held: claimed.length, reason: holdReason }, 'messages held');
      return false;
    }
    const lease: Lease = {
      channelId,
      token,
      done: this.#send(found, claimed, token)
        .catch((error: unknown) => {
          // Nothing recorded: the lease expires and the batch is claimed again (at-least-once).
          this.#logger.error(
            { err: error, channelId, leaseToken: token },
            'delivery batch failed to complete',
          );
        })
        .finally(() => {
          this.#leases.delete(lease);
          this.#wake?.();
        }),
    };
    this.#leases.add(lease);
    return true;
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
    const startedAt = this.#now();
    const result: DeliveryResult = await channelDrivers[channel.kind].deliver(messages, {
      channel,
      secrets: found.secrets,
      client: this.#client,
      // Rendered values are final text already; the zone only matters for raw values.
      timeZone: 'UTC',
      nowMs: startedAt,
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
    const { late, health } = await this.#store.transaction(async (tx) => {
      const done = await tx.delivery.complete(
        system,
        leaseToken,
        claimed.map((m, i) => ({ id: m.id, update: updates[i] as MessageUpdate })),
        attempts,
        finishedAt,
      );
      // The charts' aggregate moves in the same transaction as the attempts it counts.
      const lateIds = new Set(done.late);
      await tx.deliveryStats.record(
        system,
        requestIncrement({
          projectId: channel.projectId,
          channelId: channel.id,
          finishedAt,
          result: verdict.result,
          latencyMs: result.timings.totalMs,
          outcomes: attempts.map((a) => ({ outcome: a.outcome, late: lateIds.has(a.messageId) })),
        }),
      );
      const before = await tx.delivery.health(system, channel.id);
      const after = nextHealth(before, channel.id, verdict, finishedAt, this.#options);
      await tx.delivery.saveHealth(system, channel.projectId, after, finishedAt);
      if (after.state === 'unhealthy') await tx.delivery.hold(system, channel.id, 'unhealthy');
      return { late: done.late, health: after };
    });
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

function countStates(updates: readonly MessageUpdate[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const u of updates) counts[u.state] = (counts[u.state] ?? 0) + 1;
  return counts;
}

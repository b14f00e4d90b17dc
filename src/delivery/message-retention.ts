import { systemScope } from '../access/scope.ts';
import type { Logger } from '../observability/logger.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { Store } from '../store/store.ts';

export interface RetentionOptions {
  /** `TOUCHPOINT_MESSAGE_RETENTION_DAYS`: how long finished messages and their attempts stay. */
  readonly retentionMs: number;
  /** Rows per transaction: small, so the dispatcher's short transactions never wait long. */
  readonly chunk?: number;
}

export interface RetentionReport {
  readonly messages: number;
  readonly attempts: number;
  readonly statsMinutes: number;
  /** Fires of event campaigns that ended (sent, skipped, cancelled) before the period. */
  readonly fires: number;
}

/**
 * Retention of delivery history (issue 17, decision 79): finished messages (`delivered`,
 * `failed`, `dead`, `sent`; never `queued`, `sending` or `held`) that finished more than the
 * period ago go with their attempts, and the charts' minutes older than the period go too, as do
 * event campaigns' fires that ended before it (decision 128). Each
 * chunk is its own small transaction; the job stops between chunks when the worker stops.
 */
export class MessageRetention {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #retentionMs: number;
  readonly #chunk: number;
  readonly #now: () => number;

  constructor(deps: { store: Store; logger: Logger; options: RetentionOptions; now?: () => number }) {
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#retentionMs = deps.options.retentionMs;
    this.#chunk = deps.options.chunk ?? 500;
    this.#now = deps.now ?? Date.now;
  }

  /** Deletes everything older than the period, chunk by chunk, until none is left or `signal` aborts. */
  async prune(signal?: AbortSignal): Promise<RetentionReport> {
    const before = this.#now() - this.#retentionMs;
    const scope = systemScope('retention prunes delivery history');
    let messages = 0;
    let attempts = 0;
    let statsMinutes = 0;
    let fires = 0;
    for (;;) {
      if (signal?.aborted) break;
      const done = await this.#store.transaction((tx) =>
        tx.retention.pruneMessages(scope, before, this.#chunk),
      );
      messages += done.messages;
      attempts += done.attempts;
      if (done.messages < this.#chunk) break;
    }
    for (;;) {
      if (signal?.aborted) break;
      const n = await this.#store.transaction((tx) =>
        tx.retention.pruneDeliveryStats(scope, before, this.#chunk),
      );
      statsMinutes += n;
      if (n < this.#chunk) break;
    }
    for (;;) {
      if (signal?.aborted) break;
      const n = await this.#store.transaction((tx) => tx.retention.pruneFires(scope, before, this.#chunk));
      fires += n;
      if (n < this.#chunk) break;
    }
    return { messages, attempts, statsMinutes, fires };
  }

  /** The worker runner's job: prunes a minute after start, then hourly. */
  job(intervalMs = 3_600_000): BackgroundJob {
    return {
      name: 'message-retention',
      intervalMs,
      initialDelayMs: 60_000,
      run: async (signal) => {
        const report = await this.prune(signal);
        if (report.messages > 0 || report.statsMinutes > 0 || report.fires > 0)
          this.#logger.info(report, 'delivery history pruned');
      },
    };
  }
}

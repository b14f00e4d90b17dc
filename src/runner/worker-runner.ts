import type { Logger } from '../observability/logger.ts';

/**
 * One kind of background work (the profile applier, verify pruning, and next the dispatcher,
 * the scheduler and the journey engine). `run` does what is due now and resolves; the runner
 * calls it again after `intervalMs`, at once when it answers `{ more: true }` (a full batch was
 * taken: there is probably more), or when `notify(name)` says new work arrived.
 */
export interface BackgroundJob {
  readonly name: string;
  /** Pause between idle runs; new work in this process should `notify` instead of waiting. */
  readonly intervalMs: number;
  /** The first run waits this long after start (default 0). */
  readonly initialDelayMs?: number;
  /**
   * How long `stop()` waits for a run in progress after aborting its signal (default 10 s). A job
   * should check `signal.aborted` between units of work (batches, messages) and return early:
   * whatever it committed stays committed, the rest waits for the next start.
   */
  readonly stopDeadlineMs?: number;
  run(signal: AbortSignal): Promise<{ readonly more?: boolean } | void>;
}

export interface RunnerOptions {
  readonly logger: Logger;
  /** Backoff after a failed run: `min(baseMs · 2^(failures-1), maxMs)` with ±`jitter` (0..1). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number; readonly jitter: number };
  readonly random?: () => number;
}

export interface JobStatus {
  readonly name: string;
  readonly running: boolean;
  /** Failed runs in a row (0 after a success). */
  readonly failures: number;
  readonly lastError: string | null;
  readonly runs: number;
}

/** What `stop()` observed per job: false when a run was still going at its deadline. */
export interface StopReport {
  readonly name: string;
  readonly stoppedInTime: boolean;
}

export const defaultBackoff = { baseMs: 1000, maxMs: 60_000, jitter: 0.2 } as const;

/** `min(base · 2^(n-1), max)` spread by ±jitter; n is the number of failures in a row (≥ 1). */
export function backoffDelay(
  failures: number,
  backoff: { baseMs: number; maxMs: number; jitter: number } = defaultBackoff,
  random: () => number = Math.random,
): number {
  const raw = Math.min(backoff.baseMs * 2 ** Math.max(0, failures - 1), backoff.maxMs);
  return Math.max(0, Math.round(raw * (1 + backoff.jitter * (2 * random() - 1))));
}

interface Slot {
  readonly job: BackgroundJob;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  wake: boolean;
  failures: number;
  lastError: string | null;
  runs: number;
}

/**
 * The one runner every background job registers with (STYLE: src/runner/). It starts each job,
 * runs it again after its interval or when notified, restarts a job that throws after a backoff
 * with cap and jitter (logging each failure with the job's name), and on `stop()` aborts every
 * job's signal and waits for runs in progress, each up to its deadline — so SIGTERM never waits
 * for a whole backlog.
 *
 * @example
 *   const runner = new WorkerRunner({ logger });
 *   runner.register({ name: 'profiles', intervalMs: 500, run: (signal) => applier.applyPending({ signal }) });
 *   runner.start();
 *   ingest.events.on('ingest:accepted', () => runner.notify('profiles'));
 *   await runner.stop(); // on SIGTERM
 */
export class WorkerRunner {
  readonly #logger: Logger;
  readonly #backoff: { baseMs: number; maxMs: number; jitter: number };
  readonly #random: () => number;
  readonly #slots = new Map<string, Slot>();
  #abort = new AbortController();
  #started = false;

  constructor(options: RunnerOptions) {
    this.#logger = options.logger;
    this.#backoff = { ...(options.backoff ?? defaultBackoff) };
    this.#random = options.random ?? Math.random;
  }

  register(job: BackgroundJob): void {
    if (this.#slots.has(job.name))
      throw new Error(`a background job named ${job.name} is already registered`);
    const slot: Slot = {
      job,
      timer: undefined,
      running: undefined,
      wake: false,
      failures: 0,
      lastError: null,
      runs: 0,
    };
    this.#slots.set(job.name, slot);
    if (this.#started) this.#schedule(slot, job.initialDelayMs ?? 0);
  }

  get names(): string[] {
    return [...this.#slots.keys()];
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#abort = new AbortController();
    for (const slot of this.#slots.values()) this.#schedule(slot, slot.job.initialDelayMs ?? 0);
  }

  /** New work for `name` arrived in this process: run it now (or right after the current run). */
  notify(name: string): void {
    const slot = this.#slots.get(name);
    if (!slot || !this.#started) return;
    if (slot.running) {
      slot.wake = true;
      return;
    }
    // A job backing off after failures keeps its backoff: a burst of notifications must not
    // turn a failing database into a hot loop.
    if (slot.failures > 0) return;
    this.#schedule(slot, 0);
  }

  status(): JobStatus[] {
    return [...this.#slots.values()].map((s) => ({
      name: s.job.name,
      running: s.running !== undefined,
      failures: s.failures,
      lastError: s.lastError,
      runs: s.runs,
    }));
  }

  #schedule(slot: Slot, delayMs: number): void {
    clearTimeout(slot.timer);
    if (!this.#started) return;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.#run(slot);
    }, delayMs);
  }

  #run(slot: Slot): void {
    if (!this.#started || slot.running) return;
    slot.wake = false;
    const signal = this.#abort.signal;
    slot.running = (async () => {
      let next: number;
      try {
        const result = await slot.job.run(signal);
        slot.runs += 1;
        if (slot.failures > 0)
          this.#logger.info({ job: slot.job.name, after: slot.failures }, 'background job recovered');
        slot.failures = 0;
        slot.lastError = null;
        next = result?.more || slot.wake ? 0 : slot.job.intervalMs;
      } catch (error) {
        slot.runs += 1;
        slot.failures += 1;
        slot.lastError = error instanceof Error ? error.message : String(error);
        next = backoffDelay(slot.failures, this.#backoff, this.#random);
        this.#logger.error(
          { err: error, job: slot.job.name, failures: slot.failures, retryInMs: next },
          'background job failed; restarting after a backoff',
        );
      }
      slot.running = undefined;
      if (!signal.aborted) this.#schedule(slot, next);
    })();
  }

  /**
   * Stops every job: no new runs, each running job's signal aborted, and each waited for up to its
   * own deadline, and none longer than `deadlineMs` (TOUCHPOINT_SHUTDOWN_DEADLINE_MS). Never throws; a
   * job that overran its deadline is logged and reported.
   */
  async stop(deadlineMs = Number.POSITIVE_INFINITY): Promise<StopReport[]> {
    if (!this.#started) return [];
    this.#started = false;
    this.#abort.abort();
    const reports = await Promise.all(
      [...this.#slots.values()].map(async (slot): Promise<StopReport> => {
        clearTimeout(slot.timer);
        slot.timer = undefined;
        const running = slot.running;
        if (!running) return { name: slot.job.name, stoppedInTime: true };
        const jobDeadlineMs = Math.min(slot.job.stopDeadlineMs ?? 10_000, deadlineMs);
        let timer: NodeJS.Timeout | undefined;
        const inTime = await Promise.race([
          running.then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), jobDeadlineMs);
          }),
        ]);
        clearTimeout(timer);
        if (!inTime)
          this.#logger.warn(
            { job: slot.job.name, deadlineMs: jobDeadlineMs },
            'background job still running at its stop deadline; leaving it',
          );
        return { name: slot.job.name, stoppedInTime: inTime };
      }),
    );
    return reports;
  }
}

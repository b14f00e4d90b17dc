import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { ProfileEvent } from '../store/repositories/profiles-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import { projectScope, type ProjectScope } from '../access/scope.ts';
import { WindowApplication, type MergeConflict } from './apply-window.ts';
import { eventIdentities } from './event-operations.ts';
import { identityDigest } from './identity-digest.ts';

export interface ApplierOptions {
  readonly store: Store;
  readonly logger: Logger;
  /**
   * The key of erased users' identity digests (src/profiles/identity-digest.ts), the same the
   * erasure service writes them with: events older than an erasure that name an erased identity
   * are dropped, not applied.
   */
  readonly erasureKey: Buffer;
  /** Events per transaction. */
  readonly batchSize?: number;
  /**
   * Events younger than this stay for the next run. On a shared database, concurrent commits
   * may become visible out of id order; waiting a moment keeps application in id order, so an
   * incremental run and a rebuild agree.
   */
  readonly settleMs?: number;
  /** Test-only fault point: kill -9 the process after applying a batch, before its commit. */
  readonly killBeforeCommit?: boolean;
  readonly now?: () => number;
  /** Where the applier's lag and throughput metrics go. */
  readonly registry?: Registry;
  /**
   * In one process with ingest (role `all`): whether ingest is saturated right now. The applier
   * then waits between windows (up to `deferMs`, so it never starves) and catches up when the
   * burst is over: ingest keeps its throughput, profiles lag for the length of the burst.
   */
  readonly busy?: () => boolean;
  readonly deferMs?: number;
  /**
   * Runs inside each window's transaction with the window's events and their identities, for
   * modules that keep their own state from the log exactly once (the campaigns module records
   * `$suppress` / `$unsubscribe` events).
   */
  readonly onWindow?: (
    tx: Repositories,
    scope: ProjectScope,
    events: readonly ProfileEvent[],
    window: {
      readonly identitiesOf: (event: ProfileEvent) => readonly { type: string; value: string }[];
      /** The profile an event of the window ended in (undefined: dropped, e.g. erased). */
      readonly ownerOf: (eventId: number) => string | undefined;
    },
  ) => Promise<unknown>;
  /** After a window's commit, with what `onWindow` answered for it (wake-ups go here). */
  readonly afterWindow?: (scope: ProjectScope, result: unknown) => void;
}

export type { MergeConflict } from './apply-window.ts';

/**
 * Builds profiles from the committed event log (SPEC §2.2). Each run takes a project's
 * unapplied events in id order and, in one transaction, resolves identities, merges profiles,
 * applies property operations, updates event management and marks the events applied — so an
 * event is applied exactly once even if the process dies at any point (the transaction rolls
 * back whole). Appliers of one project are serialized across processes by a transaction lock.
 */
export class ProfileApplier {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #batchSize: number;
  readonly #settleMs: number;
  readonly #killBeforeCommit: boolean;
  readonly #now: () => number;
  readonly #busy: () => boolean;
  readonly #deferMs: number;
  readonly #onWindow: ApplierOptions['onWindow'];
  readonly #afterWindow: ApplierOptions['afterWindow'];
  readonly #erasureKey: Buffer;
  #running: Promise<number> | undefined;
  #again = false;
  readonly #lag: Histogram | undefined;
  readonly #applied: Counter | undefined;
  /** Listeners for merge conflicts (the verify view records them). */
  onConflict: ((projectId: number, conflict: MergeConflict) => void | Promise<void>) | undefined;

  constructor(options: ApplierOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 2000;
    this.#settleMs = options.settleMs ?? 0;
    this.#killBeforeCommit = options.killBeforeCommit ?? false;
    this.#now = options.now ?? Date.now;
    this.#busy = options.busy ?? (() => false);
    this.#deferMs = options.deferMs ?? 1000;
    this.#onWindow = options.onWindow;
    this.#afterWindow = options.afterWindow;
    this.#erasureKey = options.erasureKey;
    if (options.registry) {
      this.#lag = new Histogram({
        name: 'touchpoint_profile_apply_lag_seconds',
        help: 'Time from an event being received to its profile update being committed',
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
        registers: [options.registry],
      });
      this.#applied = new Counter({
        name: 'touchpoint_profile_events_applied_total',
        help: 'Events applied to profiles',
        registers: [options.registry],
      });
      // Read from the database at each scrape, so a worker process and an api process agree.
      const backlog = () => this.backlog();
      new Gauge({
        name: 'touchpoint_profile_backlog_events',
        help: 'Events stored but not yet applied to profiles (all projects)',
        registers: [options.registry],
        async collect() {
          const b = await backlog().catch(() => undefined);
          if (b) this.set(b.events);
        },
      });
      new Gauge({
        name: 'touchpoint_profile_backlog_seconds',
        help: 'Age of the oldest event not yet applied to profiles (0 when none)',
        registers: [options.registry],
        async collect() {
          const b = await backlog().catch(() => undefined);
          if (b) this.set(b.seconds);
        },
      });
    }
  }

  /**
   * Applies everything pending now (awaits a run already in progress, then runs again).
   * `settleMs` overrides the settling delay (tests and rebuilds apply everything at once); an
   * aborted `signal` ends the run after the batch in progress (SIGTERM never waits for a backlog).
   */
  async applyPending(options: { settleMs?: number; signal?: AbortSignal } = {}): Promise<number> {
    if (this.#running) {
      this.#again = true;
      await this.#running;
      if (!this.#again) return 0;
    }
    this.#again = false;
    this.#running = this.#runAll(options.settleMs ?? this.#settleMs, options.signal).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * The applier as a background job of the worker runner: polls every `intervalMs` for events
   * other processes committed; this process's commits wake it through `runner.notify('profiles')`.
   * Runs start at least `minGapMs` apart, so a wake-up per ingest commit still gives windows of a
   * few thousand events: a window costs about the same whether it holds 50 events or 5,000
   * (its profiles' pages are written once), and profiles lag by at most about that gap.
   */
  job(intervalMs = 500, stopDeadlineMs = 10_000, minGapMs = 200): BackgroundJob {
    let lastStart = 0;
    return {
      name: 'profiles',
      intervalMs,
      stopDeadlineMs,
      run: async (signal) => {
        const wait = lastStart + minGapMs - this.#now();
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait);
            signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
          });
          if (signal.aborted) return;
        }
        lastStart = this.#now();
        await this.applyPending({ signal });
      },
    };
  }

  /**
   * How far profiles are behind the event log: events not yet applied and the age in seconds of
   * the oldest of them — for one project, or summed (events) and at worst (seconds) over all.
   */
  async backlog(projectId?: number): Promise<{ events: number; seconds: number }> {
    const projects =
      projectId === undefined
        ? await this.#store.profiles.projectsWithPendingEvents(Number.MAX_SAFE_INTEGER, 1000)
        : [projectId];
    let events = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const id of projects) {
      const b = await this.#store.profiles.backlog(projectScope(id));
      events += b.events;
      if (b.oldestReceivedAt !== null) oldest = Math.min(oldest, b.oldestReceivedAt);
    }
    const seconds = Number.isFinite(oldest) ? Math.max(0, (this.#now() - oldest) / 1000) : 0;
    return { events, seconds };
  }

  /** Forgets the project's profiles and applies its whole event log again. */
  async rebuild(projectId: number): Promise<number> {
    const scope = projectScope(projectId);
    await this.#store.transaction(async (tx) => {
      await tx.profiles.lockProject(scope);
      await tx.profiles.resetProject(scope);
    });
    let total = 0;
    for (;;) {
      const horizon = await this.#store.profiles.committedEventHorizon();
      const applied = await this.#applyBatch(scope, Number.MAX_SAFE_INTEGER, horizon);
      total += applied;
      if (applied === 0) return total;
    }
  }

  async #runAll(settleMs: number, signal: AbortSignal | undefined): Promise<number> {
    let total = 0;
    for (;;) {
      if (signal?.aborted) {
        this.#logger.info(
          { applied: total },
          'profile applier stopping; pending events wait for the next start',
        );
        return total;
      }
      const before = this.#now() - settleMs;
      const projects = await this.#store.profiles.projectsWithPendingEvents(before, 50);
      if (projects.length === 0) return total;
      const horizon = await this.#store.profiles.committedEventHorizon();
      let progress = 0;
      for (const projectId of projects) {
        if (signal?.aborted) break;
        await this.#yieldToIngest(signal);
        progress += await this.#applyBatch(projectScope(projectId), before, horizon);
      }
      total += progress;
      if (progress === 0) return total;
    }
  }

  /** Waits while ingest in this process is saturated, up to `deferMs` (or until stopped). */
  async #yieldToIngest(signal: AbortSignal | undefined): Promise<void> {
    const until = this.#now() + this.#deferMs;
    while (this.#busy() && this.#now() < until && !signal?.aborted)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /**
   * The erasure times of the window's identities that belong to erased users (type NUL value →
   * time): one cheap check when the project has no live tombstones, else one lookup by digest.
   * Read after the cursor: an erasure committing later moves the cursor's timestamp, so this
   * window is dropped and read again rather than written.
   */
  async #erased(scope: ProjectScope, lookups: Map<string, string[]>): Promise<Map<string, number>> {
    const erased = new Map<string, number>();
    if (!(await this.#store.erasure.hasTombstones(scope, this.#now()))) return erased;
    const byDigest = new Map<string, string>();
    for (const [type, values] of lookups)
      for (const value of values)
        byDigest.set(identityDigest(this.#erasureKey, scope.projectId, type, value), `${type}\u0000${value}`);
    const found = await this.#store.erasure.tombstones(scope, [...byDigest.keys()], this.#now());
    for (const [digest, at] of found) erased.set(byDigest.get(digest) as string, at);
    return erased;
  }

  /**
   * Applies one window of the project's log. Reading and computing happen outside any
   * transaction, so on SQLite the write lock is held only for the multi-row writes (ingest's group
   * commits interleave); the write transaction takes the project's lock and checks that the
   * cursor has not moved since the window was read — if another applier got there first, the
   * window is dropped and read again. The cursor moves in the same transaction as the changes,
   * so a window is applied exactly once, and a kill -9 at any point leaves it unapplied whole.
   */
  async #applyBatch(scope: ProjectScope, before: number, horizon: number): Promise<number> {
    for (;;) {
      const cursor = await this.#store.profiles.cursor(scope);
      const events = await this.#store.profiles.pendingWindow(scope, {
        afterId: cursor.appliedThrough,
        throughId: horizon,
        before,
        limit: this.#batchSize,
      });
      if (events.length === 0) return 0;
      const settings = await this.#store.profiles.identitySettings(scope);
      const window = new WindowApplication(scope.projectId, settings, events, this.#now());
      window.dropErased(await this.#erased(scope, window.lookups()));
      await window.apply(await this.#store.profiles.loadForWindow(scope, window.lookups()));
      const write = window.result();
      let hooked: unknown;
      const committed = await this.#store.transaction(async (tx) => {
        await tx.profiles.lockProject(scope);
        const now = await tx.profiles.cursor(scope);
        if (now.appliedThrough !== cursor.appliedThrough || now.movedAt !== cursor.movedAt) return false;
        await tx.profiles.writeWindow(scope, write);
        if (this.#onWindow) {
          const owners = new Map(write.events.map((e) => [e.eventId, e.tpUid]));
          hooked = await this.#onWindow(tx, scope, events, {
            identitiesOf: (e) => eventIdentities(e, settings),
            ownerOf: (id) => owners.get(id),
          });
        }
        if (this.#killBeforeCommit) process.kill(process.pid, 'SIGKILL');
        return true;
      });
      if (!committed) continue;
      this.#afterWindow?.(scope, hooked);
      // Recorded (best effort) before the run reports its progress, so a caller that waited for
      // the applier finds the window's conflicts in verify.
      await Promise.all(window.conflicts.map((c) => this.onConflict?.(scope.projectId, c)));
      const committedAt = this.#now();
      for (const event of events) this.#lag?.observe(Math.max(0, committedAt - event.receivedAt) / 1000);
      this.#applied?.inc(events.length);
      return events.length;
    }
  }
}

import { createHash } from 'node:crypto';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { ProfileEvent, EventStats } from '../store/repositories/profiles-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import { projectScope, type ProjectScope } from '../access/scope.ts';
import { applyOperation, mergeStates } from './apply-operations.ts';
import { eventIdentities, eventOperations, jsonType, type EventIdentity } from './event-operations.ts';
import type { IdentitySettings, ProfileState } from './model.ts';

export interface ApplierOptions {
  readonly store: Store;
  readonly logger: Logger;
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
}

export interface MergeConflict {
  readonly eventId: number;
  readonly sourceId: string;
  readonly messageId: string;
  readonly identity: { type: string; value: string };
}

/**
 * A profile's id derives from the event that created it, so rebuilding from the event log gives
 * every profile the same id again.
 */
const tpUidFor = (projectId: number, eventId: number): string =>
  `tpu_${createHash('sha256').update(`${projectId}:${eventId}`).digest('base64url').slice(0, 20)}`;

interface Working {
  readonly tx: Repositories;
  readonly scope: ProjectScope;
  readonly settings: IdentitySettings;
  readonly unique: ReadonlySet<string>;
  readonly at: number;
  readonly conflicts: MergeConflict[];
  /**
   * Profiles merged away in this batch → the profile they went into. Events of the batch are
   * marked with their profile only at the end, so `mergeInto` cannot move them; their tp_uid is
   * resolved through this map instead.
   */
  readonly mergedInto: Map<string, string>;
}

function survivor(mergedInto: ReadonlyMap<string, string>, tpUid: string): string {
  let current = tpUid;
  for (let next = mergedInto.get(current); next !== undefined; next = mergedInto.get(current)) current = next;
  return current;
}

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
  #running: Promise<number> | undefined;
  #again = false;
  readonly #lag: Histogram | undefined;
  readonly #applied: Counter | undefined;
  /** Listeners for merge conflicts (the verify view records them). */
  onConflict: ((projectId: number, conflict: MergeConflict) => void) | undefined;

  constructor(options: ApplierOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#batchSize = options.batchSize ?? 500;
    this.#settleMs = options.settleMs ?? (options.store.capabilities.sharedAcrossMachines ? 1000 : 0);
    this.#killBeforeCommit = options.killBeforeCommit ?? false;
    this.#now = options.now ?? Date.now;
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
   */
  job(intervalMs = 500): BackgroundJob {
    return {
      name: 'profiles',
      intervalMs,
      stopDeadlineMs: 10_000,
      run: async (signal) => {
        await this.applyPending({ signal });
      },
    };
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
      const applied = await this.#applyBatch(scope, Number.MAX_SAFE_INTEGER);
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
      let progress = 0;
      for (const projectId of projects) {
        if (signal?.aborted) break;
        progress += await this.#applyBatch(projectScope(projectId), before);
      }
      total += progress;
      if (progress === 0) return total;
    }
  }

  async #applyBatch(scope: ProjectScope, before: number): Promise<number> {
    const conflicts: MergeConflict[] = [];
    const received: number[] = [];
    const count = await this.#store.transaction(async (tx) => {
      await tx.profiles.lockProject(scope);
      const events = await tx.profiles.pendingEvents(scope, before, this.#batchSize);
      if (events.length === 0) return 0;
      const settings = await tx.profiles.identitySettings(scope);
      const work: Working = {
        tx,
        scope,
        settings,
        unique: new Set([
          'user_id',
          'account_id',
          ...settings.declared.filter((d) => d.unique).map((d) => d.name),
        ]),
        at: this.#now(),
        conflicts,
        mergedInto: new Map(),
      };
      const applied: { eventId: number; tpUid: string | null }[] = [];
      const stats = new Map<
        string,
        EventStats & { properties: Map<string, { types: Set<string>; firstSeen: number; lastSeen: number }> }
      >();
      for (const event of events) {
        received.push(event.receivedAt);
        applied.push({ eventId: event.id, tpUid: await this.#applyEvent(work, event) });
        if (event.eventName) this.#count(stats, event);
      }
      const resolved = applied.map((a) => ({
        eventId: a.eventId,
        tpUid: a.tpUid === null ? null : survivor(work.mergedInto, a.tpUid),
      }));
      await tx.profiles.markApplied(scope, resolved, work.at);
      await tx.profiles.recordEventStats(scope, [...stats.values()]);
      if (this.#killBeforeCommit) process.kill(process.pid, 'SIGKILL');
      return events.length;
    });
    for (const conflict of conflicts) this.onConflict?.(scope.projectId, conflict);
    const committedAt = this.#now();
    for (const receivedAt of received) this.#lag?.observe(Math.max(0, committedAt - receivedAt) / 1000);
    this.#applied?.inc(count);
    return count;
  }

  #count(
    stats: Map<
      string,
      EventStats & { properties: Map<string, { types: Set<string>; firstSeen: number; lastSeen: number }> }
    >,
    event: ProfileEvent,
  ) {
    const name = event.eventName as string;
    let entry = stats.get(name);
    if (!entry) {
      entry = {
        name,
        count: 0,
        firstSeen: event.receivedAt,
        lastSeen: event.receivedAt,
        properties: new Map(),
      };
      stats.set(name, entry);
    }
    stats.set(name, {
      ...entry,
      count: entry.count + 1,
      firstSeen: Math.min(entry.firstSeen, event.receivedAt),
      lastSeen: Math.max(entry.lastSeen, event.receivedAt),
    });
    const properties = entry.properties;
    for (const [key, value] of Object.entries(event.properties)) {
      if (key.startsWith('#')) continue;
      const p = properties.get(key) ?? {
        types: new Set<string>(),
        firstSeen: event.receivedAt,
        lastSeen: event.receivedAt,
      };
      p.types.add(jsonType(value));
      p.firstSeen = Math.min(p.firstSeen, event.receivedAt);
      p.lastSeen = Math.max(p.lastSeen, event.receivedAt);
      properties.set(key, p);
    }
  }

  /** Whether two profiles hold different values of some unique ID type (then they never merge). */
  async #conflicts(work: Working, a: string, b: string): Promise<boolean> {
    const [ia, ib] = await Promise.all([
      work.tx.profiles.identitiesOf(work.scope, a),
      work.tx.profiles.identitiesOf(work.scope, b),
    ]);
    for (const type of work.unique) {
      const va = ia.filter((i) => i.type === type).map((i) => i.value);
      const vb = ib.filter((i) => i.type === type).map((i) => i.value);
      if (va.length > 0 && vb.length > 0 && !va.some((v) => vb.includes(v))) return true;
    }
    return false;
  }

  async #holdsOther(work: Working, tpUid: string, identity: EventIdentity): Promise<boolean> {
    const held = await work.tx.profiles.identitiesOf(work.scope, tpUid);
    return held.some((i) => i.type === identity.type && i.value !== identity.value);
  }

  async #merge(work: Working, winner: string, loser: string): Promise<void> {
    const { tx, scope, at } = work;
    const [w, l] = await Promise.all([
      tx.profiles.getState(scope, winner),
      tx.profiles.getState(scope, loser),
    ]);
    if (!w || !l) return;
    const merged = mergeStates(w, l);
    const last = Math.max(w.lastEventAt ?? 0, l.lastEventAt ?? 0) || null;
    await tx.profiles.mergeInto(scope, winner, loser, at);
    work.mergedInto.set(loser, winner);
    await tx.profiles.saveState(scope, winner, merged, last, w.eventCount + l.eventCount, at);
  }

  /** Resolves the event's profile (creating or merging as SPEC §2.2 says) and applies it. */
  async #applyEvent(work: Working, event: ProfileEvent): Promise<string | null> {
    const { tx, scope, at } = work;
    const identities = eventIdentities(event, work.settings);
    const lookups = [...identities];
    // Alias: the previous id names the profile to fold in (as a user id, else an anonymous id).
    if (event.type === 'alias' && event.previousId) {
      lookups.push(
        { type: 'user_id', value: event.previousId, unique: true },
        { type: 'anonymous_id', value: event.previousId, unique: false },
      );
    }
    if (identities.length === 0) return null;
    const owners = await tx.profiles.findIdentities(scope, lookups);
    const ownerOf = (i: { type: string; value: string }) => owners.get(`${i.type}:${i.value}`);

    // The profile of the highest-priority known identity — unless a higher unique identity of the
    // event is new and that profile already holds another value of its type.
    let target: string | undefined;
    for (let k = 0; k < identities.length && target === undefined; k++) {
      const owner = ownerOf(identities[k] as EventIdentity);
      if (!owner) continue;
      const higherUnique = identities.slice(0, k).filter((i) => i.unique && !ownerOf(i));
      let clash = false;
      for (const i of higherUnique) if (await this.#holdsOther(work, owner, i)) clash = true;
      target = clash ? undefined : owner;
      if (clash) break;
    }
    if (target === undefined) {
      target = tpUidFor(scope.projectId, event.id);
      await tx.profiles.createProfile(scope, target, at);
    }

    const conflict = (identity: { type: string; value: string }) =>
      work.conflicts.push({
        eventId: event.id,
        sourceId: event.sourceId,
        messageId: event.messageId,
        identity,
      });
    for (const identity of lookups) {
      const owner = ownerOf(identity);
      if (owner === target) continue;
      if (owner === undefined) {
        // Alias lookups only find; they never attach.
        if (!identities.includes(identity as EventIdentity)) continue;
        if (identity.unique && (await this.#holdsOther(work, target, identity))) {
          conflict(identity);
          continue;
        }
        await tx.profiles.attachIdentity(scope, identity.type, identity.value, target, at);
        continue;
      }
      if (await this.#conflicts(work, target, owner)) {
        conflict(identity);
        continue;
      }
      await this.#merge(work, target, owner);
      for (const [key, value] of owners) if (value === owner) owners.set(key, target);
    }

    const state = await tx.profiles.getState(scope, target);
    let next: ProfileState = state ?? { properties: {}, meta: {} };
    for (const operation of eventOperations(event)) next = applyOperation(next, operation, event.eventTime);
    const last = Math.max(state?.lastEventAt ?? 0, event.eventTime);
    await tx.profiles.saveState(scope, target, next, last, (state?.eventCount ?? 0) + 1, at);
    return target;
  }
}

import type { IngestSource } from '../sources/ingest-key.ts';
import { StoreUnavailableError } from '../store/store-errors.ts';
import { eventKey } from '../store/repositories/events-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import { systemScope } from '../access/scope.ts';
import type { NormalizedEvent } from './event.ts';

/**
 * Test-only fault points (TOUCHPOINT_TEST_FAULTS=1): kill -9 this process just before or just
 * after the commit, make any transaction holding this request fail (a poisoned request), or hold
 * the transaction open for a second (a slow database, without blocking the event loop).
 */
export type CommitFault = 'exit-before-commit' | 'exit-after-commit' | 'fail-commit' | 'pause-commit';

export interface CommitRequest {
  readonly source: IngestSource;
  readonly events: readonly NormalizedEvent[];
  readonly fault?: CommitFault;
  /**
   * Set when the request's events carry no ids of their own: the request body's digest, claimed
   * in the same transaction; a live claim of the same digest makes the whole request a
   * duplicate (decision 102).
   */
  readonly digest?: { readonly value: string; readonly windowMs: number };
}

/**
 * - `committed`: `isNew[i]` is false when event i was already stored (or appeared earlier in the
 *   same commit) — a duplicate, acknowledged like the original.
 * - `stale`: the source's credentials changed since the key was checked (disable, delete,
 *   rotation); nothing of this request was stored; check the key again.
 */
export type CommitResult =
  { readonly status: 'committed'; readonly isNew: readonly boolean[] } | { readonly status: 'stale' };

interface Pending {
  readonly request: CommitRequest;
  resolve(result: CommitResult): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /** Commits running at once: 1 for a single-writer database. */
  readonly concurrency: number;
  /** Events per transaction at most (a request is never split). */
  readonly maxEventsPerCommit: number;
  /** Called when a group failed and is retried request by request. */
  readonly onSplit?: (error: unknown) => void;
}

/**
 * Group commit (RELIABILITY decision 1): requests that arrive while a commit is running wait and
 * are then written together in one transaction, so SQLite's one fsync per commit is shared by
 * many requests. Inside the transaction each source's credentials version is re-checked, events
 * are inserted with insert-or-ignore on (source, message id), and each source's activity is
 * recorded. If a group fails for a reason other than the database being unavailable, its
 * requests are retried one per transaction, so one request's failure never fails another's.
 */
export class GroupCommitter {
  readonly #store: Store;
  readonly #options: GroupCommitOptions;
  readonly #queue: Pending[] = [];
  #queuedEvents = 0;
  #running = 0;

  constructor(store: Store, options: GroupCommitOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Events accepted for commit but not committed yet (waiting or in a running commit). */
  get pendingEvents(): number {
    return this.#queuedEvents;
  }

  submit(request: CommitRequest): Promise<CommitResult> {
    return new Promise<CommitResult>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#queuedEvents += request.events.length;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.#options.concurrency && this.#queue.length > 0) {
      this.#running++;
      // setImmediate: let the I/O phase run first, so requests whose bodies arrived while the
      // last commit held the (synchronous) fsync join this group instead of waiting for the next.
      setImmediate(() => {
        // #commitGroup settles its requests itself; a throw escaping it is a bug, reported here
        // rather than left as an unhandled rejection that would stop the process.
        void this.#commitGroup(undefined)
          .catch((error: unknown) => this.#options.onSplit?.(error))
          .finally(() => {
            this.#running--;
            this.#pump();
          });
      });
    }
  }

  // The group is taken from the queue once the transaction holds the connection, not when the
  // commit is scheduled: on SQLite, requests whose key lookups waited behind the previous commit
  // join this one instead of each paying for an fsync of its own.
  #take(): Pending[] {
    const group: Pending[] = [];
    let events = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (group.length > 0 && events + next.request.events.length > this.#options.maxEventsPerCommit) break;
      group.push(this.#queue.shift()!);
      events += next.request.events.length;
    }
    return group;
  }

  /** Commits `fixed`, or when undefined what is queued when the transaction starts. */
  async #commitGroup(fixed: Pending[] | undefined): Promise<void> {
    let group: Pending[] = fixed ?? [];
    let results: CommitResult[];
    try {
      results = await this.#store.transaction(async (tx) => {
        if (!fixed) group = this.#take();
        return group.length === 0 ? [] : this.#write(tx, group);
      });
    } catch (error) {
      // The transaction could not even begin (database locked, unreachable): whoever is waiting
      // now gets the failure (503), rather than the next attempt looping on the same wall.
      if (!fixed && group.length === 0) group = this.#take();
      if (group.length > 1 && !(error instanceof StoreUnavailableError)) {
        this.#options.onSplit?.(error);
        for (const pending of group) await this.#commitGroup([pending]);
        return;
      }
      this.#settled(group);
      for (const pending of group) pending.reject(error);
      return;
    }
    if (group.some((p) => p.request.fault === 'exit-after-commit')) process.kill(process.pid, 'SIGKILL');
    this.#settled(group);
    group.forEach((pending, i) => pending.resolve(results[i]!));
  }

  #settled(group: readonly Pending[]): void {
    for (const pending of group) this.#queuedEvents -= pending.request.events.length;
  }

  async #write(tx: Repositories, group: Pending[]): Promise<CommitResult[]> {
    if (group.some((p) => p.request.fault === 'pause-commit')) await new Promise((r) => setTimeout(r, 1000));
    const current = new Map<string, boolean>();
    for (const { request } of group) {
      const { id, credentialsVersion } = request.source;
      if (current.has(id)) continue;
      current.set(id, (await tx.sources.credentialsVersion(id)) === credentialsVersion);
    }
    const now = Date.now();
    // A repeated body within its window stores nothing: all its events count as duplicates.
    const repeated = new Set<Pending>();
    for (const pending of group) {
      const { source, digest } = pending.request;
      if (digest === undefined || current.get(source.id) !== true) continue;
      const claimed = await tx.ingestDigests.claim(
        systemScope('ingest group commit'),
        { projectId: source.projectId, sourceId: source.id, digest: digest.value, at: now },
        now - digest.windowMs,
      );
      if (!claimed) repeated.add(pending);
    }
    const live = group.filter((p) => current.get(p.request.source.id) === true && !repeated.has(p));
    const rows = live.flatMap(({ request }) =>
      request.events.map((event) => ({
        projectId: request.source.projectId,
        sourceId: request.source.id,
        event,
      })),
    );
    const inserted =
      rows.length > 0
        ? await tx.events.insertNew(systemScope('ingest group commit'), rows)
        : new Set<string>();
    const perSource = new Map<string, { projectId: number; count: number }>();
    const claimed = new Set<string>();
    const results = group.map((pending): CommitResult => {
      const { source, events } = pending.request;
      if (current.get(source.id) !== true) return { status: 'stale' };
      if (repeated.has(pending)) return { status: 'committed', isNew: events.map(() => false) };
      const isNew = events.map((event) => {
        const key = eventKey(source.id, event.messageId);
        if (!inserted.has(key) || claimed.has(key)) return false;
        claimed.add(key);
        return true;
      });
      const added = isNew.filter(Boolean).length;
      if (added > 0) {
        const entry = perSource.get(source.id) ?? { projectId: source.projectId, count: 0 };
        entry.count += added;
        perSource.set(source.id, entry);
      }
      return { status: 'committed', isNew };
    });
    for (const [sourceId, { projectId, count }] of perSource)
      await tx.sources.recordActivity(sourceId, projectId, count, now);
    if (group.some((p) => p.request.fault === 'fail-commit')) throw new Error('test fault: poisoned request');
    if (group.some((p) => p.request.fault === 'exit-before-commit')) process.kill(process.pid, 'SIGKILL');
    return results;
  }
}

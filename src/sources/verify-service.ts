import { randomBytes } from 'node:crypto';
import type { LifecycleEvents } from '../observability/lifecycle-events.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { Logger } from '../observability/logger.ts';
import type { MergeConflict } from '../profiles/profile-applier.ts';
import type { VerifyEntry } from '../store/repositories/verify-repository.ts';
import type { Store } from '../store/store.ts';
import { projectScope, systemScope, type ProjectScope } from '../access/scope.ts';

export const VERIFY_REPLAY = 200;
/** How far back each poll looks again, so entries committed slightly out of order are not missed. */
const OVERLAP_MS = 5000;

/** Refused requests shown per source and window (decision 103); the rest are counted. */
export const REFUSALS_PER_WINDOW = 20;
const REFUSAL_WINDOW_MS = 60_000;

const entryId = (at: number): string => `${String(at).padStart(15, '0')}-${randomBytes(6).toString('hex')}`;

/**
 * The verify view of a data source (SPEC §2): accepted events come from the event store,
 * refused, dry-run and flagged ones from the verify buffer. Everything is read from the store,
 * so a viewer on any process sees events received by any other.
 */
export class VerifyService {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #pollMs: number;
  readonly #retentionMs: number;
  readonly #now: () => number;
  /** Per source: the current window's start, refusals shown in it, and refusals left out. */
  readonly #refusals = new Map<string, { start: number; shown: number; skipped: number }>();

  constructor(deps: {
    store: Store;
    logger: Logger;
    pollMs?: number;
    retentionHours?: number;
    now?: () => number;
  }) {
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#pollMs = deps.pollMs ?? 500;
    this.#retentionMs = (deps.retentionHours ?? 72) * 3_600_000;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * Whether a refusal of `sourceId` is shown now: at most {@link REFUSALS_PER_WINDOW} per source
   * each minute, so a flood of bad requests (an attack, a broken page on every visit) costs a
   * bounded number of rows. Returns how many were left out before this one, or undefined when
   * this one is left out too.
   */
  #admitRefusal(sourceId: string, at: number): number | undefined {
    let window = this.#refusals.get(sourceId);
    if (!window || at - window.start >= REFUSAL_WINDOW_MS) {
      if (!window && this.#refusals.size >= 10_000) this.#refusals.clear();
      window = { start: at, shown: 0, skipped: window?.skipped ?? 0 };
      this.#refusals.set(sourceId, window);
    }
    if (window.shown >= REFUSALS_PER_WINDOW) {
      window.skipped++;
      return undefined;
    }
    window.shown++;
    const skipped = window.skipped;
    window.skipped = 0;
    return skipped;
  }

  /** Deletes verify buffer entries older than the retention period; returns how many. */
  async prune(now = Date.now()): Promise<number> {
    return this.#store.verify.prune(
      systemScope('retention prunes the verify buffer'),
      now - this.#retentionMs,
    );
  }

  /** Retention as a background job of the worker runner: prunes at start, then hourly. */
  retentionJob(intervalMs = 3_600_000): BackgroundJob {
    return {
      name: 'verify-retention',
      intervalMs,
      run: async () => {
        const pruned = await this.prune();
        if (pruned > 0) this.#logger.info({ pruned }, 'verify buffer pruned');
      },
    };
  }

  /** Records what ingest refused or only dry-ran, for the verify buffer. */
  listen(emitter: LifecycleEvents): void {
    emitter.on('ingest:refused', (refusal) => {
      const at = this.#now();
      const skipped = this.#admitRefusal(refusal.sourceId, at);
      if (skipped === undefined) return;
      this.#append(projectScope(refusal.projectId), [
        {
          entryId: entryId(at),
          sourceId: refusal.sourceId,
          receivedAt: at,
          verdict: 'refused',
          reasons: [{ code: refusal.code, message: refusal.message }],
          event: JSON.stringify({
            request: refusal.request,
            origin: refusal.origin,
            request_id: refusal.requestId,
            details: refusal.details,
            ...(skipped > 0 ? { refusals_not_shown_before: skipped } : {}),
          }),
        },
      ]);
    });
    emitter.on('ingest:rejected', (batch) => {
      const at = Date.now();
      this.#append(
        projectScope(batch.projectId),
        batch.rejections.map((r) => ({
          entryId: entryId(at),
          sourceId: batch.sourceId,
          receivedAt: at,
          verdict: 'rejected',
          reasons: [{ code: r.code, message: r.message }],
          event: JSON.stringify(r.event ?? null) ?? 'null',
        })),
      );
    });
    emitter.on('ingest:accepted', (batch) => {
      if (!batch.dryRun) return;
      const at = Date.now();
      this.#append(
        projectScope(batch.projectId),
        batch.events.map((e) => ({
          entryId: entryId(at),
          sourceId: batch.sourceId,
          receivedAt: at,
          verdict: 'dry_run',
          reasons: [],
          event: JSON.stringify({
            type: e.type,
            event: e.eventName,
            userId: e.userId ?? e.accountId,
            anonymousId: e.anonymousId ?? e.distinctId,
            messageId: e.messageId,
            properties: e.properties,
          }),
        })),
      );
    });
  }

  /** Flags an accepted event whose profiles could not merge (TP_ERR_PROFILE_MERGE_CONFLICT). */
  recordConflict(projectId: number, conflict: MergeConflict): Promise<void> {
    const at = Date.now();
    return this.#append(projectScope(projectId), [
      {
        entryId: entryId(at),
        sourceId: conflict.sourceId,
        receivedAt: at,
        verdict: 'warning',
        reasons: [
          {
            code: 'TP_ERR_PROFILE_MERGE_CONFLICT',
            message: `${conflict.identity.type} ${conflict.identity.value} belongs to a profile with another value of a unique ID type; not merged`,
          },
        ],
        event: JSON.stringify({ messageId: conflict.messageId, identity: conflict.identity }),
      },
    ]);
  }

  #append(scope: ProjectScope, entries: Parameters<Store['verify']['append']>[1]): Promise<void> {
    return this.#store.verify
      .append(scope, entries)
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'verify buffer write failed'));
  }

  recent(scope: ProjectScope, sourceId: string, limit = VERIFY_REPLAY): Promise<VerifyEntry[]> {
    return this.#store.verify.recent(scope, sourceId, 0, limit);
  }

  /**
   * Replays the last entries, then pushes new ones as they appear (polling the store) until
   * `signal` aborts. Entries are delivered oldest first.
   */
  async follow(
    scope: ProjectScope,
    sourceId: string,
    push: (entries: VerifyEntry[]) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const seen = new Set<string>();
    const remember = (entries: VerifyEntry[]) => {
      for (const e of entries) seen.add(e.key);
      if (seen.size > 5000) for (const key of [...seen].slice(0, 2500)) seen.delete(key);
    };
    let since = Date.now() - OVERLAP_MS;
    const replay = (await this.recent(scope, sourceId)).reverse();
    remember(replay);
    push(replay);
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
      if (signal.aborted) break;
      const pollStart = Date.now();
      try {
        const fresh = (await this.#store.verify.recent(scope, sourceId, since, 1000))
          .filter((e) => !seen.has(e.key))
          .reverse();
        remember(fresh);
        if (fresh.length > 0) push(fresh);
        since = pollStart - OVERLAP_MS;
      } catch (error) {
        this.#logger.warn({ err: error }, 'verify poll failed');
      }
    }
  }
}

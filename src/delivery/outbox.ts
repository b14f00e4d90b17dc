import type { ProjectScope } from '../access/scope.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { NewMessage } from './model.ts';

/** Messages per transaction: large enough to amortize a commit, small enough to keep a writer short. */
export const OUTBOX_CHUNK = 5000;

export interface EnqueueOptions {
  /** Messages per transaction (default {@link OUTBOX_CHUNK}). */
  readonly chunkSize?: number;
  /**
   * Runs inside each chunk's transaction after its messages are written, e.g. to advance a
   * campaign run's cursor with them, so a crash resumes after the last committed chunk.
   */
  readonly onChunk?: (tx: Repositories, chunk: readonly NewMessage[]) => Promise<void>;
}

/**
 * The durable outbox's writer for large fan-outs (campaigns, journeys): takes messages from any
 * iterable or async iterable (a cursor over an audience, say) and commits them in transactions
 * of `chunkSize`, holding at most one chunk in memory, so a million messages cost no more memory
 * than five thousand. Each chunk is atomic; the caller's `onChunk` records its progress in the
 * same transaction. The send API (at most 10,000 recipients) commits all its messages with the
 * send row in one transaction instead.
 *
 * @example
 *   const queued = await outbox.enqueue(scope, renderAudience(run), {
 *     onChunk: (tx, chunk) => tx.campaigns.advanceRun(scope, run.id, chunk.length),
 *   });
 */
export class Outbox {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #onEnqueued: (projectId: number, messages: number) => void;

  constructor(deps: {
    store: Store;
    now?: () => number;
    /** Called after each chunk commits (wakes the dispatcher in this process). */
    onEnqueued?: (projectId: number, messages: number) => void;
  }) {
    this.#store = deps.store;
    this.#now = deps.now ?? Date.now;
    this.#onEnqueued = deps.onEnqueued ?? (() => {});
  }

  /** Commits every message of `messages`; answers how many were queued. */
  async enqueue(
    scope: ProjectScope,
    messages: Iterable<NewMessage> | AsyncIterable<NewMessage>,
    options: EnqueueOptions = {},
  ): Promise<number> {
    const chunkSize = options.chunkSize ?? OUTBOX_CHUNK;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError('chunkSize must be ≥ 1');
    let queued = 0;
    let chunk: NewMessage[] = [];
    const commit = async () => {
      const batch = chunk;
      chunk = [];
      await this.#store.transaction(async (tx) => {
        await tx.delivery.enqueue(scope, batch, this.#now());
        await options.onChunk?.(tx, batch);
      });
      queued += batch.length;
      this.#onEnqueued(scope.projectId, batch.length);
    };
    for await (const message of messages) {
      if (message.projectId !== scope.projectId)
        throw new RangeError(`message for project ${message.projectId} in project ${scope.projectId}`);
      chunk.push(message);
      if (chunk.length >= chunkSize) await commit();
    }
    if (chunk.length > 0) await commit();
    return queued;
  }
}

import type { EventRejection, NormalizedEvent } from '../ingest/event.ts';
import type { Logger } from './logger.ts';

/** A batch of events committed for one request (duplicates included: they were acknowledged). */
export interface AcceptedEvents {
  readonly projectId: number;
  readonly sourceId: string;
  readonly requestId: string;
  readonly events: readonly NormalizedEvent[];
  /** How many of `events` were already stored (same source and message id). */
  readonly duplicates: number;
  /** `/data_debug` with `dryRun=1`: validated, not stored. */
  readonly dryRun: boolean;
}

/** Events of one request that were refused one by one (listed in the answer's `rejected`). */
export interface RejectedEvents {
  readonly projectId: number;
  readonly sourceId: string;
  readonly requestId: string;
  readonly rejections: readonly (EventRejection & { readonly event: unknown })[];
}

/**
 * A whole request refused after its data source became known (wrong origin, secret, disabled
 * source, a body of the wrong format): nothing of it was stored.
 */
export interface RefusedRequest {
  readonly projectId: number;
  readonly sourceId: string;
  readonly requestId: string;
  /** Method and path, e.g. `POST /v1/t`. */
  readonly request: string | null;
  readonly origin: string | null;
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Every lifecycle event of the process, by name (STYLE "Seams"): ingest now; delivery
 * (`delivery:attempt|delivered|retry|dead`), campaigns and journeys add theirs here.
 */
/** One delivery request and what it meant for the messages it carried. */
export interface DeliveryAttempt {
  readonly projectId: number;
  readonly channelId: string;
  readonly batchId: string;
  readonly result: string;
  readonly reason: string | null;
  readonly status: number | null;
  readonly messages: number;
  readonly latencyMs: number;
  /** Messages by the state this attempt left them in (`delivered`, `queued`, `dead`, …). */
  readonly states: Readonly<Record<string, number>>;
}

export interface LifecycleEventMap {
  'ingest:accepted': AcceptedEvents;
  'ingest:rejected': RejectedEvents;
  'ingest:refused': RefusedRequest;
  'delivery:attempt': DeliveryAttempt;
  /** Messages became due in this process (a send, a replay, a resume): wake the dispatcher. */
  'delivery:queued': { readonly projectId: number; readonly messages: number };
  /** A rate-limited request waited this long for its start (decision 91). */
  'delivery:rate-wait': { readonly waitMs: number };
  /** A completion found its lease lost (fenced out): `messages` recorded late. */
  'delivery:lease-lost': { readonly messages: number };
  /** A campaign was published or resumed in this process: wake the campaign scheduler. */
  'campaign:due': { readonly projectId: number; readonly campaignId: string };
  /** The profile applier recorded fires of event-triggered campaigns: wake their sender. */
  'campaign:fired': { readonly projectId: number; readonly fires: number };
}

export type LifecycleEventName = keyof LifecycleEventMap;
type Listener<K extends LifecycleEventName> = (payload: LifecycleEventMap[K]) => void;

/**
 * The one typed in-process bus of lifecycle events: metrics, the verify stream, logs and worker
 * wake-ups listen here, so the module that emits never imports its listeners. Listeners run
 * synchronously after the outcome is decided; one that throws is logged with the event's name
 * and never reaches the emitter (an answer already decided is never failed by a listener).
 *
 * @example
 *   events.on('ingest:accepted', ({ sourceId, events }) => count(sourceId, events.length));
 *   events.emit('ingest:accepted', batch);
 */
export class LifecycleEvents {
  readonly #logger: Logger | undefined;
  readonly #listeners = new Map<LifecycleEventName, Listener<never>[]>();

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  on<K extends LifecycleEventName>(name: K, listener: Listener<K>): () => void {
    const list = this.#listeners.get(name) ?? [];
    list.push(listener as Listener<never>);
    this.#listeners.set(name, list);
    return () => {
      const current = this.#listeners.get(name) ?? [];
      this.#listeners.set(
        name,
        current.filter((l) => l !== (listener as Listener<never>)),
      );
    };
  }

  emit<K extends LifecycleEventName>(name: K, payload: LifecycleEventMap[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as Listener<K>)(payload);
      } catch (error) {
        this.#logger?.error({ err: error, event: name }, 'a lifecycle event listener failed');
      }
    }
  }
}

import { EventEmitter } from 'node:events';
import type { EventRejection, NormalizedEvent } from './event.ts';

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

export interface IngestEventMap {
  'ingest:accepted': [AcceptedEvents];
  'ingest:rejected': [RejectedEvents];
}

/**
 * The typed in-process emitter of ingest outcomes: metrics and the verify stream listen here.
 * Listeners run synchronously after the answer is decided; a throwing listener is logged by the
 * emitter's owner, never fails the request.
 *
 * @example
 *   ingest.emitter.on('ingest:accepted', ({ sourceId, events }) => count(sourceId, events.length));
 */
export class IngestEmitter extends EventEmitter<IngestEventMap> {}

import { TouchpointError } from '../../../errors.ts';
import { parseIsoTime } from '../../event-time.ts';
import { isObject } from '../fields.ts';
import type { SegmentEnvelope, SegmentType } from './normalize-segment.ts';

/** The Segment paths: long and short forms (browser library) of each call, and the batch. */
export const segmentPaths: Readonly<Record<string, SegmentType | 'batch'>> = {
  batch: 'batch',
  b: 'batch',
  track: 'track',
  t: 'track',
  identify: 'identify',
  i: 'identify',
  page: 'page',
  p: 'page',
  screen: 'screen',
  s: 'screen',
  alias: 'alias',
  a: 'alias',
  group: 'group',
  g: 'group',
};

export interface SegmentRequest {
  readonly writeKey: string | undefined;
  readonly events: readonly unknown[];
  /** The call type of a single-call endpoint; undefined for a batch (each event names its own). */
  readonly pathType: SegmentType | undefined;
  readonly envelope: SegmentEnvelope;
}

/** Splits a parsed Segment body into its events; a body of the wrong shape is 400. */
export function parseSegmentRequest(body: unknown, call: SegmentType | 'batch'): SegmentRequest {
  if (!isObject(body))
    throw new TouchpointError('TP_ERR_INGEST_MALFORMED', {
      reason: `the body must be a JSON object${Array.isArray(body) ? ', not an array' : ''}`,
    });
  const writeKey = typeof body.writeKey === 'string' ? body.writeKey : undefined;
  if (call !== 'batch')
    return {
      writeKey,
      events: [body],
      pathType: call,
      envelope: { context: undefined, integrations: undefined, sentAt: undefined },
    };
  if (!Array.isArray(body.batch))
    throw new TouchpointError('TP_ERR_INGEST_MALFORMED', { reason: 'batch must be an array of events' });
  return {
    writeKey,
    events: body.batch,
    pathType: undefined,
    envelope: {
      context: isObject(body.context) ? body.context : undefined,
      integrations: isObject(body.integrations) ? body.integrations : undefined,
      sentAt: parseIsoTime(body.sentAt),
    },
  };
}

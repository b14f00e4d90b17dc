/** A message as the receiver got it (only its `#ops_receipt_properties` are read). */
export interface ReceiptSource {
  readonly '#ops_receipt_properties'?: unknown;
}

/** A Segment `track` call's parameters (`@segment/analytics-node`'s `TrackParams`). */
export type SegmentTrack = {
  event: string;
  properties: Record<string, unknown>;
} & ({ userId: string; anonymousId?: string } | { userId?: string; anonymousId: string });

/** Who did the step, as the SDK addresses users (at least one). */
export interface ReceiptUser {
  readonly userId?: string;
  readonly anonymousId?: string;
}

/** Who did the step, as ThinkingData addresses users (at least one). */
export interface ThinkingDataUser {
  readonly accountId?: string;
  readonly distinctId?: string;
}

function receiptProperties(
  message: ReceiptSource,
  properties: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const receipt = message['#ops_receipt_properties'];
  const id =
    typeof receipt === 'object' && receipt !== null
      ? (receipt as Record<string, unknown>).ops_request_id
      : undefined;
  if (typeof id !== 'string' || id === '')
    throw new TypeError('the message carries no #ops_receipt_properties.ops_request_id');
  return { ...properties, '#ops_receipt_properties': receipt };
}

/**
 * The Segment `track` call that reports a receipt step of a message back to Touchpoint: pass it
 * to `analytics.track(…)` of `@segment/analytics-node` (or put it in a `/v1/batch` body with
 * `type: "track"`). `step` is the channel's receipt event name, e.g. `ops_push_open`. The
 * message's `#ops_receipt_properties` go into the properties unchanged: that is how Touchpoint
 * attributes the event to the message (once per message and step, however often it is sent).
 *
 * @example
 *   analytics.track(segmentReceipt(message, 'ops_push_open', { userId: message.push_id }));
 */
export function segmentReceipt(
  message: ReceiptSource,
  step: string,
  user: ReceiptUser,
  properties: Readonly<Record<string, unknown>> = {},
): SegmentTrack {
  const base = { event: step, properties: receiptProperties(message, properties) };
  if (user.userId)
    return { ...base, userId: user.userId, ...(user.anonymousId ? { anonymousId: user.anonymousId } : {}) };
  if (user.anonymousId) return { ...base, anonymousId: user.anonymousId };
  throw new TypeError('a receipt needs a userId or an anonymousId');
}

/**
 * The ThinkingData `track` call for the same receipt: pass it to `ta.track(…)` of
 * `thinkingdata-node` (ThinkingData's own `#` keys are left to the SDK).
 *
 * @example
 *   ta.track(thinkingDataReceipt(message, 'ops_push_click', { accountId: message.push_id }));
 */
export function thinkingDataReceipt(
  message: ReceiptSource,
  step: string,
  user: ThinkingDataUser,
  properties: Readonly<Record<string, unknown>> = {},
): { event: string; accountId?: string; distinctId?: string; properties: Record<string, unknown> } {
  if (!user.accountId && !user.distinctId)
    throw new TypeError('a receipt needs an accountId or a distinctId');
  return {
    event: step,
    ...(user.accountId ? { accountId: user.accountId } : {}),
    ...(user.distinctId ? { distinctId: user.distinctId } : {}),
    properties: receiptProperties(message, properties),
  };
}

/** Where an event came from on the wire. */
export type EventFormat = 'segment' | 'thinkingdata';

/** Segment's call types. */
export const segmentTypes = ['track', 'identify', 'page', 'screen', 'alias', 'group'] as const;
/** ThinkingData's `#type` values. */
export const thinkingDataTypes = [
  'track',
  'track_update',
  'track_overwrite',
  'user_set',
  'user_setOnce',
  'user_add',
  'user_unset',
  'user_append',
  'user_uniq_append',
  'user_del',
] as const;

export type EventType = (typeof segmentTypes)[number] | (typeof thinkingDataTypes)[number];

type Json = unknown;

/**
 * One event in the one model every wire format is normalized into. It keeps everything the
 * sender said (unmapped top-level fields go to `extra`), so profiles and audiences can be
 * rebuilt from the store by replaying it.
 */
export interface NormalizedEvent {
  readonly format: EventFormat;
  readonly type: EventType;
  /** `messageId` / `#uuid`, or one generated here when the sender gave none (then no dedupe). */
  readonly messageId: string;
  readonly messageIdGenerated: boolean;
  /** Track event name, page/screen name, or ThinkingData `#event_name`; null otherwise. */
  readonly eventName: string | null;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  readonly accountId: string | null;
  readonly distinctId: string | null;
  /** Alias: the previous id. */
  readonly previousId: string | null;
  /** Group: the group id. ThinkingData track_update/overwrite: `#event_id`. */
  readonly groupId: string | null;
  /** ID types found in user properties (built-in `email`, `phone`, `openid`), e.g. `{email: "a@b"}`. */
  readonly identities: Readonly<Record<string, string>>;
  /** Event properties (track, page, screen) or, for ThinkingData user_* operations, the operands. */
  readonly properties: Readonly<Record<string, Json>>;
  /** User traits (identify, `context.traits`) or group traits. */
  readonly traits: Readonly<Record<string, Json>>;
  readonly context: Readonly<Record<string, Json>>;
  /** Top-level fields of the original event not mapped above (integrations, _metadata, #ip, …). */
  readonly extra: Readonly<Record<string, Json>>;
  /** `#ops_receipt_properties` (from properties), when present. */
  readonly receiptProperties: Readonly<Record<string, Json>> | null;
  /** `#ops_receipt_properties.ops_request_id`: the message this event is a receipt of. */
  readonly opsRequestId: string | null;
  /** When the event happened (epoch ms). */
  readonly eventTime: number;
  /** When the sender sent it (epoch ms), when it says. */
  readonly sentAt: number | null;
  readonly receivedAt: number;
}

/** A per-event verdict that keeps the event out of the store; listed in the answer's `rejected`. */
export interface EventRejection {
  /** 1-based position in the request. */
  readonly index: number;
  readonly code: string;
  readonly message: string;
}

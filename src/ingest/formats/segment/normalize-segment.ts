import { randomUUID } from 'node:crypto';
import { segmentTypes, type NormalizedEvent } from '../../event.ts';
import { eventTimeInRange, parseIsoTime } from '../../event-time.ts';
import type { IngestLimits } from '../../limits.ts';
import {
  EventInvalid,
  identitiesFrom,
  idValue,
  invalid,
  isObject,
  takeReceipt,
  type JsonObject,
} from '../fields.ts';

export type SegmentType = (typeof segmentTypes)[number];

/** Batch-level fields Segment clients put beside `batch` and apply to every event. */
export interface SegmentEnvelope {
  readonly context: JsonObject | undefined;
  readonly integrations: JsonObject | undefined;
  readonly sentAt: number | undefined;
}

// Top-level fields mapped into the model (the rest lands in `extra`). `writeKey` is dropped: it
// can hold the master secret.
const mapped = new Set([
  'type',
  'event',
  'name',
  'userId',
  'anonymousId',
  'previousId',
  'groupId',
  'properties',
  'traits',
  'context',
  'timestamp',
  'originalTimestamp',
  'sentAt',
  'receivedAt',
  'messageId',
  'writeKey',
]);

function optionalObject(event: JsonObject, field: string): JsonObject {
  const value = event[field];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) invalid(`${field} must be an object`);
  return value;
}

function optionalString(event: JsonObject, field: string): string | null {
  const value = event[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') invalid(`${field} must be a string`);
  return value;
}

function noReservedKeys(object: JsonObject, field: string): void {
  for (const key of Object.keys(object))
    if (key.startsWith('#') && key !== '#ops_receipt_properties')
      throw new EventInvalid(
        'TP_ERR_INGEST_INVALID_KEY',
        `${field}.${key.slice(0, 40)}: keys beginning with "#" are reserved`,
      );
}

function id(event: JsonObject, field: string, limits: IngestLimits): string | null {
  const value = idValue(event[field]);
  if (value === false) invalid(`${field} must be a string or a number`);
  if (value !== undefined && value.length > limits.maxIdLength)
    invalid(`${field} is longer than ${limits.maxIdLength} characters`);
  return value ?? null;
}

/**
 * One Segment call (track, identify, page, screen, alias, group) into the event model. `type`
 * comes from the path for the single-call endpoints and from the event in a batch. Throws
 * EventInvalid with the reason for a per-event rejection.
 */
export function normalizeSegmentEvent(
  event: unknown,
  pathType: SegmentType | undefined,
  envelope: SegmentEnvelope,
  receivedAt: number,
  limits: IngestLimits,
): NormalizedEvent {
  if (!isObject(event)) invalid('the event must be a JSON object');
  const rawType = pathType ?? event.type;
  if (typeof rawType !== 'string') invalid('type must be one of track, identify, page, screen, alias, group');
  if (!(segmentTypes as readonly string[]).includes(rawType))
    throw new EventInvalid(
      'TP_ERR_INGEST_EVENT_TYPE_UNKNOWN',
      `type "${rawType.slice(0, 40)}" is not one of ${segmentTypes.join(', ')}`,
    );
  const type = rawType as SegmentType;
  const userId = id(event, 'userId', limits);
  const anonymousId = id(event, 'anonymousId', limits);
  if (userId === null && anonymousId === null) invalid('userId or anonymousId is required');
  const previousId = id(event, 'previousId', limits);
  const groupId = id(event, 'groupId', limits);
  if (type === 'alias' && (previousId === null || userId === null))
    invalid('alias needs userId and previousId');
  if (type === 'group' && groupId === null) invalid('group needs groupId');

  let eventName: string | null = null;
  if (type === 'track') {
    eventName = optionalString(event, 'event');
    if (eventName === null || eventName === '') invalid('track needs event (a non-empty string)');
  } else if (type === 'page' || type === 'screen') {
    eventName = optionalString(event, 'name');
  }

  const propertiesIn = optionalObject(event, 'properties');
  const traits = optionalObject(event, 'traits');
  const eventContext = optionalObject(event, 'context');
  noReservedKeys(propertiesIn, 'properties');
  noReservedKeys(traits, 'traits');
  const context = envelope.context ? { ...envelope.context, ...eventContext } : eventContext;
  const contextTraits = isObject(context.traits) ? context.traits : undefined;

  const given = event.timestamp ?? event.originalTimestamp;
  let eventTime: number;
  if (given === undefined || given === null) eventTime = receivedAt;
  else {
    const parsed = parseIsoTime(given);
    if (parsed === undefined)
      throw new EventInvalid(
        'TP_ERR_INGEST_TIME_OUT_OF_RANGE',
        'timestamp must be ISO 8601 with a time zone',
      );
    eventTime = parsed;
  }
  if (!eventTimeInRange(eventTime, receivedAt))
    throw new EventInvalid(
      'TP_ERR_INGEST_TIME_OUT_OF_RANGE',
      `timestamp ${new Date(eventTime).toISOString()} is before 1971 or more than an hour ahead`,
    );
  const sentAt = parseIsoTime(event.sentAt) ?? envelope.sentAt ?? null;

  const messageIdGiven = id(event, 'messageId', limits);
  const { properties, receipt, opsRequestId } = takeReceipt(propertiesIn);
  const extra: JsonObject = {};
  for (const key of Object.keys(event)) if (!mapped.has(key)) extra[key] = event[key];
  if (extra.integrations === undefined && envelope.integrations !== undefined)
    extra.integrations = envelope.integrations;

  return {
    format: 'segment',
    type,
    messageId: messageIdGiven ?? randomUUID(),
    messageIdGenerated: messageIdGiven === null,
    eventName,
    userId,
    anonymousId,
    accountId: null,
    distinctId: null,
    previousId,
    groupId,
    identities: type === 'group' ? identitiesFrom(contextTraits) : identitiesFrom(contextTraits, traits),
    properties,
    traits,
    context,
    extra,
    receiptProperties: receipt,
    opsRequestId,
    eventTime,
    sentAt,
    receivedAt,
  };
}

import { randomUUID } from 'node:crypto';
import { TouchpointError } from '../../../errors.ts';
import { thinkingDataTypes, type EventType, type NormalizedEvent } from '../../event.ts';
import { eventTimeInRange, parseThinkingDataTime } from '../../event-time.ts';
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

const mapped = new Set([
  '#type',
  '#time',
  '#distinct_id',
  '#account_id',
  '#event_name',
  '#event_id',
  '#uuid',
  '#ip',
  'properties',
]);

/** A `/sync_server` body: a JSON array of events (a single object is taken as one event). */
export function parseThinkingDataBatch(body: unknown): readonly unknown[] {
  if (Array.isArray(body)) return body;
  if (isObject(body)) return [body];
  throw new TouchpointError('TP_ERR_INGEST_MALFORMED', { reason: 'the body must be a JSON array of events' });
}

function id(event: JsonObject, field: string, limits: IngestLimits): string | null {
  const value = idValue(event[field]);
  if (value === false) invalid(`${field} must be a string or a number`);
  if (value !== undefined && value.length > limits.maxIdLength)
    invalid(`${field} is longer than ${limits.maxIdLength} characters`);
  return value ?? null;
}

/**
 * The operands of user_add and user_append / user_uniq_append have a type ThinkingData documents
 * (a number; a list). Anything else would be skipped or wrapped by the profile applier without
 * anyone seeing it, so the event is rejected instead. `#` keys are ThinkingData's own.
 */
function checkOperands(type: EventType, properties: JsonObject): void {
  const list = type === 'user_append' || type === 'user_uniq_append';
  if (type !== 'user_add' && !list) return;
  for (const [key, value] of Object.entries(properties)) {
    if (key.startsWith('#')) continue;
    const name = key.length > 40 ? `${key.slice(0, 40)}…` : key;
    if (type === 'user_add' && (typeof value !== 'number' || !Number.isFinite(value)))
      invalid(`user_add adds numbers: properties.${name} must be a number, not ${describeType(value)}`);
    if (list && !Array.isArray(value))
      invalid(`${type} appends a list: properties.${name} must be an array, not ${describeType(value)}`);
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * One ThinkingData event into the event model. `#time` is the sender's wall clock: read with the
 * event's `#zone_offset` when present, else in the data source's time zone.
 */
export function normalizeThinkingDataEvent(
  event: unknown,
  timeZone: string,
  receivedAt: number,
  limits: IngestLimits,
): NormalizedEvent {
  if (!isObject(event)) invalid('the event must be a JSON object');
  const rawType = event['#type'];
  if (typeof rawType !== 'string') invalid('#type is required');
  if (!(thinkingDataTypes as readonly string[]).includes(rawType))
    throw new EventInvalid(
      'TP_ERR_INGEST_EVENT_TYPE_UNKNOWN',
      `#type "${rawType.slice(0, 40)}" is not one of ${thinkingDataTypes.join(', ')}`,
    );
  const type = rawType as EventType;
  const distinctId = id(event, '#distinct_id', limits);
  const accountId = id(event, '#account_id', limits);
  if (distinctId === null && accountId === null) invalid('#distinct_id or #account_id is required');
  let eventName: string | null = null;
  if (type.startsWith('track')) {
    const name = event['#event_name'];
    if (typeof name !== 'string' || name === '') invalid('#event_name is required for track events');
    eventName = name;
  }
  const eventId = id(event, '#event_id', limits);
  if ((type === 'track_update' || type === 'track_overwrite') && eventId === null)
    invalid(`#event_id is required for ${type}`);
  const propertiesIn = event.properties ?? {};
  if (!isObject(propertiesIn)) invalid('properties must be an object');
  if (event['#time'] === undefined) invalid('#time is required');
  const eventTime = parseThinkingDataTime(event['#time'], timeZone, propertiesIn['#zone_offset']);
  if (eventTime === undefined)
    throw new EventInvalid('TP_ERR_INGEST_TIME_OUT_OF_RANGE', '#time must be "yyyy-MM-dd HH:mm:ss.SSS"');
  if (!eventTimeInRange(eventTime, receivedAt))
    throw new EventInvalid(
      'TP_ERR_INGEST_TIME_OUT_OF_RANGE',
      `#time ${String(event['#time'])} is before 1971 or more than an hour ahead`,
    );
  const uuid = id(event, '#uuid', limits);
  const { properties, receipt, opsRequestId } = takeReceipt(propertiesIn);
  checkOperands(type, properties);
  const context: JsonObject = {};
  if (typeof event['#ip'] === 'string') context.ip = event['#ip'];
  const extra: JsonObject = {};
  for (const key of Object.keys(event)) if (!mapped.has(key)) extra[key] = event[key];
  if (context.ip === undefined && event['#ip'] !== undefined) extra['#ip'] = event['#ip'];
  const setsUser = type === 'user_set' || type === 'user_setOnce';
  return {
    format: 'thinkingdata',
    type,
    messageId: uuid ?? randomUUID(),
    messageIdGenerated: uuid === null,
    eventName,
    userId: null,
    anonymousId: null,
    accountId,
    distinctId,
    previousId: null,
    groupId: eventId,
    identities: setsUser ? identitiesFrom(properties) : {},
    properties,
    traits: {},
    context,
    extra,
    receiptProperties: receipt,
    opsRequestId,
    eventTime,
    sentAt: null,
    receivedAt,
  };
}

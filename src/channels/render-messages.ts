import { uuidv7 } from '../access/ids.ts';
import type { MessageValue, ReceiptProperties, RenderedMessage, RenderedParams } from './message.ts';
import type { ChannelContentConfig } from './model.ts';
import { toStringForm } from './string-form.ts';
import { PLACEHOLDER, type Variable } from './variables.ts';

/** Who a message is for: a profile's identities and properties (and the triggering event's). */
export interface Recipient {
  /** Identities as `{type, value}`; every value of the channel's send ID type is one addressee. */
  readonly identities: readonly { readonly type: string; readonly value: string }[];
  readonly properties: Readonly<Record<string, unknown>>;
  /** Properties of the event that triggered the send (event-triggered flows only). */
  readonly event?: Readonly<Record<string, unknown>>;
}

/** What stays the same for every recipient of one send, campaign run or journey step. */
export interface RenderPlan {
  readonly channel: Pick<ChannelContentConfig, 'sendIdType' | 'template' | 'customParams'>;
  /** Template values already checked against the channel's fields (`checkTemplateValues`). */
  readonly values: Readonly<Record<string, MessageValue>>;
  readonly variables: readonly Variable[];
  /** The project's time zone: dates take their SPEC §3.2 string form in it. */
  readonly timeZone: string;
  readonly receipt: Omit<ReceiptProperties, 'requestId'>;
  /** A new `ops_request_id` per message (a time-ordered UUID v7 by default). */
  readonly newRequestId?: () => string;
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The send-ID values of a recipient: identities of the type, else the property typed by hand. */
export function sendIdValues(sendIdType: string, recipient: Recipient): string[] {
  const values = new Set<string>();
  for (const identity of recipient.identities)
    if (identity.type === sendIdType && identity.value !== '') values.add(identity.value);
  if (values.size === 0) {
    const typed = recipient.properties[sendIdType];
    if ((typeof typed === 'string' && typed !== '') || typeof typed === 'number' || typeof typed === 'bigint')
      values.add(toStringForm(typed, 'UTC'));
  }
  return [...values];
}

function variableValues(plan: RenderPlan, recipient: Recipient, timeZone: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of plan.variables) {
    const source = v.source.from === 'event' ? (recipient.event ?? {}) : recipient.properties;
    const value = source[v.source.property];
    out.set(v.name, isEmpty(value) ? (v.defaultValue ?? '') : toStringForm(value, timeZone));
  }
  return out;
}

/**
 * Renders one recipient's messages (SPEC §3.2, §4.1): template values in their string forms,
 * `${name}` variables replaced inside `dynamic_text` values, custom params from the user's
 * properties with their defaults (`null` when empty without one), one message per value of the
 * channel's send ID type, each with fresh receipt properties. Pure apart from the request ids (random, time-ordered):
 * no I/O. An empty list means the recipient has no send-ID value (`no_send_id`).
 *
 * The result is final text: a driver only frames it, so the outbox can store it and every retry
 * sends the same values.
 *
 * @example
 *   const messages = renderMessages(plan, { identities: profile.identities, properties: profile.properties });
 *   if (messages.length === 0) skipped.push({ index, reason: 'no_send_id' });
 */
export function renderMessages(plan: RenderPlan, recipient: Recipient): RenderedMessage[] {
  const pushIds = sendIdValues(plan.channel.sendIdType, recipient);
  if (pushIds.length === 0) return [];
  const { timeZone } = plan;
  const variables = plan.variables.length > 0 ? variableValues(plan, recipient, timeZone) : undefined;
  const params: Record<string, RenderedParams[string]> = {};
  for (const field of plan.channel.template) {
    const value = plan.values[field.key];
    if (value === null || value === undefined) continue;
    if (Array.isArray(value) && value.every(isPlainObject)) {
      params[field.key] = (value as readonly Record<string, unknown>[]).map((row) => {
        const cells: Record<string, string> = {};
        for (const [column, cell] of Object.entries(row))
          if (cell !== null && cell !== undefined) cells[column] = toStringForm(cell, timeZone);
        return cells;
      });
      continue;
    }
    const text = toStringForm(value, timeZone);
    params[field.key] =
      field.type === 'dynamic_text' && variables
        ? text.replace(PLACEHOLDER, (whole, name: string) => variables.get(name) ?? whole)
        : text;
  }
  const customParams: Record<string, string | null> = {};
  for (const p of plan.channel.customParams) {
    const value = recipient.properties[p.property];
    customParams[p.key] = isEmpty(value) ? p.defaultValue : toStringForm(value, timeZone);
  }
  const newRequestId = plan.newRequestId ?? uuidv7;
  return pushIds.map((pushId) => ({
    pushId,
    params,
    customParams,
    receipt: { ...plan.receipt, requestId: newRequestId() },
  }));
}

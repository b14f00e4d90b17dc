import { toStringForm } from './string-form.ts';

/**
 * The ids every message carries in `#ops_receipt_properties` (SPEC §3.2). `requestId` is a UUID
 * unique per message and the same on every retry and replay of it.
 */
export interface ReceiptProperties {
  readonly requestId: string;
  /** Campaign id. */
  readonly taskId: string;
  /** Run id. */
  readonly taskInstanceId: string;
  readonly projectId: number;
}

/**
 * A value before its string form: a user property, a template value, or (in `params` only) the
 * rows of an `array_row` field, given as an array of plain objects whose cells are values.
 */
export type MessageValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | null
  | undefined
  | readonly unknown[]
  | { readonly [key: string]: unknown };

/**
 * One message as the renderer produces it, for one addressee, before string forms are applied.
 *
 * - `pushId`: this user's value of the channel's `send_id_type`.
 * - `params`: template values by key. `null`/`undefined` leave the key out (an optional field
 *   left empty); an array of plain objects is an `array_row` (each cell gets its string form);
 *   anything else gets its string form.
 * - `customParams`: custom params by key, defaults already applied; `null`/`undefined` is sent as
 *   `null` (an empty property without a default).
 *
 * @example
 *   const message: RenderedMessage = {
 *     pushId: 'r-1001',
 *     params: { title: 'daily activities', attachment: [{ item_id: 'xx1', count: 5 }] },
 *     customParams: { gameuid: '123acb123', level: 12, vip: null },
 *     receipt: { requestId: randomUUID(), taskId: '0050', taskInstanceId: '31', projectId: 1 },
 *   };
 */
export interface RenderedMessage {
  readonly pushId: string | number | bigint;
  readonly params: Readonly<Record<string, MessageValue>>;
  readonly customParams: Readonly<Record<string, MessageValue>>;
  readonly receipt: ReceiptProperties;
}

/** An `array_row` row on the wire: every cell a string. */
export type WireRow = Readonly<Record<string, string>>;

/**
 * One element of the request body, exactly as serialized (key order included). Store this (as
 * JSON text, not a key-reordering type such as PostgreSQL `jsonb`) to re-send identical bytes.
 */
export interface WireMessage {
  readonly push_id: string;
  readonly params: Readonly<Record<string, string | readonly WireRow[]>>;
  readonly custom_params: Readonly<Record<string, string | null>>;
  readonly '#ops_receipt_properties': {
    readonly ops_request_id: string;
    readonly ops_task_id: string;
    readonly ops_task_instance_id: string;
    readonly ops_project_id: number;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function isArrayRows(value: unknown): value is readonly Record<string, unknown>[] {
  return Array.isArray(value) && value.every(isPlainObject);
}

/**
 * Applies the string forms and the wire names to one rendered message.
 *
 * @example
 *   toWireMessage(message, { timeZone: 'Asia/Shanghai' }).custom_params.level; // '12'
 */
export function toWireMessage(message: RenderedMessage, options: { timeZone: string }): WireMessage {
  const { timeZone } = options;
  const params: Record<string, string | WireRow[]> = {};
  for (const [key, value] of Object.entries(message.params)) {
    if (value === null || value === undefined) continue;
    if (isArrayRows(value)) {
      params[key] = value.map((row) => {
        const cells: Record<string, string> = {};
        for (const [column, cell] of Object.entries(row)) {
          if (cell !== null && cell !== undefined) cells[column] = toStringForm(cell, timeZone);
        }
        return cells;
      });
    } else params[key] = toStringForm(value, timeZone);
  }
  const customParams: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(message.customParams)) {
    customParams[key] = value === null || value === undefined ? null : toStringForm(value, timeZone);
  }
  const { receipt } = message;
  return {
    push_id: toStringForm(message.pushId, timeZone),
    params,
    custom_params: customParams,
    '#ops_receipt_properties': {
      ops_request_id: receipt.requestId,
      ops_task_id: String(receipt.taskId),
      ops_task_instance_id: String(receipt.taskInstanceId),
      ops_project_id: receipt.projectId,
    },
  };
}

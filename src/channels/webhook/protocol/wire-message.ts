import type { RenderedMessage } from '../../message.ts';
import { toStringForm } from '../../string-form.ts';

export type { MessageValue, ReceiptProperties, RenderedMessage } from '../../message.ts';

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

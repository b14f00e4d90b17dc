// The kind-neutral message: what the renderer produces and every channel driver delivers.

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

/** `params` after rendering: every value in its string form, `array_row` cells included. */
export type RenderedParams = Readonly<Record<string, string | readonly Readonly<Record<string, string>>[]>>;

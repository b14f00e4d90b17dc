/** One `fail_list` entry after validation: `index` is 1-based and within the batch. */
export interface FailItem {
  readonly index: number;
  readonly message: string | null;
}

/**
 * A receiver's answer body read against SPEC §3.2's response shape:
 *
 * - `unparseable`: empty, not UTF-8 or not JSON.
 * - `not_shape`: JSON, but not an object with an integer `return_code`.
 * - `malformed`: has an integer `return_code` but a known field is wrong (`return_message` not a
 *   string, `data` not an object, `fail_list` not an array, an item not an object, an `index`
 *   missing, `null`, not an integer or outside 1..n, a `message` not a string).
 * - `ok`: the parsed answer; `failures` keeps the first entry of a duplicated index.
 *
 * Tolerated (RELIABILITY decision 12): unknown extra fields, duplicate indexes, an item without
 * `message`, `fail_list` or `data` absent or `null`. With a non-zero `return_code` the
 * `fail_list` is not read at all: the whole batch failed whatever it says.
 */
export type ParsedReceiverResponse =
  | { readonly kind: 'unparseable'; readonly problem: string }
  | { readonly kind: 'not_shape'; readonly problem: string }
  | { readonly kind: 'malformed'; readonly problem: string }
  | {
      readonly kind: 'ok';
      readonly returnCode: number;
      readonly returnMessage: string | null;
      readonly failures: readonly FailItem[];
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads an answer body for a batch of `messageCount` messages. Pure; Content-Type is ignored
 * (receivers mislabel it; the body decides).
 *
 * @example
 *   parseReceiverResponse('{"return_code":0,"data":{"fail_list":[{"index":2,"message":"no token"}]}}', 3);
 *   // { kind: 'ok', returnCode: 0, returnMessage: null, failures: [{ index: 2, message: 'no token' }] }
 */
export function parseReceiverResponse(
  body: Uint8Array | string,
  messageCount: number,
): ParsedReceiverResponse {
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    return { kind: 'unparseable', problem: 'the body is not UTF-8' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { kind: 'unparseable', problem: 'the body is empty' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'unparseable', problem: `the body is not JSON (${(error as Error).message})` };
  }
  if (!isObject(value)) return { kind: 'not_shape', problem: 'the body is not a JSON object' };
  const returnCode = value.return_code;
  if (typeof returnCode !== 'number' || !Number.isInteger(returnCode))
    return { kind: 'not_shape', problem: 'return_code is missing or not an integer' };

  const returnMessage = value.return_message;
  if (returnMessage !== undefined && returnMessage !== null && typeof returnMessage !== 'string')
    return { kind: 'malformed', problem: 'return_message is not a string' };
  const message = typeof returnMessage === 'string' ? returnMessage : null;
  if (returnCode !== 0) return { kind: 'ok', returnCode, returnMessage: message, failures: [] };

  const data = value.data;
  if (data === undefined || data === null)
    return { kind: 'ok', returnCode, returnMessage: message, failures: [] };
  if (!isObject(data)) return { kind: 'malformed', problem: 'data is not an object' };
  const list = data.fail_list;
  if (list === undefined || list === null)
    return { kind: 'ok', returnCode, returnMessage: message, failures: [] };
  if (!Array.isArray(list)) return { kind: 'malformed', problem: 'data.fail_list is not an array' };

  const failures: FailItem[] = [];
  const seen = new Set<number>();
  for (const [position, item] of list.entries()) {
    const where = `data.fail_list[${position}]`;
    if (!isObject(item)) return { kind: 'malformed', problem: `${where} is not an object` };
    const index = item.index;
    if (index === undefined) return { kind: 'malformed', problem: `${where}.index is missing` };
    if (typeof index !== 'number' || !Number.isInteger(index))
      return { kind: 'malformed', problem: `${where}.index is ${JSON.stringify(index)}, not an integer` };
    if (index < 1 || index > messageCount)
      return {
        kind: 'malformed',
        problem: `${where}.index is ${index}; indexes are 1-based and run 1..${messageCount}`,
      };
    const itemMessage = item.message;
    if (itemMessage !== undefined && itemMessage !== null && typeof itemMessage !== 'string')
      return { kind: 'malformed', problem: `${where}.message is not a string` };
    if (seen.has(index)) continue;
    seen.add(index);
    failures.push({ index, message: typeof itemMessage === 'string' ? itemMessage : null });
  }
  return { kind: 'ok', returnCode, returnMessage: message, failures };
}

/** One failed message: `index` is its **1-based** position in the request. */
export interface FailListItem {
  readonly index: number;
  readonly message: string;
}

/** The answer body Touchpoint expects (strict response mode). */
export interface ReceiverResponseBody {
  readonly return_code: number;
  readonly return_message: string;
  readonly data: { readonly fail_list: readonly FailListItem[] };
}

/**
 * What a batch handler returns: nothing when every message succeeded, or one entry per message in
 * request order — `null`/`undefined` for success, a string (the reason) for failure.
 */
export type BatchResults = void | undefined | readonly (string | null | undefined)[];

/**
 * The answer for a (partly) successful batch: `return_code` 0 and the failed messages by 1-based
 * index. Throws on an index that is not a positive integer, because Touchpoint would reject the
 * whole answer (an index 0 is the classic off-by-one).
 *
 * @example
 *   buildResponse([{ index: 2, message: 'push id not found' }]);
 *   // { return_code: 0, return_message: 'success', data: { fail_list: [{ index: 2, message: 'push id not found' }] } }
 */
export function buildResponse(failures: readonly FailListItem[] = []): ReceiverResponseBody {
  for (const item of failures) {
    if (!Number.isInteger(item.index) || item.index < 1)
      throw new RangeError(`fail_list indexes are 1-based positive integers, not ${item.index}`);
  }
  return {
    return_code: 0,
    return_message: 'success',
    data: { fail_list: failures.map((f) => ({ index: f.index, message: String(f.message) })) },
  };
}

/**
 * Converts per-message results (array position 0 = the first message) into a `fail_list`, so
 * handlers never count from 1 themselves.
 *
 * @example
 *   failListFrom([null, 'no such player', null]); // [{ index: 2, message: 'no such player' }]
 */
export function failListFrom(results: BatchResults): FailListItem[] {
  const list: FailListItem[] = [];
  (results ?? []).forEach((result, position) => {
    if (typeof result === 'string') list.push({ index: position + 1, message: result });
  });
  return list;
}

/**
 * The answer that fails the whole batch (`return_code` 1): Touchpoint retries every message.
 *
 * @example
 *   res.end(JSON.stringify(failureResponse('downstream mail system is down')));
 */
export function failureResponse(message: string): ReceiverResponseBody {
  return { return_code: 1, return_message: message, data: { fail_list: [] } };
}

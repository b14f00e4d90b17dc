/**
 * A `Retry-After` value in milliseconds from `nowMs`: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3). A date in the past is 0; anything unreadable is `undefined`. Never capped here: the
 * caller knows its limit (SPEC §4: honored up to 1 h).
 *
 * @example
 *   parseRetryAfter('120', now);                          // 120_000
 *   parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now); // ms until then, or 0
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : Number.MAX_SAFE_INTEGER;
  }
  // IMF-fixdate and the two obsolete forms RFC 9110 still asks recipients to accept.
  if (
    !/^[A-Za-z]{3,9}, ?\d{1,2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT$/.test(text) &&
    !/^[A-Za-z]{3} [A-Za-z]{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/.test(text)
  )
    return undefined;
  const at = Date.parse(/GMT$/.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

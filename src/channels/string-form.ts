/**
 * String forms of SPEC §3.2: every value inside `params` and `custom_params` travels as a string.
 * Integers in decimal, decimals in their shortest round-trip form, booleans `true`/`false`, dates
 * `yyyy-MM-dd HH:mm:ss` in the project's time zone, objects and lists as compact JSON.
 *
 * @example
 *   toStringForm(12.5, 'UTC');                                   // '12.5'
 *   toStringForm(new Date('2026-01-02T03:04:05Z'), 'Asia/Shanghai'); // '2026-01-02 11:04:05'
 *   toStringForm({ a: [1, 2] }, 'UTC');                          // '{"a":[1,2]}'
 */
export function toStringForm(value: unknown, timeZone: string): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) throw new TypeError('null has no string form; the caller decides what null means');
      if (value instanceof Date) return formatDateTime(value, timeZone);
      return compactJson(value);
    default:
      throw new TypeError(`a ${typeof value} has no string form`);
  }
}

/**
 * A number in positional decimal notation with the fewest digits that read back as the same
 * double (what `String(n)` picks), but never in exponent notation: `1e-7` becomes `0.0000001`
 * and `1e21` becomes `1000000000000000000000`, which every receiver's decimal parser accepts.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`${n} has no decimal form`);
  if (Object.is(n, -0)) return '0';
  const shortest = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (!match) return shortest;
  const [, sign = '', lead = '', fraction = '', exponent = '0'] = match;
  const digits = lead + fraction;
  const point = Number(exponent) + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
// The last second formatted per time zone: messages built in one batch mostly share their
// second, and `formatToParts` was a third of building a webhook message (issue 14).
const lastFormatted = new Map<string, { second: number; text: string }>();

/** `yyyy-MM-dd HH:mm:ss` of the instant as a wall clock in `timeZone` (an IANA name). */
export function formatDateTime(date: Date, timeZone: string): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('an invalid Date has no string form');
  const second = Math.floor(ms / 1000);
  const cached = lastFormatted.get(timeZone);
  if (cached?.second === second) return cached.text;
  const text = formatUncached(date, timeZone);
  if (lastFormatted.size > 1000 && !lastFormatted.has(timeZone)) lastFormatted.clear();
  lastFormatted.set(timeZone, { second, text });
  return text;
}

function formatUncached(date: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    dateFormats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(date)) parts[part.type] = part.value;
  const year = (parts.year ?? '').padStart(4, '0');
  return `${year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Compact JSON; a bigint inside an object becomes its decimal string (JSON has no bigint). */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

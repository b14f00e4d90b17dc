const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of `at` in `zone`. */
function wall(
  at: number,
  zone: string,
): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(at)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    y: parts.year ?? 0,
    m: parts.month ?? 1,
    d: parts.day ?? 1,
    h: parts.hour ?? 0,
    mi: parts.minute ?? 0,
    s: parts.second ?? 0,
  };
}

/** Offset of `zone` from UTC at instant `at`, in ms (wall time minus UTC). */
function offsetAt(at: number, zone: string): number {
  const w = wall(at, zone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant of local midnight starting the calendar day `y-m-d` in `zone`. */
export function startOfDay(y: number, m: number, d: number, zone: string): number {
  const utcMidnight = Date.UTC(y, m - 1, d);
  let guess = utcMidnight - offsetAt(utcMidnight, zone);
  // A second pass settles days whose offset differs from the one at UTC midnight (DST).
  guess = utcMidnight - offsetAt(guess, zone);
  return guess;
}

/** The calendar date of `at` in `zone`, shifted by `days`, as [y, m, d]. */
export function localDate(at: number, zone: string, days = 0): [number, number, number] {
  const w = wall(at, zone);
  const shifted = new Date(Date.UTC(w.y, w.m - 1, w.d) + days * DAY_MS);
  return [shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate()];
}

/**
 * Local midnight that starts "the last `days` days" in `zone`: today counts as the first day, so
 * `days = 1` is today since midnight and `days = 7` is today and the six days before it.
 */
export function startOfLastDays(now: number, days: number, zone: string): number {
  const [y, m, d] = localDate(now, zone, -(days - 1));
  return startOfDay(y, m, d, zone);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A condition's date value: `YYYY-MM-DD` is that calendar day in the project's zone (`[start,
 * end)`), a date-time with a zone (`2026-03-01T08:00:00Z`) is that instant (`[t, t + 1)`).
 * Undefined for anything else.
 */
export function parseDateValue(value: string, zone: string): { start: number; end: number } | undefined {
  const day = DATE_ONLY.exec(value);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
      return undefined;
    const next = new Date(Date.UTC(y, m - 1, d) + DAY_MS);
    return {
      start: startOfDay(y, m, d, zone),
      end: startOfDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), zone),
    };
  }
  if (DATE_TIME.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return { start: t, end: t + 1 };
  }
  return undefined;
}

/** Minutes since local midnight of `at` in `zone`, and its local calendar date. */
export function localClock(at: number, zone: string): { y: number; m: number; d: number; minutes: number } {
  const w = wall(at, zone);
  return { y: w.y, m: w.m, d: w.d, minutes: w.h * 60 + w.mi };
}

/**
 * The instant of local time `minutes` past midnight on `y-m-d` (day overflow allowed) in `zone`.
 * A time skipped by a daylight-saving jump lands after the jump.
 */
export function localInstant(y: number, m: number, d: number, minutes: number, zone: string): number {
  const utc = Date.UTC(y, m - 1, d, 0, minutes);
  let guess = utc - offsetAt(utc, zone);
  guess = utc - offsetAt(guess, zone);
  return guess;
}

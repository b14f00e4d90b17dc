const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC in ms at the instant `utcMs`. */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(utcMs)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return asUtc - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/**
 * Reads a wall-clock time in `timeZone` as epoch ms. In a DST gap the time is read with the offset
 * before the gap; in an overlap the earlier instant wins.
 */
export function wallClockToEpoch(
  fields: {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    ms: number;
  },
  timeZone: string,
): number {
  const naive = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    fields.ms,
  );
  const first = naive - zoneOffsetMs(timeZone, naive);
  const second = naive - zoneOffsetMs(timeZone, first);
  return Math.min(first, second);
}

const TE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/**
 * ThinkingData `#time` (`yyyy-MM-dd HH:mm:ss[.SSS]`, local, no zone): read with `#zone_offset`
 * (hours) when the event carries one, else in the data source's time zone. Undefined when
 * unreadable.
 */
export function parseThinkingDataTime(
  raw: unknown,
  timeZone: string,
  zoneOffsetHours: unknown,
): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const m = TE_TIME.exec(raw);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const naive = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2026-02-31 over into March: refuse instead.
  if (new Date(naive).getUTCDate() !== day) return undefined;
  if (
    typeof zoneOffsetHours === 'number' &&
    Number.isFinite(zoneOffsetHours) &&
    Math.abs(zoneOffsetHours) <= 18
  )
    return naive - Math.round(zoneOffsetHours * 3_600_000);
  return wallClockToEpoch({ year, month, day, hour, minute, second, ms }, timeZone);
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A Segment timestamp: ISO 8601 with a zone (or epoch ms as a number). Undefined when unreadable. */
export function parseIsoTime(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string' || !ISO_WITH_ZONE.test(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : ms;
}

/** ING-14: events before 1971 or more than an hour ahead of the server's clock are rejected. */
export const EARLIEST_EVENT_TIME = Date.UTC(1971, 0, 1);
export const MAX_FUTURE_MS = 60 * 60 * 1000;

export function eventTimeInRange(eventTime: number, receivedAt: number): boolean {
  return eventTime >= EARLIEST_EVENT_TIME && eventTime <= receivedAt + MAX_FUTURE_MS;
}

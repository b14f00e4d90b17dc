import { localClock, localInstant } from '../audiences/zoned-day.ts';
import type { Issues } from '../issues.ts';

/** At most `count` messages per user per `periodHours`, on all channels or per channel. */
export interface FrequencyCap {
  readonly count: number;
  readonly periodHours: number;
  /** Count only the messages of the channel being sent on. */
  readonly perChannel: boolean;
}

/** A local-time window (`HH:MM`, end exclusive; may wrap midnight) in which nothing is sent. */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** A project's rules for every send (SPEC §5 "Frequency caps and quiet hours per project"). */
export interface DeliveryRules {
  readonly frequencyCap: FrequencyCap | null;
  readonly quietHours: QuietHours | null;
}

export const noRules: DeliveryRules = { frequencyCap: null, quietHours: null };

/** What a campaign adds: its own cap (its messages only) and what quiet hours do to it. */
export interface CampaignRules {
  readonly campaignId: string;
  readonly frequencyCap: { readonly count: number; readonly periodHours: number } | null;
  /** `delay`: the message waits, queued, until the window ends; `drop`: skipped. */
  readonly quietHours: 'delay' | 'drop';
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const minutesOf = (text: string) => {
  const m = HHMM.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

export function checkQuietHours(q: QuietHours, path: string, issues: Issues): void {
  if (!HHMM.test(q.start)) issues.add(`${path}/start`, 'format', 'must be a time HH:MM such as 21:00');
  if (!HHMM.test(q.end)) issues.add(`${path}/end`, 'format', 'must be a time HH:MM such as 08:00');
  if (HHMM.test(q.start) && q.start === q.end) issues.add(`${path}/end`, 'empty', 'must differ from start');
}

/** A valid IANA time zone name, or undefined. */
export function zoneOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 64) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value;
  } catch {
    return undefined;
  }
}

/** The profile properties read as the user's own time zone, first found wins. */
export const zoneProperties = ['$timezone', 'timezone', 'time_zone', '#zone_name'] as const;

/**
 * When the quiet window around `now` ends for someone in `zone` (the instant the local clock
 * reaches `end`), or null outside the window. Computed on the local calendar, so a day with a
 * daylight-saving change ends the window at the local `end` all the same.
 */
export function quietUntil(now: number, window: QuietHours, zone: string): number | null {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const clock = localClock(now, zone);
  const inside =
    start < end
      ? clock.minutes >= start && clock.minutes < end
      : clock.minutes >= start || clock.minutes < end;
  if (!inside) return null;
  // The end is later today, or — for a window wrapping midnight, entered before midnight — tomorrow.
  const tomorrow = start > end && clock.minutes >= start;
  return localInstant(clock.y, clock.m, clock.d + (tomorrow ? 1 : 0), end, zone);
}

import cronstrue from 'cronstrue';
import 'cronstrue/locales/zh_CN.js';
import type { CampaignTrigger } from '../../api/types.ts';

// A campaign's schedule as the editor types it: times are wall-clock times in the project's time
// zone (SPEC §5: "at a time" and cron both run in it), whatever zone the reader's browser is in,
// and a cron expression is read back in words (cronstrue, English or Simplified Chinese). Pure
// functions, so test/web/campaign-schedule.test.ts checks them without a browser.

/** `Date.UTC` of the wall-clock time `instant` shows in `timeZone`, minus the instant: its offset. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `datetime-local` value read as a wall-clock time in `timeZone` → the ISO instant, or null when
 * empty or malformed. A time skipped by a daylight-saving jump lands after the jump; a time that
 * occurs twice is the first of the two.
 */
export function zonedInputToIso(value: string, timeZone: string): string | null {
  const m = LOCAL.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  // The offset at the guess, then at the corrected instant: two passes settle every real zone.
  let instant = wall - offsetMs(wall, timeZone);
  const second = wall - offsetMs(instant, timeZone);
  if (second !== instant && offsetMs(second, timeZone) === wall - second) instant = second;
  return new Date(instant).toISOString();
}

/** An ISO instant → the `datetime-local` value (minutes) of its wall-clock time in `timeZone`. */
export function isoToZonedInput(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  const instant = new Date(iso).getTime();
  if (Number.isNaN(instant)) return '';
  return new Date(instant + offsetMs(instant, timeZone)).toISOString().slice(0, 16);
}

/** A cron expression in words in `locale`, or null when cronstrue cannot read it. */
export function describeCron(expression: string, locale: string): string | null {
  const text = expression.trim();
  if (!text) return null;
  try {
    return cronstrue.toString(text, {
      locale: locale === 'zh-CN' ? 'zh_CN' : 'en',
      use24HourTimeFormat: true,
      throwExceptionOnParseError: true,
    });
  } catch {
    return null;
  }
}

/** The schedule as the editor holds it: one kind, and the typed value of each. */
export interface ScheduleDraft {
  readonly type: CampaignTrigger['type'];
  /** `datetime-local`, in the project's time zone. */
  readonly at: string;
  readonly cron: string;
  /** `datetime-local`, in the project's time zone; empty: no end. */
  readonly endAt: string;
}

export const emptySchedule: ScheduleDraft = { type: 'now', at: '', cron: '0 9 * * 1', endAt: '' };

/** A saved trigger → what the editor shows. */
export function scheduleOf(trigger: CampaignTrigger, timeZone: string): ScheduleDraft {
  if (trigger.type === 'at')
    return { ...emptySchedule, type: 'at', at: isoToZonedInput(trigger.at, timeZone) };
  if (trigger.type === 'cron')
    return {
      ...emptySchedule,
      type: 'cron',
      cron: trigger.cron,
      endAt: isoToZonedInput(trigger.end_at, timeZone),
    };
  return emptySchedule;
}

/**
 * What the editor holds → the trigger to save. An unreadable time is sent as typed so the server
 * names it (a coded TP_ERR_VALIDATION under `/trigger/at`), rather than silently dropped here.
 */
export function triggerOf(draft: ScheduleDraft, timeZone: string): CampaignTrigger {
  if (draft.type === 'at') return { type: 'at', at: zonedInputToIso(draft.at, timeZone) ?? draft.at };
  if (draft.type === 'cron')
    return {
      type: 'cron',
      cron: draft.cron.trim(),
      end_at: draft.endAt ? (zonedInputToIso(draft.endAt, timeZone) ?? draft.endAt) : null,
    };
  return { type: 'now' };
}

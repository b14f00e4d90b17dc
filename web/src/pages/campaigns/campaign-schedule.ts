import cronstrue from 'cronstrue';
import 'cronstrue/locales/zh_CN.js';
import type { CampaignTrigger, EventTrigger } from '../../api/types.ts';
import type { MessageKey } from '../../i18n/messages.ts';
import { propertyJson, propertyRow, type PropertyRow } from '../audiences/audience-model.ts';

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

/** The console's `t` (i18n.tsx's `Translate`, named here so the server's tsconfig, without JSX, reads this file). */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** How a duration is typed: a number of minutes or of hours. */
export type DurationUnit = 'minutes' | 'hours';

/** The longest delay and "unless" wait the server takes (30 days, decision 128). */
export const MAX_TRIGGER_MINUTES = 43_200;

/** The schedule as the editor holds it: one kind, and the typed value of each. */
export interface ScheduleDraft {
  readonly type: CampaignTrigger['type'];
  /** `datetime-local`, in the project's time zone. */
  readonly at: string;
  readonly cron: string;
  /** `datetime-local`, in the project's time zone; empty: no end (cron and event). */
  readonly endAt: string;
  // An event trigger (decision 128): the event, its property filters, the delay and window.
  readonly event: string;
  readonly filters: readonly PropertyRow[];
  readonly delay: string;
  readonly delayUnit: DurationUnit;
  /** `datetime-local`, in the project's time zone; empty: from publishing. */
  readonly startAt: string;
  /** "Unless the user does … within …, with the same …". */
  readonly unless: boolean;
  readonly unlessEvent: string;
  readonly unlessWithin: string;
  readonly unlessUnit: DurationUnit;
  readonly same: readonly string[];
  /** Property conditions on the "unless" event. */
  readonly unlessFilters: readonly PropertyRow[];
}

export const emptySchedule: ScheduleDraft = {
  type: 'now',
  at: '',
  cron: '0 9 * * 1',
  endAt: '',
  event: '',
  filters: [],
  delay: '0',
  delayUnit: 'minutes',
  startAt: '',
  unless: false,
  unlessEvent: '',
  unlessWithin: '1',
  unlessUnit: 'hours',
  same: [],
  unlessFilters: [],
};

/** Minutes → the number and unit they are shown in: whole hours as hours, else minutes. */
export function durationOf(minutes: number): { value: string; unit: DurationUnit } {
  return minutes > 0 && minutes % 60 === 0
    ? { value: String(minutes / 60), unit: 'hours' }
    : { value: String(minutes), unit: 'minutes' };
}

/** A typed duration → minutes; NaN when it is not a whole number (the editor says so). */
export function minutesOf(value: string, unit: DurationUnit): number {
  const text = value.trim();
  const n = text === '' ? NaN : Number(text);
  return Number.isInteger(n) ? n * (unit === 'hours' ? 60 : 1) : NaN;
}

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
  if (trigger.type === 'event') {
    const delay = durationOf(trigger.delay_minutes ?? 0);
    const within = durationOf(trigger.unless?.within_minutes ?? 60);
    return {
      ...emptySchedule,
      type: 'event',
      event: trigger.event,
      filters: (trigger.filters ?? []).map((f) => propertyRow(f)),
      delay: delay.value,
      delayUnit: delay.unit,
      startAt: isoToZonedInput(trigger.start_at, timeZone),
      endAt: isoToZonedInput(trigger.end_at, timeZone),
      unless: trigger.unless !== null && trigger.unless !== undefined,
      unlessEvent: trigger.unless?.event ?? '',
      unlessWithin: within.value,
      unlessUnit: within.unit,
      same: trigger.unless?.same ?? [],
      unlessFilters: (trigger.unless?.filters ?? []).map((f) => propertyRow(f)),
    };
  }
  return emptySchedule;
}

/**
 * What the editor holds → the trigger to save. An unreadable time is sent as typed so the server
 * names it (a coded TP_ERR_VALIDATION under `/trigger/at`), rather than silently dropped here.
 * `eventProperties` / `unlessProperties`: the trigger's and the "unless" event's property types,
 * so filter values are sent typed.
 */
export function triggerOf(
  draft: ScheduleDraft,
  timeZone: string,
  eventProperties?: ReadonlyMap<string, readonly string[]>,
  unlessProperties?: ReadonlyMap<string, readonly string[]>,
): CampaignTrigger {
  const time = (text: string) => (text ? (zonedInputToIso(text, timeZone) ?? text) : null);
  if (draft.type === 'at') return { type: 'at', at: zonedInputToIso(draft.at, timeZone) ?? draft.at };
  if (draft.type === 'cron') return { type: 'cron', cron: draft.cron.trim(), end_at: time(draft.endAt) };
  if (draft.type === 'event')
    return {
      type: 'event',
      event: draft.event,
      filters: draft.filters
        .filter((f) => f.property !== '')
        .map((f) => propertyJson(f, eventProperties?.get(f.property))),
      delay_minutes: draft.delay.trim() === '' ? 0 : minutesOf(draft.delay, draft.delayUnit),
      start_at: time(draft.startAt),
      end_at: time(draft.endAt),
      unless: draft.unless
        ? {
            event: draft.unlessEvent,
            within_minutes: minutesOf(draft.unlessWithin, draft.unlessUnit),
            same: draft.same,
            filters: draft.unlessFilters
              .filter((f) => f.property !== '')
              .map((f) => propertyJson(f, unlessProperties?.get(f.property))),
          }
        : null,
    };
  return { type: 'now' };
}

/**
 * What the editor checks itself before saving an event trigger, as issue path → message key. The
 * server checks the same, but its schema answers for a four-way `oneOf` name the first form's
 * rule (`/trigger/type`), so the console names the field.
 */
export function eventTriggerIssues(draft: ScheduleDraft): Record<string, MessageKey> {
  const issues: Record<string, MessageKey> = {};
  if (draft.type !== 'event') return issues;
  if (!draft.event) issues['/trigger/event'] = 'validation.required';
  const delay = draft.delay.trim() === '' ? 0 : minutesOf(draft.delay, draft.delayUnit);
  if (!(delay >= 0 && delay <= MAX_TRIGGER_MINUTES))
    issues['/trigger/delay_minutes'] = 'campaigns.durationRange';
  if (draft.unless) {
    if (!draft.unlessEvent) issues['/trigger/unless/event'] = 'validation.required';
    const within = minutesOf(draft.unlessWithin, draft.unlessUnit);
    if (!(within >= 1 && within <= MAX_TRIGGER_MINUTES))
      issues['/trigger/unless/within_minutes'] = 'campaigns.durationRange';
  }
  for (const [i, f] of draft.filters.entries())
    if (f.property !== '' && f.operator === '')
      issues[`/trigger/filters/${i}/operator`] = 'validation.required';
  return issues;
}

/** "10 minutes", "1 hour", "2 days": the largest whole unit. */
export function durationText(minutes: number, t: Translate): string {
  const [n, unit] =
    minutes > 0 && minutes % 1440 === 0
      ? [minutes / 1440, 'days']
      : minutes > 0 && minutes % 60 === 0
        ? [minutes / 60, 'hours']
        : [minutes, 'minutes'];
  return t(`campaigns.duration.${unit}.${n === 1 ? 'one' : 'other'}` as MessageKey, { n });
}

const symbols: Record<string, string> = { equals: '=', not_equals: '≠', greater_than: '>', less_than: '<' };
const shownValue = (v: unknown) => (typeof v === 'string' ? `"${v}"` : String(v));

/** One property condition in words: `price > 100`, `plan is one of "a", "b"`. */
export function filterText(filter: Readonly<Record<string, unknown>>, t: Translate): string {
  const property = String(filter.property ?? '');
  const operator = String(filter.operator ?? '');
  const values = Array.isArray(filter.values) ? (filter.values as unknown[]) : [];
  // A row still being typed reads as such rather than as "price undefined".
  if (!operator) return `${property} …`;
  const symbol = symbols[operator];
  if (symbol) return `${property} ${symbol} ${shownValue(filter.value)}`;
  if (operator === 'between')
    return t('campaigns.filter.between', {
      property,
      from: shownValue(values[0]),
      to: shownValue(values[1]),
    });
  if (operator === 'within_last_days')
    return t('campaigns.filter.withinDays', { property, days: String(filter.days ?? '') });
  const label = t(`audiences.op.${operator}` as MessageKey);
  if (operator === 'in' || operator === 'not_in')
    return `${property} ${label} ${values.map(shownValue).join(', ')}`;
  if (filter.value === undefined) return `${property} ${label}`;
  return `${property} ${label} ${shownValue(filter.value)}`;
}

/**
 * An event trigger in words: "Each time Added To Cart happens (price > 100), 10 minutes later,
 * unless Order Completed with the same cart_id within 1 hour". The listening window (start and
 * end) is left to the caller, which formats times in the project's zone.
 */
export function describeEventTrigger(trigger: EventTrigger, t: Translate): string {
  const filters = (trigger.filters ?? []).map((f) => filterText(f, t));
  const delay = trigger.delay_minutes ?? 0;
  const base = t('campaigns.trigger.event', {
    event: trigger.event || '…',
    filters: filters.length ? t('campaigns.trigger.eventFilters', { filters: filters.join(', ') }) : '',
    delay:
      delay === 0
        ? t('campaigns.trigger.atOnce')
        : t('campaigns.trigger.later', {
            duration: Number.isFinite(delay) ? durationText(delay, t) : '…',
          }),
  });
  const unless = trigger.unless;
  if (!unless) return base;
  const duration = Number.isFinite(unless.within_minutes) ? durationText(unless.within_minutes, t) : '…';
  return (
    base +
    (unless.same?.length
      ? t('campaigns.trigger.unlessSame', {
          event: unless.event || '…',
          same: unless.same.join(', '),
          duration,
        })
      : t('campaigns.trigger.unless', { event: unless.event || '…', duration }))
  );
}

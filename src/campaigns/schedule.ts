import { Cron } from 'croner';
import type { PropertyConditionJson } from '../audiences/model.ts';
import { parseEventFilters } from '../audiences/parse-conditions.ts';
import { TouchpointError } from '../errors.ts';
import type { Issues } from '../issues.ts';
import type { CampaignTrigger, EventTrigger } from './model.ts';

/** An event trigger as the API carries it. */
export interface EventTriggerJson {
  readonly type: 'event';
  readonly event: string;
  readonly filters?: readonly PropertyConditionJson[];
  readonly delay_minutes?: number;
  readonly start_at?: string | null;
  readonly end_at?: string | null;
  readonly unless?: {
    readonly event: string;
    readonly within_minutes: number;
    readonly same?: readonly string[];
    readonly filters?: readonly PropertyConditionJson[];
  } | null;
}

/** A trigger as the API carries it. */
export type TriggerJson =
  | { readonly type: 'now' }
  | { readonly type: 'at'; readonly at: string }
  | { readonly type: 'cron'; readonly cron: string; readonly end_at?: string | null }
  | EventTriggerJson;

/** Longest delay and "unless" wait of an event trigger: 30 days. */
export const MAX_TRIGGER_MINUTES = 43_200;

export interface CronOptions {
  /** Six-field expressions with seconds (tests); five fields otherwise. */
  readonly seconds: boolean;
}

function cronOf(expression: string, timeZone: string, options: CronOptions): Cron {
  return new Cron(expression, {
    timezone: timeZone,
    paused: true,
    mode: options.seconds ? '5-or-6-parts' : '5-part',
  });
}

function parseTime(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isFinite(ms) && /\d{4}-\d{2}-\d{2}T/.test(text) ? ms : undefined;
}

/** Checks event filters as audience filters are checked, adding a problem to `issues`. */
function checkFilters(filters: unknown, path: string, timeZone: string, issues: Issues): void {
  try {
    parseEventFilters(filters, { timeZone, now: Date.now() }, path);
  } catch (error) {
    if (!(error instanceof TouchpointError)) throw error;
    const details = error.details as { path?: string; reason?: string };
    issues.add(details.path ?? path, details.reason ?? error.code, error.message);
  }
}

function optionalTime(text: string | null | undefined, path: string, issues: Issues): number | null {
  if (text === undefined || text === null) return null;
  const ms = parseTime(text);
  if (ms === undefined) issues.add(path, 'format', 'must be a date-time such as 2027-01-31T00:00:00Z');
  return ms ?? null;
}

function parseEventTrigger(json: EventTriggerJson, timeZone: string, issues: Issues): EventTrigger {
  checkFilters(json.filters ?? [], '/trigger/filters', timeZone, issues);
  const startAt = optionalTime(json.start_at, '/trigger/start_at', issues);
  const endAt = optionalTime(json.end_at, '/trigger/end_at', issues);
  if (startAt !== null && endAt !== null && endAt <= startAt)
    issues.add('/trigger/end_at', 'order', 'must be after start_at');
  let unless: EventTrigger['unless'] = null;
  if (json.unless) {
    checkFilters(json.unless.filters ?? [], '/trigger/unless/filters', timeZone, issues);
    unless = {
      event: json.unless.event,
      withinMinutes: json.unless.within_minutes,
      same: [...new Set(json.unless.same ?? [])],
      filters: json.unless.filters ?? [],
    };
  }
  return {
    type: 'event',
    event: json.event,
    filters: json.filters ?? [],
    delayMinutes: json.delay_minutes ?? 0,
    startAt,
    endAt,
    unless,
  };
}

/** Reads a trigger, adding problems to `issues` under `/trigger`. */
export function parseTrigger(
  json: TriggerJson,
  timeZone: string,
  options: CronOptions,
  issues: Issues,
): CampaignTrigger | undefined {
  if (json.type === 'now') return { type: 'now' };
  if (json.type === 'event') return parseEventTrigger(json, timeZone, issues);
  if (json.type === 'at') {
    const at = parseTime(json.at);
    if (at === undefined) {
      issues.add('/trigger/at', 'format', 'must be a date-time such as 2026-12-24T09:00:00+08:00');
      return undefined;
    }
    return { type: 'at', at };
  }
  let endAt: number | null = null;
  if (json.end_at !== undefined && json.end_at !== null) {
    const end = parseTime(json.end_at);
    if (end === undefined)
      issues.add('/trigger/end_at', 'format', 'must be a date-time such as 2027-01-31T00:00:00Z');
    else endAt = end;
  }
  try {
    const cron = cronOf(json.cron, timeZone, options);
    if (cron.nextRun(new Date()) === null)
      issues.add('/trigger/cron', 'never', 'never matches a future time');
  } catch (error) {
    const fields = options.seconds ? '5 or 6 fields (seconds first)' : '5 fields';
    issues.add(
      '/trigger/cron',
      'cron',
      `must be a cron expression of ${fields}, e.g. "0 9 * * 1" for 09:00 every Monday (${(error as Error).message.replace(/^CronPattern: /, '')})`,
    );
    return undefined;
  }
  return { type: 'cron', cron: json.cron, endAt };
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function triggerJson(trigger: CampaignTrigger): TriggerJson {
  if (trigger.type === 'now') return { type: 'now' };
  if (trigger.type === 'event')
    return {
      type: 'event',
      event: trigger.event,
      filters: trigger.filters,
      delay_minutes: trigger.delayMinutes,
      start_at: isoOrNull(trigger.startAt),
      end_at: isoOrNull(trigger.endAt),
      unless: trigger.unless && {
        event: trigger.unless.event,
        within_minutes: trigger.unless.withinMinutes,
        same: trigger.unless.same,
        filters: trigger.unless.filters,
      },
    };
  if (trigger.type === 'at') return { type: 'at', at: new Date(trigger.at).toISOString() };
  return {
    type: 'cron',
    cron: trigger.cron,
    end_at: isoOrNull(trigger.endAt),
  };
}

/**
 * The first run strictly after `afterMs` (null: none, e.g. past a cron's end). A campaign that
 * was down for several periods fires once, for the latest missed time, and then continues from
 * now: the scheduler asks for the next run after the current time, not after the missed one.
 */
export function nextRunAfter(
  trigger: CampaignTrigger,
  afterMs: number,
  timeZone: string,
  options: CronOptions,
): number | null {
  if (trigger.type !== 'cron') return null;
  const next = cronOf(trigger.cron, timeZone, options).nextRun(new Date(afterMs));
  if (!next) return null;
  const at = next.getTime();
  return trigger.endAt !== null && at > trigger.endAt ? null : at;
}

/**
 * When a published campaign first fires. An event campaign "fires" once, when it starts
 * listening (its start, or now); null when its window has already ended.
 */
export function firstRunAt(
  trigger: CampaignTrigger,
  nowMs: number,
  timeZone: string,
  options: CronOptions,
): number | null {
  if (trigger.type === 'now') return nowMs;
  if (trigger.type === 'event') {
    if (trigger.endAt !== null && trigger.endAt <= nowMs) return null;
    return Math.max(nowMs, trigger.startAt ?? nowMs);
  }
  if (trigger.type === 'at') return trigger.at;
  return nextRunAfter(trigger, nowMs, timeZone, options);
}

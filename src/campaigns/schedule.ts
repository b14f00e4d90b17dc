import { Cron } from 'croner';
import type { Issues } from '../issues.ts';
import type { CampaignTrigger } from './model.ts';

/** A trigger as the API carries it. */
export type TriggerJson =
  | { readonly type: 'now' }
  | { readonly type: 'at'; readonly at: string }
  | { readonly type: 'cron'; readonly cron: string; readonly end_at?: string | null };

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

/** Reads a trigger, adding problems to `issues` under `/trigger`. */
export function parseTrigger(
  json: TriggerJson,
  timeZone: string,
  options: CronOptions,
  issues: Issues,
): CampaignTrigger | undefined {
  if (json.type === 'now') return { type: 'now' };
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

export function triggerJson(trigger: CampaignTrigger): TriggerJson {
  if (trigger.type === 'now') return { type: 'now' };
  if (trigger.type === 'at') return { type: 'at', at: new Date(trigger.at).toISOString() };
  return {
    type: 'cron',
    cron: trigger.cron,
    end_at: trigger.endAt === null ? null : new Date(trigger.endAt).toISOString(),
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

/** When a published campaign first fires. */
export function firstRunAt(
  trigger: CampaignTrigger,
  nowMs: number,
  timeZone: string,
  options: CronOptions,
): number | null {
  if (trigger.type === 'now') return nowMs;
  if (trigger.type === 'at') return trigger.at;
  return nextRunAfter(trigger, nowMs, timeZone, options);
}

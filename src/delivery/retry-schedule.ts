/** SPEC §4: retries after 5 s, 30 s, 2 min, 10 min, 30 min, 2 h, 6 h and 12 h. */
export const defaultRetrySchedule: readonly number[] = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 7_200_000, 21_600_000, 43_200_000,
];

/** SPEC §4: `Retry-After` is honored up to one hour. */
export const maxRetryAfterMs = 3_600_000;

/** SPEC §4: ±20 % jitter on every scheduled retry. */
export const retryJitter = 0.2;

/**
 * When the next attempt of a message may start after its `attempts`-th failed attempt, or
 * `undefined` when the schedule is exhausted (the message becomes `dead`). The delay is the
 * schedule's entry spread by ±20 %; a receiver's `Retry-After` (capped at one hour) is a floor,
 * never shortened by the jitter.
 *
 * @example
 *   nextAttemptAt(1, now, { schedule: defaultRetrySchedule }); // now + 5 s ± 1 s
 *   nextAttemptAt(9, now, { schedule: defaultRetrySchedule }); // undefined: dead
 */
export function nextAttemptAt(
  attempts: number,
  nowMs: number,
  options: {
    readonly schedule: readonly number[];
    readonly retryAfterMs?: number;
    readonly random?: () => number;
  },
): number | undefined {
  const delay = options.schedule[attempts - 1];
  if (delay === undefined) return undefined;
  const random = options.random ?? Math.random;
  const jittered = Math.round(delay * (1 + retryJitter * (2 * random() - 1)));
  const floor = Math.min(options.retryAfterMs ?? 0, maxRetryAfterMs);
  return nowMs + Math.max(jittered, floor);
}

/**
 * Parses `TOUCHPOINT_DELIVERY_RETRY_SCHEDULE`: durations separated by commas (`250ms`, `5s`,
 * `2m`, `6h`), so tests shrink the schedule without faking time. Throws a message naming the bad
 * entry.
 */
export function parseRetrySchedule(raw: string): number[] {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const out = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(entry);
      if (!match) throw new Error(`"${entry}" is not a duration such as 250ms, 5s, 2m or 6h`);
      const ms = Math.round(Number(match[1]) * (units[match[2] as string] as number));
      if (ms > 7 * 86_400_000) throw new Error(`"${entry}" is longer than 7 days`);
      return ms;
    });
  if (out.length === 0) throw new Error('needs at least one duration');
  if (out.length > 20) throw new Error('holds at most 20 retries');
  return out;
}

// The per-channel delivery aggregate behind the console's charts (issue 17, decision 78): what one
// completed request adds to its channel's minute, and how a range of minutes becomes chart points
// (messages/s by outcome, error rate, p50/p99 latency). Pure: rows and the clock come in.

/** What an attempt meant for a message (`message_attempts.outcome`), as the charts count them. */
export const statsOutcomes = ['delivered', 'sent', 'retry', 'failed', 'dead', 'held'] as const;
export type StatsOutcome = (typeof statsOutcomes)[number];

/**
 * Upper bounds (ms, inclusive) of the latency histogram's buckets, log-spaced 1-1.5-2-3-5-7 so a
 * quantile read from them is within about ±25 % anywhere from 1 ms to 2 minutes; the last bucket
 * holds everything slower. Fixed forever: the columns `latency_00…latency_29` count by these.
 */
export const latencyBounds: readonly number[] = [
  1,
  2,
  3,
  5,
  7,
  10,
  15,
  20,
  30,
  50,
  70,
  100,
  150,
  200,
  300,
  500,
  700,
  1000,
  1500,
  2000,
  3000,
  5000,
  7000,
  10_000,
  15_000,
  20_000,
  30_000,
  60_000,
  120_000,
  Number.POSITIVE_INFINITY,
];

/** The histogram bucket of a request's latency. */
export function latencyBucket(latencyMs: number): number {
  const ms = Math.max(0, latencyMs);
  const i = latencyBounds.findIndex((bound) => ms <= bound);
  return i === -1 ? latencyBounds.length - 1 : i;
}

/** One minute of one channel: what the requests completed in it added up to. */
export interface StatsCounts {
  readonly requests: number;
  /** Requests whose result was `failure` (nothing accepted). */
  readonly requestErrors: number;
  /** Requests whose result was `partial` (some items refused). */
  readonly requestPartial: number;
  readonly messages: Readonly<Record<StatsOutcome, number>>;
  /** Messages whose completion came after their lease was lost (recorded, changed nothing). */
  readonly late: number;
  readonly latencyMsSum: number;
  /** Requests per latency bucket, `latencyBounds.length` long. */
  readonly latency: readonly number[];
}

/** What one completed request adds to its channel's minute (`record` upserts it). */
export interface StatsIncrement extends StatsCounts {
  readonly projectId: number;
  readonly channelId: string;
  /** Epoch ms of the minute's start. */
  readonly minute: number;
}

/** A stored minute of one channel. */
export interface StatsMinute extends StatsCounts {
  readonly minute: number;
}

export const minuteMs = 60_000;

export const emptyMessages = (): Record<StatsOutcome, number> => ({
  delivered: 0,
  sent: 0,
  retry: 0,
  failed: 0,
  dead: 0,
  held: 0,
});

/**
 * The increment for one request: its result and latency, and each carried message's outcome
 * (late ones counted apart, since they changed nothing). `finishedAt` picks the minute.
 */
export function requestIncrement(request: {
  projectId: number;
  channelId: string;
  finishedAt: number;
  result: string;
  latencyMs: number;
  outcomes: readonly { outcome: string; late: boolean }[];
}): StatsIncrement {
  const messages = emptyMessages();
  let late = 0;
  for (const { outcome, late: isLate } of request.outcomes) {
    if (isLate) late += 1;
    else if (outcome in messages) messages[outcome as StatsOutcome] += 1;
  }
  const latency = latencyBounds.map(() => 0);
  latency[latencyBucket(request.latencyMs)] = 1;
  return {
    projectId: request.projectId,
    channelId: request.channelId,
    minute: Math.floor(request.finishedAt / minuteMs) * minuteMs,
    requests: 1,
    requestErrors: request.result === 'failure' ? 1 : 0,
    requestPartial: request.result === 'partial' ? 1 : 0,
    messages,
    late,
    latencyMsSum: Math.max(0, Math.round(request.latencyMs)),
    latency,
  };
}

/** Two increments of the same channel and minute added together (a group commit records one). */
export function addIncrements(a: StatsIncrement, b: StatsIncrement): StatsIncrement {
  const messages = emptyMessages();
  for (const k of Object.keys(messages) as StatsOutcome[]) messages[k] = a.messages[k] + b.messages[k];
  return {
    ...a,
    requests: a.requests + b.requests,
    requestErrors: a.requestErrors + b.requestErrors,
    requestPartial: a.requestPartial + b.requestPartial,
    messages,
    late: a.late + b.late,
    latencyMsSum: a.latencyMsSum + b.latencyMsSum,
    latency: a.latency.map((n, i) => n + (b.latency[i] ?? 0)),
  };
}

/**
 * The latency at quantile `q` (0..1) of a histogram, interpolated linearly inside the bucket that
 * holds it (as Prometheus' `histogram_quantile`); the open last bucket answers its lower bound.
 * Null for an empty histogram.
 */
export function latencyQuantile(latency: readonly number[], q: number): number | null {
  const total = latency.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const [i, n] of latency.entries()) {
    if (n === 0) continue;
    if (seen + n >= rank) {
      const lower = i === 0 ? 0 : (latencyBounds[i - 1] as number);
      const upper = latencyBounds[i] as number;
      if (!Number.isFinite(upper)) return lower;
      return lower + (upper - lower) * Math.min(1, Math.max(0, (rank - seen) / n));
    }
    seen += n;
  }
  return latencyBounds.at(-2) as number;
}

export type StatsRange = '1h' | '24h';

/** Each range's length and the width of one chart point. */
export const statsRanges: Readonly<
  Record<StatsRange, { readonly lengthMs: number; readonly stepMs: number }>
> = {
  '1h': { lengthMs: 3_600_000, stepMs: minuteMs },
  '24h': { lengthMs: 86_400_000, stepMs: 15 * minuteMs },
};

export interface StatsPoint {
  /** Start of the point's interval. */
  readonly at: number;
  readonly requests: number;
  readonly messages: Readonly<Record<StatsOutcome, number>>;
  /** Messages per second by outcome over the point's interval. */
  readonly messagesPerSecond: Readonly<Record<StatsOutcome, number>>;
  /** Failed requests ÷ requests; null without requests. */
  readonly errorRate: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface StatsSeries {
  readonly range: StatsRange;
  readonly stepMs: number;
  readonly from: number;
  readonly to: number;
  readonly totals: Omit<StatsPoint, 'at' | 'messagesPerSecond'> & {
    readonly requestErrors: number;
    readonly requestPartial: number;
    readonly late: number;
  };
  readonly points: readonly StatsPoint[];
}

/** Where a range ends: the end of the step holding `nowMs`, so the current step is the last point. */
export function rangeWindow(range: StatsRange, nowMs: number): { from: number; to: number; stepMs: number } {
  const { lengthMs, stepMs } = statsRanges[range];
  const to = Math.floor(nowMs / stepMs) * stepMs + stepMs;
  return { from: to - lengthMs, to, stepMs };
}

function add(into: { latency: number[]; messages: Record<StatsOutcome, number> }, row: StatsCounts) {
  for (const o of statsOutcomes) into.messages[o] += row.messages[o];
  for (const [i, n] of row.latency.entries()) into.latency[i] = (into.latency[i] ?? 0) + n;
}

/**
 * Chart points for a range from the stored minutes: one point per step (empty steps included, so
 * the time axis is even), rates over the step's full length, and totals for the whole range.
 */
export function buildSeries(range: StatsRange, nowMs: number, minutes: readonly StatsMinute[]): StatsSeries {
  const { from, to, stepMs } = rangeWindow(range, nowMs);
  const steps = Math.round((to - from) / stepMs);
  const acc = Array.from({ length: steps }, () => ({
    requests: 0,
    errors: 0,
    messages: emptyMessages(),
    latency: latencyBounds.map(() => 0),
  }));
  const total = {
    requests: 0,
    errors: 0,
    partial: 0,
    late: 0,
    messages: emptyMessages(),
    latency: latencyBounds.map(() => 0),
  };
  for (const row of minutes) {
    if (row.minute < from || row.minute >= to) continue;
    const slot = acc[Math.floor((row.minute - from) / stepMs)];
    if (!slot) continue;
    slot.requests += row.requests;
    slot.errors += row.requestErrors;
    add(slot, row);
    total.requests += row.requests;
    total.errors += row.requestErrors;
    total.partial += row.requestPartial;
    total.late += row.late;
    add(total, row);
  }
  const seconds = stepMs / 1000;
  return {
    range,
    stepMs,
    from,
    to,
    totals: {
      requests: total.requests,
      requestErrors: total.errors,
      requestPartial: total.partial,
      late: total.late,
      messages: total.messages,
      errorRate: total.requests === 0 ? null : total.errors / total.requests,
      p50Ms: latencyQuantile(total.latency, 0.5),
      p99Ms: latencyQuantile(total.latency, 0.99),
    },
    points: acc.map((slot, i) => ({
      at: from + i * stepMs,
      requests: slot.requests,
      messages: slot.messages,
      messagesPerSecond: Object.fromEntries(
        statsOutcomes.map((o) => [o, slot.messages[o] / seconds]),
      ) as Record<StatsOutcome, number>,
      errorRate: slot.requests === 0 ? null : slot.errors / slot.requests,
      p50Ms: latencyQuantile(slot.latency, 0.5),
      p99Ms: latencyQuantile(slot.latency, 0.99),
    })),
  };
}

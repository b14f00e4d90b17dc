import { TouchpointError } from '../errors.ts';

export interface WindowLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Test sends allowed per member and per project (SSRF-17, OWASP API6 flow abuse). */
export interface TestSendLimits {
  readonly perMember: WindowLimit;
  readonly perProject: WindowLimit;
}

export const defaultTestSendLimits: TestSendLimits = {
  perMember: { limit: 10, windowMs: 60_000 },
  perProject: { limit: 60, windowMs: 60_000 },
};

/**
 * Sliding-window counters (start times kept per key) for outbound requests made on an
 * operator's demand: test sends and enum-option previews. Per process: a test send is an
 * interactive action, and a limit that holds per API process is enough to stop one member or
 * project from turning Touchpoint into a scanner. Keys always name the project (MT-15).
 */
export class TestSendLimiter {
  readonly #limits: TestSendLimits;
  readonly #now: () => number;
  readonly #starts = new Map<string, number[]>();

  constructor(limits: TestSendLimits = defaultTestSendLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  #recent(key: string, windowMs: number, now: number): number[] {
    const list = (this.#starts.get(key) ?? []).filter((t) => now - t < windowMs);
    this.#starts.set(key, list);
    return list;
  }

  /** Counts one request, or throws 429 `TP_ERR_RATE_LIMITED` with Retry-After. */
  take(projectId: number, accountId: string): void {
    const now = this.#now();
    if (this.#starts.size > 50_000) this.#starts.clear();
    const checks: [string, { limit: number; windowMs: number }, string][] = [
      [`m:${projectId}:${accountId}`, this.#limits.perMember, 'member'],
      [`p:${projectId}`, this.#limits.perProject, 'project'],
    ];
    const lists = checks.map(([key, limit]) => this.#recent(key, limit.windowMs, now));
    checks.forEach(([, limit, scope], i) => {
      const list = lists[i] as number[];
      if (list.length >= limit.limit) {
        const retryAfter = Math.max(1, Math.ceil(((list[0] as number) + limit.windowMs - now) / 1000));
        throw new TouchpointError(
          'TP_ERR_RATE_LIMITED',
          { scope, limit: limit.limit, window_s: limit.windowMs / 1000 },
          { retryAfter, message: `Too many test requests for this ${scope}; retry after ${retryAfter} s.` },
        );
      }
    });
    for (const list of lists) list.push(now);
  }
}

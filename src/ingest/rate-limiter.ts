/**
 * Per-source event rate limit (events per second), one token bucket per source in this process.
 * A bucket holds at most one second of events; a request is admitted while the bucket is not in
 * debt and then charged all its events, so a batch larger than the rate still passes once and
 * the next request waits until the debt is paid (Retry-After).
 *
 * The limit is per process: with N API processes a source may send up to N × the rate.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number; rate: number }>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  #bucket(key: string, rate: number) {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (!bucket || bucket.rate !== rate) {
      bucket = { tokens: rate, at: now, rate };
      this.#buckets.set(key, bucket);
      // Forget idle sources now and then so the map stays bounded by the active ones.
      if (this.#buckets.size > 10_000) this.#sweep(now);
      return bucket;
    }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    return bucket;
  }

  #sweep(now: number) {
    for (const [key, b] of this.#buckets)
      if (now - b.at > 2000 && b.tokens + ((now - b.at) / 1000) * b.rate >= b.rate) this.#buckets.delete(key);
  }

  /** Seconds to wait before `key` may send again; 0 when it may send now. `rate` 0 = no limit. */
  retryAfter(key: string, rate: number): number {
    if (rate <= 0) return 0;
    const bucket = this.#bucket(key, rate);
    // At least one event's worth of tokens admits a request; its whole batch is charged after.
    return bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
  }

  /** Charges `events` to `key`'s bucket. */
  charge(key: string, rate: number, events: number): void {
    if (rate <= 0) return;
    this.#bucket(key, rate).tokens -= events;
  }
}

/**
 * The most timestamps (ms) in any half-open window `(t - windowMs, t]`: what SPEC §4's "no more
 * than R requests start in any sliding 1-second window" bounds. Sorts a copy.
 *
 * @example
 *   maxInWindow([0, 10, 1000, 1005], 1000); // 3: 10, 1000 and 1005
 */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi += 1) {
    while ((sorted[lo] as number) <= (sorted[hi] as number) - windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

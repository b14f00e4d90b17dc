import type { AttemptVerdict } from '../channels/message-outcome.ts';
import type { ChannelHealth } from './model.ts';

/**
 * SPEC §4 "Unhealthy" after one request: a 200 the receiver answered (success, partial, or
 * `sent` for timeout −1) clears the failure streak; a 410 makes the channel unhealthy at once;
 * any other failure extends the streak, and the channel becomes unhealthy when the streak has
 * lasted `unhealthyAfterMs` with at least `unhealthyFailures` failed requests. A failure more
 * than `unhealthyAfterMs` after the previous one starts a new streak (failures spaced wider than
 * the window never disable a channel: WH-17). Once unhealthy it stays so until Resume.
 */
export function nextHealth(
  before: ChannelHealth | undefined,
  channelId: string,
  verdict: Pick<AttemptVerdict, 'result' | 'reason'>,
  nowMs: number,
  rule: { readonly unhealthyAfterMs: number; readonly unhealthyFailures: number },
): ChannelHealth {
  const current: ChannelHealth = before ?? {
    channelId,
    state: 'healthy',
    reason: null,
    since: null,
    lastSuccessAt: null,
    firstFailureAt: null,
    failedRequests: 0,
    lastFailureAt: null,
  };
  if (current.state === 'unhealthy') return current;
  if (verdict.result !== 'failure')
    return { ...current, lastSuccessAt: nowMs, firstFailureAt: null, lastFailureAt: null, failedRequests: 0 };
  const stale = current.lastFailureAt !== null && nowMs - current.lastFailureAt > rule.unhealthyAfterMs;
  const failed: ChannelHealth = {
    ...current,
    firstFailureAt: stale ? nowMs : (current.firstFailureAt ?? nowMs),
    lastFailureAt: nowMs,
    failedRequests: stale ? 1 : current.failedRequests + 1,
  };
  if (verdict.reason === 'gone') return { ...failed, state: 'unhealthy', reason: 'gone', since: nowMs };
  const windowStart = failed.firstFailureAt as number;
  if (failed.failedRequests >= rule.unhealthyFailures && nowMs - windowStart >= rule.unhealthyAfterMs)
    return { ...failed, state: 'unhealthy', reason: 'failing', since: nowMs };
  return failed;
}

/** After Resume: healthy, with a fresh streak. */
export function resumedHealth(channelId: string): ChannelHealth {
  return {
    channelId,
    state: 'healthy',
    reason: null,
    since: null,
    lastSuccessAt: null,
    firstFailureAt: null,
    lastFailureAt: null,
    failedRequests: 0,
  };
}

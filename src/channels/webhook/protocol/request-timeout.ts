import { requestTimeoutCeilingMs } from '../../../net/guarded-client.ts';

/** How long the background read of an unawaited answer (`timeout_s = -1`) may keep a connection. */
export const unawaitedAnswerMs = 60_000;

/**
 * The guarded-client settings for a channel's `timeout_s` (SPEC §3.2): `n` seconds of total
 * time; `0` = no limit of the channel's own, so the one-hour ceiling; `-1` = do not await the
 * answer (messages become `sent` once the body is written).
 *
 * @example
 *   requestTimeout(60); // { awaitResponse: true, timeoutMs: 60_000 }
 *   requestTimeout(-1); // { awaitResponse: false, timeoutMs: 60_000 }
 */
export function requestTimeout(timeoutS: number): { awaitResponse: boolean; timeoutMs: number } {
  if (timeoutS === -1) return { awaitResponse: false, timeoutMs: unawaitedAnswerMs };
  if (!Number.isInteger(timeoutS) || timeoutS < 0 || timeoutS > 3600)
    throw new RangeError(`timeout_s is -1, 0 or 1..3600, not ${timeoutS}`);
  if (timeoutS === 0) return { awaitResponse: true, timeoutMs: requestTimeoutCeilingMs };
  return { awaitResponse: true, timeoutMs: timeoutS * 1000 };
}

import type { OutboundResult } from '../../../net/outbound-result.ts';
import type { AttemptVerdict, FailureReason, MessageOutcome } from '../../message-outcome.ts';
import { parseReceiverResponse } from './parse-receiver-response.ts';
import { parseRetryAfter } from './parse-retry-after.ts';

export interface JudgeOptions {
  /** How many messages the request carried (`fail_list` indexes run 1..messageCount). */
  readonly messageCount: number;
  /** The channel's `strict_response` switch. */
  readonly strict: boolean;
  /** The channel's `retry_failed_items` switch: `fail_list` items `retry` instead of `failed`. */
  readonly retryFailedItems: boolean;
  /** The channel's `timeout_s`; `-1` means the answer is not awaited and messages end `sent`. */
  readonly timeoutS: number;
  /** For `Retry-After` dates. */
  readonly nowMs: number;
}

/** Transient reasons: retried on the schedule. The rest fail the message for good. */
const retryable: ReadonlySet<FailureReason> = new Set([
  'timeout',
  'network',
  'tls',
  'invalid_response',
  'http_5xx',
]);

function failAll(
  options: JudgeOptions,
  reason: FailureReason,
  detail: string,
  extra: { status?: number; retryAfterMs?: number; retry?: boolean } = {},
): AttemptVerdict {
  const state = (extra.retry ?? retryable.has(reason)) ? 'retry' : 'failed';
  const outcome: MessageOutcome = { state, cause: 'attempt', reason, detail };
  return {
    result: 'failure',
    reason,
    detail,
    ...(extra.status !== undefined ? { status: extra.status } : {}),
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
    outcomes: Array.from({ length: options.messageCount }, () => outcome),
  };
}

function allDelivered(options: JudgeOptions, status: number, detail: string): AttemptVerdict {
  return {
    result: 'success',
    detail,
    status,
    outcomes: Array.from({ length: options.messageCount }, () => ({ state: 'delivered' }) as const),
  };
}

/**
 * The verdict on one attempt of the custom channel protocol (SPEC §3.2 and §4), from what the
 * guarded client returned. Pure: the same inputs always give the same verdict.
 *
 * - Only HTTP 200 can succeed. Its body is judged by {@link parseReceiverResponse} whatever the
 *   Content-Type: strict mode needs the response shape (anything else is `invalid_response`);
 *   non-strict mode judges a body that has an integer `return_code` the same way and counts any
 *   other 200 (empty, HTML, unparseable) as success.
 * - `return_code` ≠ 0 fails the whole batch and retries like a 5xx (reason `http_5xx`, detail
 *   naming the code: the closed list has no better word for "the receiver said no").
 * - Other 2xx: `invalid_response` (retry). 3xx: `http_3xx` (failed; never followed).
 *   408/429: `http_4xx` (retry). 410: `gone` (failed; the channel turns unhealthy). Other 4xx:
 *   `http_4xx` (failed). 5xx: `http_5xx` (retry). `Retry-After` is reported on every non-200.
 * - `timeout_s = -1`: once the body was written every message is `sent`.
 *
 * @example
 *   const verdict = judgeAttempt(await client.request(…), {
 *     messageCount: 5, strict: true, retryFailedItems: false, timeoutS: 60, nowMs: Date.now(),
 *   });
 *   verdict.outcomes[1]; // { state: 'failed', cause: 'fail_list', receiverMessage: 'push id not found' }
 */
export function judgeAttempt(result: OutboundResult, options: JudgeOptions): AttemptVerdict {
  const n = options.messageCount;
  if (result.kind === 'failure') {
    if (options.timeoutS === -1 && result.requestSent)
      return sentVerdict(n, 'the body was written; the answer is not awaited');
    return failAll(options, result.reason, result.message);
  }
  if (result.kind === 'sent' || options.timeoutS === -1)
    return sentVerdict(n, 'the body was written; the answer is not awaited');

  const { status } = result;
  const retryAfterMs =
    status === 200 ? undefined : parseRetryAfter(result.headers['retry-after'], options.nowMs);
  const http = { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status !== 200) {
    if (status >= 200 && status < 300)
      return failAll(options, 'invalid_response', `HTTP ${status}: only 200 can succeed`, http);
    if (status >= 300 && status < 400)
      return failAll(options, 'http_3xx', `HTTP ${status}: redirects are never followed`, http);
    if (status === 410)
      return failAll(options, 'gone', 'HTTP 410: the receiver says the endpoint is gone', http);
    if (status === 408 || status === 429)
      return failAll(options, 'http_4xx', `HTTP ${status}`, { ...http, retry: true });
    if (status >= 400 && status < 500) return failAll(options, 'http_4xx', `HTTP ${status}`, http);
    if (status >= 500 && status < 600) return failAll(options, 'http_5xx', `HTTP ${status}`, http);
    return failAll(options, 'invalid_response', `HTTP ${status} is not a valid status`, http);
  }

  const parsed = parseReceiverResponse(result.body, n);
  if (parsed.kind !== 'ok') {
    if (!options.strict && parsed.kind !== 'malformed')
      return allDelivered(
        options,
        status,
        `HTTP 200; body not judged (strict response off: ${parsed.problem})`,
      );
    return failAll(options, 'invalid_response', `HTTP 200 but ${parsed.problem}`, http);
  }
  if (parsed.returnCode !== 0) {
    const said = parsed.returnMessage === null ? '' : `: ${parsed.returnMessage}`;
    return failAll(options, 'http_5xx', `HTTP 200 with return_code ${parsed.returnCode}${said}`, {
      ...http,
      retry: true,
    });
  }
  if (parsed.failures.length === 0) return allDelivered(options, status, 'HTTP 200, return_code 0');

  const itemState = options.retryFailedItems ? 'retry' : 'failed';
  const outcomes: MessageOutcome[] = Array.from({ length: n }, () => ({ state: 'delivered' }) as const);
  for (const item of parsed.failures) {
    outcomes[item.index - 1] = { state: itemState, cause: 'fail_list', receiverMessage: item.message };
  }
  return {
    result: 'partial',
    detail: `HTTP 200, return_code 0, fail_list names ${parsed.failures.length} of ${n}: ${parsed.failures
      .map((f) => f.index)
      .join(', ')}`,
    status,
    outcomes,
  };
}

function sentVerdict(n: number, detail: string): AttemptVerdict {
  return { result: 'sent', detail, outcomes: Array.from({ length: n }, () => ({ state: 'sent' }) as const) };
}

/**
 * Outcomes for an attempt that never reached the network, e.g. `secret_unreadable` when the
 * channel token cannot be decrypted (SEC-05): no unsigned or garbage-signed request is sent.
 */
export function judgeLocalFailure(
  reason: FailureReason,
  detail: string,
  messageCount: number,
): AttemptVerdict {
  return failAll(
    { messageCount, strict: true, retryFailedItems: false, timeoutS: 0, nowMs: 0 },
    reason,
    detail,
  );
}

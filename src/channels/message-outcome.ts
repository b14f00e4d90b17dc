/**
 * The closed list of failure reasons of SPEC §4 (attempt records, metrics and the console use
 * these exact names).
 */
export const failureReasons = [
  'timeout',
  'tls',
  'invalid_target',
  'invalid_response',
  'http_3xx',
  'http_4xx',
  'http_5xx',
  'network',
  'gone',
  'secret_unreadable',
] as const;

export type FailureReason = (typeof failureReasons)[number];

/**
 * What one attempt means for one message of the batch, in request order.
 *
 * - `delivered`: the receiver accepted it.
 * - `sent`: `timeout_s = -1`; the body was written and the answer is not awaited.
 * - `retry`: a transient failure (408, 429, 5xx, a non-zero `return_code`, timeouts, network,
 *   TLS, an unreadable answer, or a `fail_list` item with `retry_failed_items` on).
 * - `failed`: permanent (another 4xx, 410 `gone`, 3xx, an invalid target, an unreadable secret,
 *   or a `fail_list` item with `retry_failed_items` off).
 *
 * `cause: 'attempt'` outcomes share the attempt's reason; `cause: 'fail_list'` outcomes are the
 * receiver naming this message, with its message (or `null` when it gave none).
 */
export type MessageOutcome =
  | { readonly state: 'delivered' }
  | { readonly state: 'sent' }
  | {
      readonly state: 'failed' | 'retry';
      readonly cause: 'attempt';
      readonly reason: FailureReason;
      readonly detail: string;
    }
  | {
      readonly state: 'failed' | 'retry';
      readonly cause: 'fail_list';
      readonly receiverMessage: string | null;
    };

/**
 * The verdict on one attempt: a summary for the attempt record and one outcome per message.
 *
 * - `result`: `success` (all delivered), `partial` (a 200 with a `fail_list`), `failure` (every
 *   message shares `reason`) or `sent`.
 * - `retryAfterMs`: a parsed `Retry-After`, uncapped: the caller applies its own cap (1 h).
 */
export interface AttemptVerdict {
  readonly result: 'success' | 'partial' | 'failure' | 'sent';
  readonly reason?: FailureReason;
  /** One line for the attempt history, e.g. `fail_list[0].index is 0; indexes run 1..5`. */
  readonly detail: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly outcomes: readonly MessageOutcome[];
}

/**
 * Why an outbound request failed before an HTTP answer could be judged: the transport part of the
 * closed reason list of SPEC §4 (`http_*`, `gone` and `secret_unreadable` are decided elsewhere).
 */
export type OutboundFailureReason = 'timeout' | 'tls' | 'invalid_target' | 'invalid_response' | 'network';

/** Milliseconds since the request was started. */
export interface OutboundTimings {
  /** When the response head arrived (absent when none did). */
  readonly responseStartMs?: number;
  readonly totalMs: number;
}

/** A complete HTTP answer: any status (redirects are never followed), the body decoded and capped. */
export interface OutboundResponse {
  readonly kind: 'response';
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body after `Content-Encoding` was undone; never larger than `maxResponseBytes`. */
  readonly body: Buffer;
  readonly timings: OutboundTimings;
}

/** `awaitResponse: false`: the request body was fully written; the answer is not waited for. */
export interface OutboundSent {
  readonly kind: 'sent';
  readonly timings: OutboundTimings;
}

/**
 * A failure with a reason from the closed list. `message` is fixed per reason and safe to show to
 * customers; `internalDetail` (addresses, ranges, resolver and socket errors) is for operator logs
 * only, because echoing it would turn the client into a port scanner (SSRF-14).
 */
export interface OutboundFailure {
  readonly kind: 'failure';
  readonly reason: OutboundFailureReason;
  readonly message: string;
  readonly internalDetail: string;
  /** Whether the whole request body had been written when it failed (the receiver may have it). */
  readonly requestSent: boolean;
  readonly timings: OutboundTimings;
}

export type OutboundResult = OutboundResponse | OutboundSent | OutboundFailure;

/** The customer-visible text of each failure reason; deliberately free of any detail. */
export const outboundFailureMessages: Readonly<Record<OutboundFailureReason, string>> = {
  invalid_target: 'The target address is not allowed.',
  timeout: 'The receiver did not answer in time.',
  tls: 'The TLS connection to the receiver failed: its certificate is not trusted, expired or for another name.',
  network: 'The receiver could not be reached.',
  invalid_response: 'The receiver answer could not be read: too large, badly encoded or not valid HTTP.',
};

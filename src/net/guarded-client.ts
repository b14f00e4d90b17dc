import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { Cidr } from '../config/cidr.ts';
import { isTouchpointError } from '../errors.ts';
import { decideAddress } from './address-policy.ts';
import { checkTargetUrl, type CheckedTarget } from './check-target-url.ts';
import { maskUrl } from './mask-url.ts';
import {
  outboundFailureMessages,
  type OutboundFailure,
  type OutboundFailureReason,
  type OutboundResult,
  type OutboundTimings,
} from './outbound-result.ts';
import { systemResolver, type Resolver } from './resolver.ts';

/** SPEC §3.2: even "no limit" (`timeout_s = 0`) ends after an hour. */
export const requestTimeoutCeilingMs = 3_600_000;
/** RELIABILITY WH-09: answers are read up to this many bytes unless the caller says otherwise. */
export const defaultMaxResponseBytes = 64 * 1024;

export interface GuardedClientOptions {
  /** `TOUCHPOINT_ALLOW_TARGETS`: blocked ranges that may be reached anyway (from `Config`). */
  readonly allowTargets: readonly Cidr[];
  /** Defaults to the operating system's resolver; tests pass a stub. */
  readonly resolver?: Resolver;
  /** Where internal failure detail goes (never to customers). */
  readonly logger?: { warn(obj: object, msg: string): void };
  /** Extra trusted CA certificates (PEM), added to Node's root store. Verification stays on. */
  readonly extraCa?: readonly (string | Buffer)[];
  readonly connectTimeoutMs?: number;
  /** How long an idle keep-alive connection to an origin is kept. */
  readonly keepAliveTimeoutMs?: number;
  /** Upper bound of open connections per origin. */
  readonly connectionsPerOrigin?: number;
}

export interface OutboundRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  readonly url: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /** Total time for connect, send and the whole answer (not an idle timeout); capped at an hour. */
  readonly timeoutMs: number;
  readonly maxResponseBytes?: number;
  /**
   * `false` for `timeout_s = -1`: resolve with `{kind: 'sent'}` as soon as the body is written.
   * The answer is still read (and discarded) in the background until `timeoutMs`, so the
   * receiver sees an ordinary request rather than a reset.
   */
  readonly awaitResponse?: boolean;
}

/** Raised inside the connector; carries the internal detail for logs. */
class TargetRefusedError extends Error {
  readonly code = 'TP_TARGET_REFUSED';
}
class ResolveError extends Error {
  readonly code = 'TP_RESOLVE_FAILED';
}
class ResolveTimeoutError extends Error {
  readonly code = 'TP_RESOLVE_TIMEOUT';
}
class TotalTimeoutError extends Error {
  readonly code = 'TP_TOTAL_TIMEOUT';
}
class ResponseTooLargeError extends Error {
  readonly code = 'TP_RESPONSE_TOO_LARGE';
}

const tlsErrorCode =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|HOSTNAME_MISMATCH|ERR_OSSL_)/;

function classify(error: unknown): OutboundFailureReason {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (error instanceof TargetRefusedError) return 'invalid_target';
  if (error instanceof TotalTimeoutError || error instanceof ResolveTimeoutError) return 'timeout';
  if (error instanceof ResponseTooLargeError) return 'invalid_response';
  if (error instanceof ResolveError) return 'network';
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  )
    return 'timeout';
  if (tlsErrorCode.test(code) || /certificate|SSL routines|TLS/i.test((error as Error)?.message ?? ''))
    return 'tls';
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')
    return 'invalid_response';
  return 'network';
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  const own = `${String(e?.code ?? 'error')}: ${String(e?.message ?? error)}`;
  return e?.cause ? `${own} (cause: ${describe(e.cause)})` : own;
}

/** Percent-decoding that keeps malformed escapes (`%zz`) as they are instead of throwing. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Undoes Content-Encoding with the same cap on the decoded size (a small gzip can be huge). */
function decodeBody(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const codings = (encoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  let body = raw;
  for (const coding of codings.reverse()) {
    const options = { maxOutputLength: maxBytes };
    if (coding === 'gzip' || coding === 'x-gzip') body = gunzipSync(body, options);
    else if (coding === 'deflate') body = inflateSync(body, options);
    else if (coding === 'br') body = brotliDecompressSync(body, options);
    else throw new Error(`unsupported content-encoding ${coding}`);
  }
  return body;
}

/**
 * The one HTTP client for customer URLs (RELIABILITY decision 6). Every new connection resolves
 * the host once, refuses if **any** answer is in a blocked range not named by the allowlist, and
 * connects to the address it checked (so a second, rebinding DNS answer can never be used). TLS
 * is verified against the URL's host name. Redirects are never followed, the total time and the
 * answer size are capped, and failures come back as data with a reason from the closed list.
 * Connections are kept alive in one pool per origin.
 *
 * @example
 *   const client = new GuardedClient({ allowTargets: config.allowTargets, logger });
 *   const result = await client.request({
 *     method: 'POST', url: channel.url, headers: prepared.headers, body: prepared.body, timeoutMs: 60_000,
 *   });
 *   if (result.kind === 'failure') log(result.reason); // 'invalid_target', 'timeout', …
 */
export class GuardedClient {
  readonly #allowTargets: readonly Cidr[];
  readonly #resolver: Resolver;
  readonly #logger: GuardedClientOptions['logger'];
  readonly #agent: Agent;
  readonly #connectTimeoutMs: number;

  constructor(options: GuardedClientOptions) {
    this.#allowTargets = options.allowTargets;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#resolver = options.resolver ?? systemResolver;
    this.#logger = options.logger;
    const tlsConnector = buildConnector({
      rejectUnauthorized: true,
      timeout: this.#connectTimeoutMs,
      ...(options.extraCa?.length ? { ca: [...rootCertificates, ...options.extraCa] } : {}),
    });
    this.#agent = new Agent({
      connect: (connectOptions, callback) => this.#connect(tlsConnector, connectOptions, callback),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
      connections: options.connectionsPerOrigin ?? 64,
      // HTTP/1.1 only: the size cap, the total timeout and `onRequestSent` behave the same on
      // every receiver, and webhook receivers gain nothing from multiplexing one batch.
      allowH2: false,
    });
  }

  /** Resolves, checks every address, then connects to the checked one. */
  #connect(
    base: buildConnector.connector,
    options: buildConnector.Options,
    callback: buildConnector.Callback,
  ): void {
    const hostname = options.hostname.endsWith('.') ? options.hostname.slice(0, -1) : options.hostname;
    this.#checkedAddress(hostname).then(
      (address) => {
        const servername = options.protocol === 'https:' && isIP(hostname) === 0 ? hostname : undefined;
        base({ ...options, hostname: address, ...(servername ? { servername } : {}) }, callback);
      },
      (error: unknown) => callback(error as Error, null),
    );
  }

  async #checkedAddress(hostname: string): Promise<string> {
    let addresses: readonly string[];
    if (isIP(hostname) !== 0) addresses = [hostname];
    else {
      // A resolver that never answers would keep the origin's pool "connecting" for good.
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () =>
            reject(new ResolveTimeoutError(`resolving ${hostname} took over ${this.#connectTimeoutMs} ms`)),
          this.#connectTimeoutMs,
        );
      });
      try {
        addresses = await Promise.race([this.#resolver(hostname), deadline]);
      } catch (error) {
        if (error instanceof ResolveTimeoutError) throw error;
        throw new ResolveError(`resolving ${hostname} failed: ${describe(error)}`);
      } finally {
        clearTimeout(timer);
      }
      if (addresses.length === 0) throw new ResolveError(`${hostname} resolved to no address`);
    }
    for (const address of addresses) {
      const decision = decideAddress(address, this.#allowTargets);
      if (!decision.allowed)
        throw new TargetRefusedError(`${hostname} → ${address} is in the blocked range ${decision.range}`);
    }
    return addresses[0] as string;
  }

  /**
   * Sends one request. Never throws for anything the network or the receiver does; the result is
   * a response (any status), `sent`, or a failure with a reason from the closed list.
   */
  async request(request: OutboundRequest): Promise<OutboundResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const masked = maskUrl(request.url);

    const fail = (
      reason: OutboundFailureReason,
      detail: string,
      requestSent: boolean,
      timings?: OutboundTimings,
    ) => {
      const failure: OutboundFailure = {
        kind: 'failure',
        reason,
        message: outboundFailureMessages[reason],
        internalDetail: detail,
        requestSent,
        timings: timings ?? { totalMs: elapsed() },
      };
      return failure;
    };

    let target: CheckedTarget;
    try {
      target = checkTargetUrl(request.url, { allowTargets: this.#allowTargets });
    } catch (error) {
      const details = isTouchpointError(error) ? JSON.stringify(error.details) : describe(error);
      const failure = fail('invalid_target', `url refused before connecting: ${details}`, false);
      this.#logger?.warn(
        { url: masked, reason: failure.reason, detail: failure.internalDetail },
        'outbound request failed',
      );
      return failure;
    }

    // Header names keep the caller's spelling (receivers sometimes compare them case-sensitively).
    const headers: Record<string, string> = { ...request.headers };
    const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
    if (target.url.username !== '' && !has('authorization')) {
      // Credentials in the URL become Basic auth and leave the URL, so they are never logged.
      const user = safeDecode(target.url.username);
      const password = safeDecode(target.url.password);
      headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    if (!has('user-agent')) headers['User-Agent'] = 'Touchpoint';

    const timeoutMs = Math.min(Math.max(1, Math.floor(request.timeoutMs)), requestTimeoutCeilingMs);
    const maxBytes = request.maxResponseBytes ?? defaultMaxResponseBytes;
    const awaitResponse = request.awaitResponse ?? true;

    return new Promise<OutboundResult>((resolve) => {
      let settled = false;
      let timedOut = false;
      let requestSent = false;
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let responseHeaders: Record<string, string> = {};
      let responseStartMs: number | undefined;
      const chunks: Buffer[] = [];
      let received = 0;

      const settle = (result: OutboundResult) => {
        if (settled) return;
        settled = true;
        if (result.kind === 'failure')
          this.#logger?.warn(
            { url: masked, reason: result.reason, detail: result.internalDetail },
            'outbound request failed',
          );
        resolve(result);
      };
      const timer = setTimeout(() => {
        const error = new TotalTimeoutError(`no complete answer within ${timeoutMs} ms`);
        controller?.abort(error);
        if (!settled) settle(fail('timeout', error.message, requestSent, { totalMs: elapsed() }));
        timedOut = true;
      }, timeoutMs);

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
          if (timedOut) c.abort(new TotalTimeoutError('timed out while connecting'));
        },
        onRequestSent() {
          requestSent = true;
          if (!awaitResponse) settle({ kind: 'sent', timings: { totalMs: elapsed() } });
        },
        onResponseStart(_c, statusCode, incoming) {
          status = statusCode;
          responseHeaders = flattenHeaders(incoming as Record<string, string | string[] | undefined>);
          responseStartMs = elapsed();
        },
        onResponseData(c, chunk) {
          received += chunk.length;
          if (received > maxBytes) {
            c.abort(new ResponseTooLargeError(`answer larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          clearTimeout(timer);
          const timings: OutboundTimings = {
            responseStartMs: responseStartMs ?? elapsed(),
            totalMs: elapsed(),
          };
          let body: Buffer;
          try {
            body = decodeBody(Buffer.concat(chunks), responseHeaders['content-encoding'], maxBytes);
          } catch (error) {
            settle(fail('invalid_response', `decoding the answer failed: ${describe(error)}`, true, timings));
            return;
          }
          settle({ kind: 'response', status, headers: responseHeaders, body, timings });
        },
        onResponseError(_c, error) {
          clearTimeout(timer);
          settle(fail(classify(error), describe(error), requestSent));
        },
      };

      try {
        this.#agent.dispatch(
          {
            origin: target.url.origin,
            path: `${target.url.pathname}${target.url.search}`,
            method: request.method,
            headers,
            body: request.body ?? null,
            // Our own timer is the total timeout; undici's idle timers only back it up.
            headersTimeout: timeoutMs + 1_000,
            bodyTimeout: timeoutMs + 1_000,
          },
          handler,
        );
      } catch (error) {
        clearTimeout(timer);
        settle(fail('network', `request not dispatched: ${describe(error)}`, false));
      }
    });
  }

  /** Closes idle pooled connections and waits for requests in flight. */
  async close(): Promise<void> {
    await this.#agent.close();
  }
}

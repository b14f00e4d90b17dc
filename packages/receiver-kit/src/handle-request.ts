import { buildResponse, failListFrom, failureResponse, type BatchResults } from './build-response.ts';
import { headerValue, type CustomChannelMessage, type RequestHeaders } from './message.ts';
import { decodeBody, defaultMaxBodyBytes, parseMessages } from './parse-request.ts';
import { verifySignature } from './verify-signature.ts';
import { verifyWebhookV2 } from './verify-webhook-v2.ts';

/** Context handed to a batch handler next to the messages. */
export interface BatchContext {
  readonly headers: RequestHeaders;
  /** The JSON bytes (gzip already undone) that the signatures covered. */
  readonly json: Buffer;
}

export interface ReceiverOptions {
  /** The channel token: when set, a request without a valid `X-TE-OPS-Signature` gets 401. */
  readonly secret?: string;
  /** Signature-v2 keys (`whsec_…`): when set, a request without a valid v2 signature gets 401. */
  readonly v2Secrets?: string | readonly string[];
  /** Cap on the body, compressed and decoded (default 10 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * Handles one batch. Return nothing when all succeeded, or per-message results (`null` for
   * success, a reason string for failure) in request order; the kit builds the 1-based
   * `fail_list`. Throwing answers 500, which makes Touchpoint retry the whole batch.
   */
  onBatch(messages: CustomChannelMessage[], context: BatchContext): BatchResults | Promise<BatchResults>;
  /** Called with an error thrown by `onBatch` (default: ignored; the answer is 500 either way). */
  onError?(error: unknown): void;
}

/** A framework-neutral answer. */
export interface ReceiverAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

function answer(status: number, body: unknown): ReceiverAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * The whole receiver in one framework-neutral function: undo gzip, check signatures (before any
 * JSON is parsed), parse, run `onBatch`, and answer with the response Touchpoint expects. The
 * adapters for node:http, Express and Fastify only move bytes in and out of it.
 *
 * @example
 *   const result = await handleReceiverRequest(rawBody, req.headers, {
 *     secret: process.env.TOKEN,
 *     onBatch: (messages) => messages.map((m) => (knownPlayer(m.push_id) ? null : 'unknown player')),
 *   });
 *   res.writeHead(result.status, result.headers).end(result.body);
 */
export async function handleReceiverRequest(
  rawBody: Uint8Array,
  headers: RequestHeaders,
  options: ReceiverOptions,
): Promise<ReceiverAnswer> {
  const maxBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const decoded = decodeBody(rawBody, headerValue(headers, 'content-encoding'), maxBytes);
  if (!decoded.ok) return answer(decoded.status, failureResponse(decoded.error));
  // Signatures cover the decoded bytes and are checked before any JSON is parsed.
  if (options.secret !== undefined) {
    const signature = headerValue(headers, 'x-te-ops-signature');
    if (!verifySignature(decoded.json, signature, options.secret))
      return answer(401, failureResponse('invalid signature'));
  }
  if (options.v2Secrets !== undefined && !verifyWebhookV2(decoded.json, headers, options.v2Secrets))
    return answer(401, failureResponse('invalid signature'));
  const parsed = parseMessages(decoded.json);
  if (!parsed.ok) return answer(parsed.status, failureResponse(parsed.error));
  let results: BatchResults;
  try {
    results = await options.onBatch(parsed.messages, { headers, json: decoded.json });
  } catch (error) {
    options.onError?.(error);
    return answer(500, failureResponse('the receiver failed to process the batch'));
  }
  const failures = failListFrom(results).filter((f) => f.index <= parsed.messages.length);
  return answer(200, buildResponse(failures));
}

import { gzipSync } from 'node:zlib';
import { signatureHeader, signBody } from './sign-body.ts';
import { batchIdFor, signV2 } from './sign-v2.ts';

export interface PrepareRequestInput {
  /** The serialized batch ({@link serializeBatch}); signed as is, compressed after signing. */
  readonly json: Buffer;
  /** The channel's `compression` switch: gzip the body and say so in `Content-Encoding`. */
  readonly compression: boolean;
  /** With `auth = token`: the token that keys `X-TE-OPS-Signature`. */
  readonly token?: string;
  /** Signature v2, when the channel has it: the active keys (two during a rotation overlap). */
  readonly v2?: {
    readonly keys: readonly string[];
    /** Seconds; taken per attempt, so the v2 signature is recomputed on every retry. */
    readonly timestampS: number;
    /** Defaults to {@link batchIdFor} the body: the same on every retry of the same body. */
    readonly batchId?: string;
  };
}

/** What goes on the wire for one attempt. */
export interface PreparedRequest {
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** The bytes to send: `json`, gzipped when compression is on. */
  readonly body: Buffer;
  /** The JSON bytes every signature covers. */
  readonly json: Buffer;
}

/**
 * Headers and body of one request of the custom channel protocol (SPEC §3.2): sign the JSON bytes
 * once, then gzip those same bytes when compression is on. The v1 signature depends only on the
 * body and token, so a retry of the same body carries the same `X-TE-OPS-Signature` (SIG-03).
 *
 * @example
 *   const prepared = prepareRequest({ json: serializeBatch(wire), compression: true, token });
 *   await client.request({ method: 'POST', url, headers: prepared.headers, body: prepared.body, timeoutMs });
 */
export function prepareRequest(input: PrepareRequestInput): PreparedRequest {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (input.compression) headers['Content-Encoding'] = 'gzip';
  if (input.token !== undefined) headers[signatureHeader] = signBody(input.json, input.token);
  if (input.v2 && input.v2.keys.length > 0) {
    Object.assign(
      headers,
      signV2({
        id: input.v2.batchId ?? batchIdFor(input.json),
        timestampS: input.v2.timestampS,
        body: input.json,
        keys: input.v2.keys,
      }),
    );
  }
  const body = input.compression ? gzipSync(input.json) : input.json;
  return { method: 'POST', headers, body, json: input.json };
}

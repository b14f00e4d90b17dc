import { gunzipSync } from 'node:zlib';
import type { CustomChannelMessage } from './message.ts';

/** 10 MiB: 500 messages of generous size, compressed or not. */
export const defaultMaxBodyBytes = 10 * 1024 * 1024;

/** A request the kit refuses, with the HTTP status to answer. */
export interface RequestProblem {
  readonly ok: false;
  readonly status: 400 | 413 | 415;
  readonly error: string;
}

/**
 * Undoes `Content-Encoding` (gzip or none): the result is the JSON bytes the signatures cover.
 * The decoded size is capped too, so a small gzip bomb cannot fill memory.
 *
 * @example
 *   const decoded = decodeBody(raw, req.headers['content-encoding']);
 *   if (decoded.ok) verifySignature(decoded.json, signature, token);
 */
export function decodeBody(
  raw: Uint8Array,
  contentEncoding: string | undefined,
  maxBytes: number = defaultMaxBodyBytes,
): { readonly ok: true; readonly json: Buffer } | RequestProblem {
  if (raw.byteLength > maxBytes) return { ok: false, status: 413, error: `body over ${maxBytes} bytes` };
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (coding === '' || coding === 'identity') return { ok: true, json: bytes };
  if (coding !== 'gzip' && coding !== 'x-gzip')
    return { ok: false, status: 415, error: `unsupported Content-Encoding ${coding}` };
  try {
    return { ok: true, json: gunzipSync(bytes, { maxOutputLength: maxBytes }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return { ok: false, status: 413, error: `decoded body over ${maxBytes} bytes` };
    return { ok: false, status: 400, error: 'the body is not valid gzip' };
  }
}

/**
 * Parses the JSON bytes of a request into its messages: a non-empty array of objects.
 *
 * @example
 *   const parsed = parseMessages(decoded.json);
 *   if (parsed.ok) for (const m of parsed.messages) console.log(m.push_id);
 */
export function parseMessages(
  json: Uint8Array,
): { readonly ok: true; readonly messages: CustomChannelMessage[] } | RequestProblem {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return { ok: false, status: 400, error: 'the body is not UTF-8 JSON' };
  }
  if (!Array.isArray(value) || value.length === 0)
    return { ok: false, status: 400, error: 'the body is not a non-empty JSON array' };
  if (!value.every((m) => typeof m === 'object' && m !== null && !Array.isArray(m)))
    return { ok: false, status: 400, error: 'every element of the array must be an object' };
  return { ok: true, messages: value as CustomChannelMessage[] };
}

/**
 * {@link decodeBody} then {@link parseMessages}: the messages and the JSON bytes (for signature
 * checks) of one request, gzip or not.
 *
 * @example
 *   const parsed = parseRequest(rawBody, req.headers['content-encoding']);
 *   if (!parsed.ok) return res.writeHead(parsed.status).end(parsed.error);
 */
export function parseRequest(
  raw: Uint8Array,
  contentEncoding: string | undefined,
  maxBytes: number = defaultMaxBodyBytes,
): { readonly ok: true; readonly json: Buffer; readonly messages: CustomChannelMessage[] } | RequestProblem {
  const decoded = decodeBody(raw, contentEncoding, maxBytes);
  if (!decoded.ok) return decoded;
  const parsed = parseMessages(decoded.json);
  if (!parsed.ok) return parsed;
  return { ok: true, json: decoded.json, messages: parsed.messages };
}

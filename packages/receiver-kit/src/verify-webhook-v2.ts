import { createHmac, timingSafeEqual } from 'node:crypto';
import { headerValue, type RequestHeaders } from './message.ts';

export interface VerifyV2Options {
  /** Allowed distance between `webhook-timestamp` and now, in seconds (default 300, as Standard Webhooks). */
  readonly toleranceS?: number;
  /** Now in seconds; tests pass a fixed value. */
  readonly nowS?: number;
}

function keyBytes(secret: string): Buffer | undefined {
  const text = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}

/**
 * Checks signature v2 (Standard Webhooks): `webhook-signature` holds one or more space-separated
 * `v1,<base64 HMAC-SHA256>` over `webhook-id.webhook-timestamp.body`, keyed with the bytes of your
 * `whsec_` key; `webhook-timestamp` must be within `toleranceS` of now (replay protection). Pass
 * several secrets while you rotate keys on your side. Constant time per comparison; never throws.
 *
 * @example
 *   import { verifyWebhookV2 } from '@touchpoint/receiver-kit';
 *   const ok = verifyWebhookV2(rawBody, req.headers, [process.env.WHSEC_NEW, process.env.WHSEC_OLD]);
 */
export function verifyWebhookV2(
  body: unknown,
  headers: RequestHeaders,
  secrets: string | readonly string[],
  options: VerifyV2Options = {},
): boolean {
  try {
    let bytes: Buffer;
    if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array) bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else return false;
    const id = headerValue(headers, 'webhook-id');
    const timestamp = headerValue(headers, 'webhook-timestamp');
    const signatures = headerValue(headers, 'webhook-signature');
    if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
    const nowS = options.nowS ?? Math.floor(Date.now() / 1000);
    if (Math.abs(nowS - Number(timestamp)) > (options.toleranceS ?? 300)) return false;

    const given = signatures
      .split(' ')
      .filter((s) => s.startsWith('v1,'))
      .map((s) => Buffer.from(s.slice(3), 'utf8'));
    let matched = false;
    for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
      const key = typeof secret === 'string' ? keyBytes(secret) : undefined;
      if (!key) continue;
      const expected = Buffer.from(
        createHmac('sha256', key).update(`${id}.${timestamp}.`).update(bytes).digest('base64'),
      );
      for (const candidate of given) {
        // Keep comparing after a match so the time taken does not say which one matched.
        if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
      }
    }
    return matched;
  } catch {
    return false;
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks `X-TE-OPS-Signature`: the lowercase hex HMAC-SHA1 of the raw request body (after
 * undoing gzip, before any JSON parsing) keyed with your channel token. Constant time, and never
 * throws: a missing, repeated, wrong-length, non-hex or multibyte signature, a non-string secret
 * or a body of the wrong type is simply `false`.
 *
 * Verify the bytes you received. Re-serializing parsed JSON changes bytes (key order, escapes
 * such as `\u2028` or `\/`, number forms) and the signature will not match.
 *
 * @example
 *   import { verifySignature } from '@touchpoint/receiver-kit';
 *   if (!verifySignature(rawBody, req.headers['x-te-ops-signature'], process.env.TOKEN)) {
 *     res.writeHead(401).end();
 *   }
 */
export function verifySignature(body: unknown, signature: unknown, secret: unknown): boolean {
  try {
    if (typeof signature !== 'string' || typeof secret !== 'string') return false;
    let bytes: Uint8Array;
    if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array) bytes = body;
    else return false;
    const expected = Buffer.from(createHmac('sha1', Buffer.from(secret, 'utf8')).update(bytes).digest('hex'));
    const given = Buffer.from(signature.trim().toLowerCase(), 'utf8');
    // timingSafeEqual throws on a length mismatch; the length of a hex HMAC is public anyway.
    if (given.length !== expected.length) return false;
    return timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}

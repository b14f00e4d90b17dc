import { createHmac } from 'node:crypto';

/** The header that carries {@link signBody}'s signature. */
export const signatureHeader = 'X-TE-OPS-Signature';

/**
 * `X-TE-OPS-Signature` (SPEC §3.2): lowercase hex HMAC-SHA1 of the JSON body bytes (before
 * compression), keyed with the UTF-8 bytes of the channel token — what Java's
 * `new HmacUtils(HMAC_SHA_1, key).hmacHex(body)` computes.
 *
 * @example
 *   signBody(Buffer.from('[]'), 'secret'); // '0f2d…' (40 hex digits)
 */
export function signBody(body: Uint8Array, token: string): string {
  return createHmac('sha1', Buffer.from(token, 'utf8')).update(body).digest('hex');
}

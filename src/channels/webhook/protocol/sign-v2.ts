import { createHash, createHmac, randomBytes } from 'node:crypto';

const keyPrefix = 'whsec_';

/**
 * A new signature-v2 key: `whsec_` and the base64 of 32 random bytes (Standard Webhooks).
 *
 * @example
 *   generateV2Key(); // 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'…
 */
export function generateV2Key(): string {
  return `${keyPrefix}${randomBytes(32).toString('base64')}`;
}

/** The HMAC key bytes of a `whsec_` key; throws on anything else. */
export function decodeV2Key(key: string): Buffer {
  if (!key.startsWith(keyPrefix)) throw new Error('a signature-v2 key starts with whsec_');
  const body = key.slice(keyPrefix.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('a signature-v2 key is whsec_ and base64');
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length < 24) throw new Error('a signature-v2 key holds at least 24 bytes');
  return bytes;
}

/**
 * The batch id for `webhook-id` when the caller has none: derived from the body bytes, so every
 * retry of the same body carries the same id and a partial retry (a different body) a new one.
 * Bodies never collide across batches because each message carries its own `ops_request_id`.
 */
export function batchIdFor(body: Uint8Array): string {
  return `msg_${createHash('sha256').update(body).digest('base64url').slice(0, 27)}`;
}

export interface V2Headers {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * Signature v2 headers (SPEC §3.2, Standard Webhooks): `v1,<base64 HMAC-SHA256 over
 * id.timestamp.body>` for every active key, space-separated, so during a rotation overlap a
 * receiver holding either the old or the new key verifies.
 *
 * @example
 *   signV2({ id: batchIdFor(body), timestampS: Math.floor(Date.now() / 1000), body, keys: [newKey, oldKey] });
 */
export function signV2(input: {
  readonly id: string;
  readonly timestampS: number;
  readonly body: Uint8Array;
  readonly keys: readonly string[];
}): V2Headers {
  if (input.keys.length === 0) throw new Error('signature v2 needs at least one key');
  if (!Number.isInteger(input.timestampS)) throw new Error('webhook-timestamp is whole seconds');
  const signatures = input.keys.map((key) => {
    const mac = createHmac('sha256', decodeV2Key(key));
    mac.update(`${input.id}.${input.timestampS}.`, 'utf8');
    mac.update(input.body);
    return `v1,${mac.digest('base64')}`;
  });
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestampS),
    'webhook-signature': signatures.join(' '),
  };
}

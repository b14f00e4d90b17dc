import { createHmac } from 'node:crypto';

/**
 * What an erasure keeps of an identity (issue 20 item 4): an HMAC under a key derived from the
 * master key, so the tombstone table can be matched by the profile applier but neither read
 * back nor tested against a list of guessed e-mail addresses without the key.
 *
 * @example
 *   identityDigest(key, 7, 'email', 'ann@example.com'); // 'Qm9…' (43 base64url characters)
 */
export function identityDigest(key: Buffer, projectId: number, type: string, value: string): string {
  return createHmac('sha256', key).update(`${projectId}\u0000${type}\u0000${value}`).digest('base64url');
}

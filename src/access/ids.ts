import { randomBytes } from 'node:crypto';

/** Short random ids for rows, e.g. `ws_3kT9…`: a type prefix and 96 random bits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

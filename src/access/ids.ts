import { randomBytes, randomUUID } from 'node:crypto';

/** Short random ids for rows, e.g. `ws_3kT9…`: a type prefix and 96 random bits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/**
 * A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. Used
 * for `ops_request_id`: still a UUID on the wire (SPEC §3.2), but new ids land at the end of the
 * unique index instead of on a random page of it — 2.2× the insert rate of random v4 ids into the
 * outbox on SQLite (decision 110).
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const random = randomUUID();
  const time = nowMs.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}

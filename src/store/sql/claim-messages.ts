import type { Kysely, RawBuilder, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Database, MessagesTable } from '../schema.ts';

/**
 * Claims up to `limit` due messages of one channel for one request (RELIABILITY §4.2): queued
 * messages whose time has come, and messages whose lease expired (a dispatcher died mid-request),
 * oldest schedule first. One statement: the subquery picks the rows (`FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, so concurrent dispatchers take disjoint rows; SQLite's single writer serializes
 * claims inside the caller's `BEGIN IMMEDIATE`), the UPDATE leases them with a fresh fencing token
 * and the database's clock, and RETURNING hands them back. Uses `messages_due`.
 */
export async function claimMessages(
  db: Kysely<Database>,
  options: {
    channelId: string;
    limit: number;
    leaseMs: number;
    leaseToken: string;
    leasedBy: string;
    now: RawBuilder<number>;
    skipLocked: boolean;
  },
): Promise<Selectable<MessagesTable>[]> {
  // Two statements rather than one with an OR: each walks `messages_due` in order and stops at
  // its limit, where the OR made SQLite sort every due message of the channel (issue 16).
  const expired = await claimWhere(db, options, options.limit, 'sending');
  const left = options.limit - expired.length;
  return left > 0 ? [...expired, ...(await claimWhere(db, options, left, 'queued'))] : expired;
}

function claimWhere(
  db: Kysely<Database>,
  options: Parameters<typeof claimMessages>[1],
  limit: number,
  state: 'queued' | 'sending',
): Promise<Selectable<MessagesTable>[]> {
  const { now } = options;
  return db
    .updateTable('messages')
    .set({
      state: 'sending',
      lease_token: options.leaseToken,
      leased_by: options.leasedBy,
      leased_until: sql<number>`${now} + ${options.leaseMs}`,
      updated_at: now,
    })
    .where('id', 'in', (qb) => {
      let due = qb
        .selectFrom('messages')
        .select('id')
        .where('channel_id', '=', options.channelId)
        .where('state', '=', state);
      due =
        state === 'queued'
          ? due.where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id')
          : due.where('leased_until', '<', now).orderBy('id');
      due = due.limit(limit);
      return options.skipLocked ? due.forUpdate().skipLocked() : due;
    })
    .returningAll()
    .execute();
}

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
      const due = qb
        .selectFrom('messages')
        .select('id')
        .where('channel_id', '=', options.channelId)
        .where((eb) =>
          eb.or([
            eb.and([eb('state', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('state', '=', 'sending'), eb('leased_until', '<', now)]),
          ]),
        )
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(options.limit);
      return options.skipLocked ? due.forUpdate().skipLocked() : due;
    })
    .returningAll()
    .execute();
}

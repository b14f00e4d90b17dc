import type { Kysely } from 'kysely';
import type { SystemScope } from '../../access/scope.ts';
import type { DialectHandle } from '../dialect-handle.ts';
import type { Database } from '../schema.ts';

/** Message states retention may delete: finished ones. Never `queued`, `sending` or `held`. */
export const finishedStates = ['delivered', 'failed', 'dead', 'sent'] as const;

/**
 * Retention across projects (decision 79): each call deletes at most `limit` rows, so the caller
 * keeps every transaction small and calls again while a call answers a full chunk.
 */
export interface RetentionRepository {
  /**
   * Deletes up to `limit` finished messages (delivered, failed, dead, sent) that finished before
   * `before`, with their attempts. Answers how many of each went.
   */
  pruneMessages(
    scope: SystemScope,
    before: number,
    limit: number,
  ): Promise<{ messages: number; attempts: number }>;
  /** Deletes up to `limit` delivery stats minutes older than `before`. */
  pruneDeliveryStats(scope: SystemScope, before: number, limit: number): Promise<number>;
  /** Deletes up to `limit` fires of event campaigns that ended before `before`; answers how many. */
  pruneFires(scope: SystemScope, before: number, limit: number): Promise<number>;
}

export function retentionRepository(db: Kysely<Database>, handle: DialectHandle): RetentionRepository {
  const { skipLocked } = handle.capabilities;
  return {
    async pruneMessages(_scope, before, limit) {
      // Lock the chunk first (PostgreSQL: FOR UPDATE, skipping rows another transaction holds;
      // SQLite: the caller's BEGIN IMMEDIATE), so a replay cannot re-queue a message between its
      // attempts going and itself going. Oldest finished first; uses `messages_finished`.
      const picked = db
        .selectFrom('messages')
        .select('id')
        .where('state', 'in', finishedStates)
        .where('finished_at', '<', before)
        .orderBy('finished_at')
        .limit(limit);
      const ids = (await (skipLocked ? picked.forUpdate().skipLocked() : picked).execute()).map((r) =>
        Number(r.id),
      );
      if (ids.length === 0) return { messages: 0, attempts: 0 };
      const attempts = await db
        .deleteFrom('message_attempts')
        .where('message_id', 'in', ids)
        .executeTakeFirst();
      const messages = await db.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst();
      return { messages: Number(messages.numDeletedRows), attempts: Number(attempts.numDeletedRows) };
    },

    async pruneDeliveryStats(_scope, before, limit) {
      const result = await db
        .deleteFrom('delivery_stats')
        .where('id', 'in', (qb) =>
          qb.selectFrom('delivery_stats').select('id').where('minute', '<', before).limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async pruneFires(_scope, before, limit) {
      const result = await db
        .deleteFrom('campaign_fires')
        .where('id', 'in', (qb) =>
          qb
            .selectFrom('campaign_fires')
            .select('id')
            .where('done_at', '<', before)
            .where('state', '<>', 'pending')
            .limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

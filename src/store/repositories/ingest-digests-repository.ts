import type { Kysely } from 'kysely';
import type { SystemScope } from '../../access/scope.ts';
import type { Database } from '../schema.ts';
import { scoped } from './scoped.ts';

/**
 * Request bodies of id-less events already stored, per source, for a bounded window (decision
 * 102): the one exception to de-duplication by event id.
 */
export interface IngestDigestsRepository {
  /**
   * Claims `digest` for the source at `at`: true when it is new, or when its last claim is older
   * than `notBefore` (the window has passed; the claim is renewed); false for a live duplicate.
   * Runs in the transaction that stores the request's events, so a claim and its events commit
   * together and a concurrent claim of the same digest waits for it.
   */
  claim(
    scope: SystemScope,
    row: { projectId: number; sourceId: string; digest: string; at: number },
    notBefore: number,
  ): Promise<boolean>;
  /** Deletes claims older than `before`; returns how many. */
  prune(scope: SystemScope, before: number): Promise<number>;
}

export function ingestDigestsRepository(db: Kysely<Database>): IngestDigestsRepository {
  return {
    async claim(scope, row, notBefore) {
      const claimed = await scoped(db, scope)
        .insertInto('ingest_digests')
        .values({
          project_id: row.projectId,
          source_id: row.sourceId,
          digest: row.digest,
          received_at: row.at,
        })
        .onConflict((oc) =>
          oc
            .columns(['source_id', 'digest'])
            .doUpdateSet({ received_at: row.at })
            .where('ingest_digests.received_at', '<', notBefore),
        )
        .returning('digest')
        .executeTakeFirst();
      return claimed !== undefined;
    },
    async prune(scope, before) {
      const result = await scoped(db, scope)
        .deleteFrom('ingest_digests')
        .where('received_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

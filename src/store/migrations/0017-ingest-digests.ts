import type { Migration } from './migration.ts';

export const migration0017: Migration = {
  id: 17,
  name: 'ingest-digests',
  async up({ db }) {
    // Browser SDKs that send no event id (ThinkingData's web SDK) retry an unanswered request
    // with the same body: one row per such request body and source, kept for a bounded window
    // and claimed in the transaction that stores the request's events (issue 23).
    await db.schema
      .createTable('ingest_digests')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ingest_digests_pk', ['source_id', 'digest'])
      .execute();
    await db.schema
      .createIndex('ingest_digests_received')
      .on('ingest_digests')
      .column('received_at')
      .execute();
  },
};

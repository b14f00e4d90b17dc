import type { Migration } from './migration.ts';

export const migration0019: Migration = {
  id: 19,
  name: 'erasure',
  async up({ db }) {
    // Erasure (issue 20 item 4): what is left of an erased user is one row per identity they
    // held, keyed by a keyed hash of (project, ID type, value), never the value itself. The
    // profile applier drops events older than the erasure that carry such an identity, until the
    // row expires; the worker prunes expired rows.
    await db.schema
      .createTable('erasure_tombstones')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('id_hash', 'text', (c) => c.notNull())
      .addColumn('erased_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('erasure_tombstones_pk', ['project_id', 'id_hash'])
      .execute();
    await db.schema
      .createIndex('erasure_tombstones_expires')
      .on('erasure_tombstones')
      .column('expires_at')
      .execute();
  },
};

import type { Migration } from './migration.ts';

export const migration0003: Migration = {
  id: 3,
  name: 'sources',
  async up({ db, types }) {
    await db.schema
      .createTable('apps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('app_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('apps_name_unique', ['project_id', 'name_key'])
      .execute();

    await db.schema
      .createTable('data_sources')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('platforms', types.json, (c) => c.notNull())
      .addColumn('time_zone', 'text')
      .addColumn('app_key', 'text', (c) => c.notNull().unique())
      .addColumn('master_secret', 'text', (c) => c.notNull())
      .addColumn('scheme', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('rate_limit', 'integer')
      .addColumn('credentials_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('data_sources_project')
      .on('data_sources')
      .columns(['project_id', 'created_at', 'id'])
      .execute();

    // What reporting status needs: the last event time and hourly counts, written by ingest in
    // the same transaction as the events.
    await db.schema
      .createTable('source_activity')
      .addColumn('source_id', 'text', (c) => c.notNull().references('data_sources.id').onDelete('cascade'))
      .addColumn('project_id', 'bigint', (c) => c.notNull())
      .addColumn('hour_start', 'bigint', (c) => c.notNull())
      .addColumn('events', 'bigint', (c) => c.notNull())
      .addColumn('last_event_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('source_activity_pk', ['source_id', 'hour_start'])
      .execute();
  },
};

import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration0006: Migration = {
  id: 6,
  name: 'profiles',
  async up({ db, types }) {
    // The profile applier reads the committed event log: an event is applied exactly once, in the
    // same transaction that updates its profile and sets `applied_at`.
    await db.schema.alterTable('events').addColumn('applied_at', 'bigint').execute();
    await db.schema.alterTable('events').addColumn('tp_uid', 'text').execute();
    await db.schema
      .createIndex('events_unapplied')
      .on('events')
      .columns(['project_id', 'id'])
      .where(sql.ref('applied_at'), 'is', null)
      .execute();
    await db.schema
      .createIndex('events_profile_time')
      .on('events')
      .columns(['project_id', 'tp_uid', 'event_time'])
      .execute();

    // Verify tails a source's events.
    await db.schema
      .createIndex('events_source_id')
      .on('events')
      .columns(['project_id', 'source_id', 'id'])
      .execute();

    await db.schema
      .createTable('profiles')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('tp_uid', 'text', (c) => c.notNull())
      .addColumn('properties', 'text', (c) => c.notNull())
      .addColumn('meta', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('last_event_at', 'bigint')
      .addColumn('event_count', 'bigint', (c) => c.notNull())
      .addColumn('merged_into', 'text')
      .addPrimaryKeyConstraint('profiles_pk', ['project_id', 'tp_uid'])
      .execute();

    await db.schema
      .createTable('profile_identities')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('id_type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('tp_uid', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('profile_identities_pk', ['project_id', 'id_type', 'value'])
      .execute();
    await db.schema
      .createIndex('profile_identities_profile')
      .on('profile_identities')
      .columns(['project_id', 'tp_uid'])
      .execute();

    await db.schema
      .createTable('id_types')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('is_unique', 'boolean', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('id_types_pk', ['project_id', 'name'])
      .execute();

    await db.schema
      .createTable('project_settings')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('project_settings_pk', ['project_id', 'key'])
      .execute();

    // Event management: names, volumes and observed property types, kept by the applier.
    await db.schema
      .createTable('event_definitions')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('event_count', 'bigint', (c) => c.notNull())
      .addColumn('first_seen', 'bigint')
      .addColumn('last_seen', 'bigint')
      .addColumn('declared', 'boolean', (c) => c.notNull())
      .addColumn('description', 'text')
      .addPrimaryKeyConstraint('event_definitions_pk', ['project_id', 'name'])
      .execute();
    await db.schema
      .createTable('event_properties')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('types', 'text', (c) => c.notNull())
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_properties_pk', ['project_id', 'event_name', 'name'])
      .execute();

    // Verify: what a source received and refused (or dry-ran), pruned by retention.
    await db.schema
      .createTable('verify_buffer')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('entry_id', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('reasons', types.json, (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('verify_buffer_pk', ['project_id', 'entry_id'])
      .execute();
    await db.schema
      .createIndex('verify_buffer_source_time')
      .on('verify_buffer')
      .columns(['project_id', 'source_id', 'received_at'])
      .execute();
  },
};

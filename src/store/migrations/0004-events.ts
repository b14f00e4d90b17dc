import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration0004: Migration = {
  id: 4,
  name: 'events',
  async up({ db, types, serialPrimaryKey }) {
    // The event store (SPEC §2.1): one row per accepted event, in the one model every wire format
    // is normalized into. Rows of a deleted source stay (no foreign key to data_sources).
    await db.schema
      .createTable('events')
      .addColumn('id', serialPrimaryKey, (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('event_name', 'text')
      .addColumn('user_id', 'text')
      .addColumn('anonymous_id', 'text')
      .addColumn('account_id', 'text')
      .addColumn('distinct_id', 'text')
      .addColumn('previous_id', 'text')
      .addColumn('group_id', 'text')
      .addColumn('identities', types.json, (c) => c.notNull())
      .addColumn('properties', types.json, (c) => c.notNull())
      .addColumn('traits', types.json, (c) => c.notNull())
      .addColumn('context', types.json, (c) => c.notNull())
      .addColumn('extra', types.json, (c) => c.notNull())
      .addColumn('receipt_properties', types.json)
      .addColumn('ops_request_id', 'text')
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('sent_at', 'bigint')
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      // Dedupe (RELIABILITY decision 3): the same id from the same source is stored once.
      .addUniqueConstraint('events_source_message_unique', ['source_id', 'message_id'])
      .execute();
    await db.schema
      .createIndex('events_project_time')
      .on('events')
      .columns(['project_id', 'event_time'])
      .execute();
    await db.schema
      .createIndex('events_ops_request')
      .on('events')
      .columns(['project_id', 'ops_request_id'])
      .where(sql.ref('ops_request_id'), 'is not', null)
      .execute();
  },
};

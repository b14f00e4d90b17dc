import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration0013: Migration = {
  id: 13,
  name: 'profile-cursor',
  async up({ db }) {
    // The profile applier marks a window of the event log applied by advancing one cursor per
    // project (issue 14): the wide event rows are written once, by ingest, and never updated.
    await db.schema
      .createTable('profile_cursors')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('applied_through', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('profile_cursors_pk', ['project_id'])
      .execute();
    // Which profile each applied event belongs to: a narrow row per event, in timeline order, so
    // a profile's events page by (event_time, id) and a merge moves them with one update.
    await db.schema
      .createTable('profile_events')
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('tp_uid', 'text', (c) => c.notNull())
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('profile_events_pk', ['project_id', 'tp_uid', 'event_time', 'event_id'])
      .execute();
    // Events applied before this migration keep their profile; their applied_at stays set, and
    // the applier only reads events whose applied_at is null, so they are not applied again.
    await sql`INSERT INTO profile_events (project_id, tp_uid, event_time, event_id)
      SELECT project_id, tp_uid, event_time, id FROM events WHERE tp_uid IS NOT NULL`.execute(db);
  },
};

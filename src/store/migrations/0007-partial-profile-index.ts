import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration0007: Migration = {
  id: 7,
  name: 'partial-profile-index',
  async up({ db }) {
    // Events arrive without a profile; indexing only applied ones keeps the ingest insert path
    // one index lighter while profile timelines still use the index.
    await db.schema.dropIndex('events_profile_time').execute();
    await db.schema
      .createIndex('events_profile_time')
      .on('events')
      .columns(['project_id', 'tp_uid', 'event_time'])
      .where(sql.ref('tp_uid'), 'is not', null)
      .execute();
  },
};

import type { Migration } from './migration.ts';

export const migration0010: Migration = {
  id: 10,
  name: 'attempt-leases',
  async up({ db }) {
    // Which dispatcher made an attempt (`host:pid:…`) and until when its lease was valid (database
    // clock): with `lease_token` and the attempt's start and latency, the history shows that no two
    // leases of one message were valid while both requests were in flight (RELIABILITY DUR-01).
    // Rows written before this migration have neither.
    await db.schema.alterTable('message_attempts').addColumn('leased_by', 'text').execute();
    await db.schema.alterTable('message_attempts').addColumn('leased_until', 'bigint').execute();
  },
};

import type { Migration } from './migration.ts';

export const migration0014: Migration = {
  id: 14,
  name: 'delivery-rate',
  async up({ db }) {
    // The shared request-start schedule of a channel (issue 16, decision 91): the earliest time,
    // in microseconds of the database clock, at which its next request may start. Rate-limited
    // channels move it forward by one interval per request inside the claim transaction (row lock
    // on PostgreSQL, the single writer on SQLite); a receiver's 429 pushes it past Retry-After for
    // any channel. A channel without a limit that never saw a 429 has no row.
    await db.schema
      .createTable('channel_rates')
      .addColumn('channel_id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('next_start_us', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // Every message state change wrote these two indexes; nothing reads them since the dispatcher
    // finds due work per channel (messages_due) and the state prefix of messages_finished serves
    // the rest (decision 93).
    await db.schema.dropIndex('messages_state_due').execute();
    await db.schema.dropIndex('messages_leased').execute();
  },
};

import type { Migration } from './migration.ts';

/** Upper bounds (ms) of the latency histogram's buckets; the last bucket is everything above. */
const latencyBuckets = 30;

export const migration0012: Migration = {
  id: 12,
  name: 'delivery-stats',
  async up({ db, serialPrimaryKey }) {
    // The aggregate behind the channel charts (issue 17): one row per channel per minute, added to
    // in the transaction that records the attempts (`ON CONFLICT … DO UPDATE SET n = n + excluded.n`),
    // so it stays exact with several workers and no page view scans `message_attempts`.
    let table = db.schema
      .createTable('delivery_stats')
      .addColumn('id', serialPrimaryKey, (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (c) => c.notNull())
      // Epoch ms of the minute's start (the dispatcher's clock when the request completed).
      .addColumn('minute', 'bigint', (c) => c.notNull())
      .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
      // Requests whose result was `failure` / `partial` (some items refused).
      .addColumn('request_errors', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('request_partial', 'integer', (c) => c.notNull().defaultTo(0))
      // Messages by what the attempt meant for them (message_attempts.outcome), late ones apart.
      .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('retry', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('dead', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('latency_ms_sum', 'bigint', (c) => c.notNull().defaultTo(0));
    // Requests per latency bucket (log-spaced bounds in src/delivery/delivery-stats.ts): any range's
    // p50/p99 comes from the summed buckets.
    for (let i = 0; i < latencyBuckets; i += 1)
      table = table.addColumn(`latency_${String(i).padStart(2, '0')}`, 'integer', (c) =>
        c.notNull().defaultTo(0),
      );
    await table.execute();
    await db.schema
      .createIndex('delivery_stats_channel_minute')
      .on('delivery_stats')
      .columns(['channel_id', 'minute'])
      .unique()
      .execute();
    // Retention prunes by age across channels.
    await db.schema.createIndex('delivery_stats_minute').on('delivery_stats').columns(['minute']).execute();
    // Retention finds finished messages by age (and replay-since by channel reads the same way).
    await db.schema
      .createIndex('messages_finished')
      .on('messages')
      .columns(['state', 'finished_at'])
      .execute();
  },
};

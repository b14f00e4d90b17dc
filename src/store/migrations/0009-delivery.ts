import type { Migration } from './migration.ts';

export const migration0009: Migration = {
  id: 9,
  name: 'delivery',
  async up({ db, types, serialPrimaryKey }) {
    // The send API's requests (SPEC §4.1): one row per accepted send, the first answer kept for
    // the idempotency key's 24 hours.
    await db.schema
      .createTable('sends')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('queued', 'integer', (c) => c.notNull())
      .addColumn('skipped', types.json, (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sends_idempotency')
      .on('sends')
      .columns(['project_id', 'idempotency_key'])
      .unique()
      .execute();

    // The durable outbox (SPEC §4, RELIABILITY §4.2): one row per rendered message, holding
    // everything a request needs (no re-render), its state, its lease and its schedule.
    await db.schema
      .createTable('messages')
      .addColumn('id', serialPrimaryKey, (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('ops_request_id', 'text', (c) => c.notNull().unique())
      .addColumn('push_id', 'text', (c) => c.notNull())
      .addColumn('tp_uid', 'text')
      .addColumn('workspace_id', 'text')
      .addColumn('send_id', 'text')
      .addColumn('campaign_id', 'text')
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('task_instance_id', 'text', (c) => c.notNull())
      // `{"params":…,"custom_params":…}` as final text: every retry sends the same values.
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('lease_token', 'text')
      .addColumn('leased_until', 'bigint')
      .addColumn('leased_by', 'text')
      .addColumn('last_reason', 'text')
      .addColumn('last_error', 'text')
      .addColumn('held_reason', 'text')
      .addColumn('manual_replay', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .execute();
    // The claim: due queued messages of one channel, oldest schedule first.
    await db.schema
      .createIndex('messages_due')
      .on('messages')
      .columns(['channel_id', 'state', 'next_attempt_at'])
      .execute();
    // Which channels have due work, across channels (the dispatcher's first question).
    await db.schema
      .createIndex('messages_state_due')
      .on('messages')
      .columns(['state', 'next_attempt_at'])
      .execute();
    // Expired leases (a crashed worker's batch) are found by this one.
    await db.schema
      .createIndex('messages_leased')
      .on('messages')
      .columns(['state', 'leased_until'])
      .execute();
    await db.schema
      .createIndex('messages_project')
      .on('messages')
      .columns(['project_id', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('messages_send').on('messages').columns(['project_id', 'send_id']).execute();
    await db.schema.createIndex('messages_push').on('messages').columns(['project_id', 'push_id']).execute();
    await db.schema
      .createIndex('messages_profile')
      .on('messages')
      .columns(['project_id', 'tp_uid'])
      .execute();

    // One row per message per request (append-only): what the attempt carried, how it ended.
    await db.schema
      .createTable('message_attempts')
      .addColumn('id', serialPrimaryKey, (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('message_id', 'bigint', (c) => c.notNull().references('messages.id').onDelete('cascade'))
      .addColumn('batch_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('lease_token', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('latency_ms', 'integer', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('detail', 'text')
      .addColumn('response_excerpt', 'text')
      .addColumn('manual_replay', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('message_attempts_message')
      .on('message_attempts')
      .columns(['message_id', 'id'])
      .execute();
    await db.schema
      .createIndex('message_attempts_batch')
      .on('message_attempts')
      .columns(['batch_id'])
      .execute();

    // Channel health (SPEC §4 "Unhealthy"): no success for 6 h with ≥ 5 failed requests, or a 410.
    await db.schema
      .createTable('channel_health')
      .addColumn('channel_id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('since', 'bigint')
      .addColumn('last_success_at', 'bigint')
      .addColumn('first_failure_at', 'bigint')
      .addColumn('last_failure_at', 'bigint')
      .addColumn('failed_requests', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

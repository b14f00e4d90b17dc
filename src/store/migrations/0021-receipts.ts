import type { Migration } from './migration.ts';

export const migration0021: Migration = {
  id: 21,
  name: 'receipts',
  async up({ db, serialPrimaryKey }) {
    // Receipts (SPEC §6, issue 21 item 1). An ingested event whose `#ops_receipt_properties`
    // names a message of its project is recorded once per (message, event name) by the profile
    // applier, in the transaction that moves its cursor past the event — exactly once, whatever
    // crashes, and whether or not the message is recorded as delivered yet. The message's
    // campaign, run, send and channel are copied: funnels count receipts after the message
    // itself has gone with the delivery history. No personal data: an event id and times.
    await db.schema
      .createTable('message_receipts')
      .addColumn('id', serialPrimaryKey, (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('ops_request_id', 'text', (c) => c.notNull())
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('campaign_id', 'text')
      .addColumn('task_instance_id', 'text', (c) => c.notNull())
      .addColumn('send_id', 'text')
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('message_receipts_once', ['project_id', 'ops_request_id', 'step'])
      .execute();
    await db.schema
      .createIndex('message_receipts_campaign')
      .on('message_receipts')
      .columns(['project_id', 'campaign_id', 'task_instance_id'])
      .execute();
    await db.schema
      .createIndex('message_receipts_send')
      .on('message_receipts')
      .columns(['project_id', 'send_id'])
      .execute();
  },
};

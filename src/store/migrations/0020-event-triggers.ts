import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration0020: Migration = {
  id: 20,
  name: 'event-triggers',
  async up({ db }) {
    // Event-triggered campaigns (issue 20 item 1). The profile applier records a fire per
    // (campaign, matching event) in the transaction that moves its cursor past the event, so an
    // event fires a campaign exactly once; the unique (campaign_id, event_id) says so again. A worker claims due
    // fires under a lease and, in one transaction, queues their messages and marks them done.
    // `event_properties` holds the triggering event's properties for `event.<property>`
    // variables and the "unless" check's `same` keys; erasure deletes a user's fires.
    await db.schema
      .createTable('campaign_fires')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addColumn('tp_uid', 'text', (c) => c.notNull())
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('event_properties', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('messages', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_token', 'text')
      .addColumn('leased_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('done_at', 'bigint')
      .addUniqueConstraint('campaign_fires_once', ['campaign_id', 'event_id'])
      .execute();
    // The worker's question: pending fires by due time. Partial: done fires pay nothing.
    await db.schema
      .createIndex('campaign_fires_due')
      .on('campaign_fires')
      .columns(['due_at'])
      .where(sql.ref('state'), '=', 'pending')
      .execute();
    // Retention removes done fires (they hold event properties) with the delivery history.
    await db.schema.createIndex('campaign_fires_done').on('campaign_fires').columns(['done_at']).execute();
    // A run completes only when none of its fires is pending.
    await db.schema
      .createIndex('campaign_fires_run')
      .on('campaign_fires')
      .columns(['run_id', 'state'])
      .execute();
    await db.schema
      .createIndex('campaign_fires_user')
      .on('campaign_fires')
      .columns(['project_id', 'tp_uid'])
      .execute();
    // An event campaign's run (state `listening`) counts matching events and those left out by
    // the audience or the "unless" event.
    await db.schema
      .alterTable('campaign_runs')
      .addColumn('fired', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('campaign_runs')
      .addColumn('excluded', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration0016: Migration = {
  id: 16,
  name: 'campaigns',
  async up({ db }) {
    // Campaigns (SPEC §5) live in a workspace. The trigger, template values, variables and
    // conversion goal are JSON text as the API accepted them; `next_run_at` is the scheduler's
    // one question ("which campaigns are due?").
    await db.schema
      .createTable('campaigns')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('audience_id', 'text')
      .addColumn('channel_id', 'text')
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('template_values', 'text', (c) => c.notNull())
      .addColumn('variables', 'text', (c) => c.notNull())
      .addColumn('conversion', 'text')
      .addColumn('next_run_at', 'bigint')
      .addColumn('submitted_by', 'text')
      .addColumn('submitted_at', 'bigint')
      .addColumn('approved_by', 'text')
      .addColumn('approved_at', 'bigint')
      .addColumn('rejection', 'text')
      .addColumn('published_by', 'text')
      .addColumn('published_at', 'bigint')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('campaigns_name_unique', ['project_id', 'workspace_id', 'name_key'])
      .execute();
    await db.schema.createIndex('campaigns_due').on('campaigns').columns(['next_run_at']).execute();
    await db.schema
      .createIndex('campaigns_channel')
      .on('campaigns')
      .columns(['project_id', 'channel_id'])
      .execute();
    await db.schema
      .createIndex('campaigns_audience')
      .on('campaigns')
      .columns(['project_id', 'audience_id'])
      .execute();

    // A task instance: one run of a campaign. `(campaign_id, scheduled_for)` is unique, so a run
    // fires once however many schedulers saw it due. The renderer leases a run (so one worker
    // renders it at a time) and checkpoints `cursor` (the last rendered tp_uid) in the same
    // transaction as the messages, so a crash resumes after the last committed page.
    await db.schema
      .createTable('campaign_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('scheduled_for', 'bigint', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('cursor', 'text')
      .addColumn('audience_size', 'bigint')
      .addColumn('reachable', 'bigint')
      .addColumn('processed', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('queued', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('skipped', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .addColumn('lease_token', 'text')
      .addColumn('leased_until', 'bigint')
      .addColumn('leased_by', 'text')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('finished_at', 'bigint')
      .addUniqueConstraint('campaign_runs_once', ['campaign_id', 'scheduled_for'])
      .execute();
    await db.schema
      .createIndex('campaign_runs_state')
      .on('campaign_runs')
      .columns(['state', 'leased_until'])
      .execute();

    // Pause, resume and stop change a campaign's unfinished messages; run counts group them by
    // state per run. Partial, like `messages_send` from now on: each outbox row pays for the index
    // of its own origin only (a campaign run writes a million rows; every index costs ~10 %).
    await db.schema
      .createIndex('messages_campaign')
      .on('messages')
      .columns(['campaign_id', 'task_instance_id', 'state'])
      .where(sql.ref('campaign_id'), 'is not', null)
      .execute();
    await db.schema.dropIndex('messages_send').execute();
    await db.schema
      .createIndex('messages_send')
      .on('messages')
      .columns(['project_id', 'send_id'])
      .where(sql.ref('send_id'), 'is not', null)
      .execute();
  },
};

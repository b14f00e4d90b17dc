import type { Migration } from './migration.ts';

export const migration0018: Migration = {
  id: 18,
  name: 'consent',
  async up({ db }) {
    // The user's say (SPEC §5): a project-wide suppression list and per-channel unsubscribes,
    // each row naming one ID value (`$tp_uid` names a profile itself). The send gate joins them
    // with profile_identities, so a suppressed e-mail address silences the whole profile
    // whatever the channel's send ID type.
    await db.schema
      .createTable('suppressions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('id_type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('suppressions_value', ['project_id', 'id_type', 'value'])
      .execute();
    await db.schema
      .createTable('unsubscribes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (c) => c.notNull())
      .addColumn('id_type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('unsubscribes_value', ['project_id', 'channel_id', 'id_type', 'value'])
      .execute();
    // A campaign's own frequency cap (JSON) and what quiet hours do to it (`delay` or `drop`).
    await db.schema.alterTable('campaigns').addColumn('frequency_cap', 'text').execute();
    await db.schema
      .alterTable('campaigns')
      .addColumn('quiet_hours', 'text', (c) => c.notNull().defaultTo('delay'))
      .execute();
    // A run counts members left out by the gate, by reason.
    await db.schema
      .alterTable('campaign_runs')
      .addColumn('suppressed', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('campaign_runs')
      .addColumn('unsubscribed', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('campaign_runs')
      .addColumn('capped', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('campaign_runs')
      .addColumn('quiet', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

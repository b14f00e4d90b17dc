import type { Migration } from './migration.ts';

export const migration0005: Migration = {
  id: 5,
  name: 'channels',
  async up({ db, types }) {
    // Reach channels (SPEC §3.1). Non-secret settings live in `config` (JSON); secrets in their
    // own columns as SecretBox ciphertexts bound to the row. A deleted channel keeps its row for
    // the messages that name it, loses its secrets and frees its name (`name_key` NULL).
    await db.schema
      .createTable('channels')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text')
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('app_id', 'text', (c) => c.references('apps.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('test_status', 'text', (c) => c.notNull())
      .addColumn('tested_at', 'bigint')
      .addColumn('config', types.json, (c) => c.notNull())
      .addColumn('token_secret', 'text')
      .addColumn('v2_key', 'text')
      .addColumn('v2_previous_key', 'text')
      .addColumn('v2_previous_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .addUniqueConstraint('channels_name_unique', ['project_id', 'name_key'])
      .execute();
    await db.schema
      .createIndex('channels_project')
      .on('channels')
      .columns(['project_id', 'created_at', 'id'])
      .execute();

    // Workspace authorizations: a channel is usable only in the workspaces listed here.
    await db.schema
      .createTable('channel_workspaces')
      .addColumn('project_id', 'bigint', (c) => c.notNull())
      .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('authorized_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('channel_workspaces_pk', ['channel_id', 'workspace_id'])
      .execute();
    await db.schema
      .createIndex('channel_workspaces_workspace')
      .on('channel_workspaces')
      .columns(['project_id', 'workspace_id'])
      .execute();
    // usage_grants (0002) gets no channel foreign key: SQLite cannot add one to an existing
    // table. The channels repository deletes a channel's grants when it deletes the channel.
  },
};

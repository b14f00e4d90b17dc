import type { Migration } from './migration.ts';

export const migration0015: Migration = {
  id: 15,
  name: 'audiences',
  async up({ db }) {
    // Saved audiences (SPEC §5) live in a workspace; membership is computed when evaluated, so
    // only the conditions are stored (JSON text, as the API accepted them).
    await db.schema
      .createTable('audiences')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('project_id', 'bigint', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('conditions', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('audiences_name_unique', ['project_id', 'workspace_id', 'name_key'])
      .execute();
  },
};

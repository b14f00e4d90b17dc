import type { Migration } from './migration.ts';

export const migration0001: Migration = {
  id: 1,
  name: 'core',
  async up({ db }) {
    await db.schema
      .createTable('instance_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

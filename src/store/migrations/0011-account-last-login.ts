import type { Migration } from './migration.ts';

export const migration0011: Migration = {
  id: 11,
  name: 'account-last-login',
  async up({ db }) {
    // When an account last signed in with its password (the instance admin's accounts list);
    // accounts that have not signed in since this migration read NULL ("never recorded").
    await db.schema.alterTable('accounts').addColumn('last_login_at', 'bigint').execute();
  },
};

import type { Kysely, Selectable } from 'kysely';
import type { Account, AccountCredentials } from '../../tenancy/model.ts';
import type { AccountsTable, Database } from '../schema.ts';
import { bool } from './scoped.ts';

/** Instance-wide accounts (not tenant data: an account may belong to several projects). */
export interface AccountsRepository {
  create(account: {
    id: string;
    email: string;
    name: string;
    passwordHash: string | null;
    isInstanceAdmin: boolean;
    mustChangePassword: boolean;
  }): Promise<Account>;
  count(): Promise<number>;
  findById(id: string): Promise<AccountCredentials | undefined>;
  findByEmail(email: string): Promise<AccountCredentials | undefined>;
  setPassword(id: string, passwordHash: string, mustChangePassword: boolean): Promise<void>;
  recordLoginFailure(id: string, lockedUntil: number | null): Promise<void>;
  recordLoginSuccess(id: string): Promise<void>;
}

function toAccount(row: Selectable<AccountsTable>): AccountCredentials {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isInstanceAdmin: bool(row.is_instance_admin),
    mustChangePassword: bool(row.must_change_password),
    createdAt: Number(row.created_at),
    passwordHash: row.password_hash,
    failedLogins: Number(row.failed_logins),
    lockedUntil: row.locked_until === null ? null : Number(row.locked_until),
  };
}

export function accountsRepository(db: Kysely<Database>): AccountsRepository {
  return {
    async create(a) {
      const now = Date.now();
      const row = await db
        .insertInto('accounts')
        .values({
          id: a.id,
          email: a.email,
          name: a.name,
          password_hash: a.passwordHash,
          is_instance_admin: a.isInstanceAdmin,
          must_change_password: a.mustChangePassword,
          failed_logins: 0,
          locked_until: null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAccount(row);
    },
    async count() {
      const row = await db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async findById(id) {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    },
    async findByEmail(email) {
      const row = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
      return row && toAccount(row);
    },
    async setPassword(id, passwordHash, mustChangePassword) {
      await db
        .updateTable('accounts')
        .set({
          password_hash: passwordHash,
          must_change_password: mustChangePassword,
          failed_logins: 0,
          locked_until: null,
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .execute();
    },
    async recordLoginFailure(id, lockedUntil) {
      await db
        .updateTable('accounts')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), locked_until: lockedUntil }))
        .where('id', '=', id)
        .execute();
    },
    async recordLoginSuccess(id) {
      await db
        .updateTable('accounts')
        .set({ failed_logins: 0, locked_until: null })
        .where('id', '=', id)
        .execute();
    },
  };
}

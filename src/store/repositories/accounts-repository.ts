import { sql, type Kysely, type Selectable } from 'kysely';
import type { PageRequest } from '../../access/paging.ts';
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
  /** Clears the failure count and lock, and records when the account signed in. */
  recordLoginSuccess(id: string): Promise<void>;
  /**
   * Every account, oldest first (keyset on `created_at, id`); `q` keeps those whose e-mail or
   * name contains it, ignoring case.
   */
  list(filter: { q?: string }, page: PageRequest): Promise<AccountCredentials[]>;
  countInstanceAdmins(): Promise<number>;
  /** Answers false when no such account exists. */
  setInstanceAdmin(id: string, isInstanceAdmin: boolean): Promise<boolean>;
  /** Ends a login lockout and resets the failure count. */
  unlock(id: string): Promise<void>;
  /**
   * Serializes, until the transaction ends, every change of who is instance admin (call first
   * inside `store.transaction`), so two admins withdrawing each other cannot leave none.
   */
  lockInstanceAdmins(): Promise<void>;
}

/** A LIKE pattern matching `text` anywhere, with `%`, `_` and `\\` taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
  };
}

export function accountsRepository(
  db: Kysely<Database>,
  lock: (db: Kysely<Database>, key: string) => Promise<void>,
): AccountsRepository {
  return {
    async lockInstanceAdmins() {
      await lock(db, 'accounts:instance_admins');
    },
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
          last_login_at: null,
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
        .set({ failed_logins: 0, locked_until: null, last_login_at: Date.now() })
        .where('id', '=', id)
        .execute();
    },
    async list(filter, page) {
      let query = db.selectFrom('accounts').selectAll();
      const needle = filter.q?.trim().toLowerCase();
      if (needle) {
        const pattern = containsPattern(needle);
        query = query.where((eb) =>
          eb.or([
            sql<boolean>`lower(${eb.ref('email')}) like ${pattern} escape '\\'`,
            sql<boolean>`lower(${eb.ref('name')}) like ${pattern} escape '\\'`,
          ]),
        );
      }
      const [afterAt, afterId] = page.after ?? [];
      if (afterAt !== undefined && afterId !== undefined)
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '>', Number(afterAt)),
            eb.and([eb('created_at', '=', Number(afterAt)), eb('id', '>', String(afterId))]),
          ]),
        );
      const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
      return rows.map(toAccount);
    },
    async countInstanceAdmins() {
      const row = await db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('is_instance_admin', '=', true)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async setInstanceAdmin(id, isInstanceAdmin) {
      const result = await db
        .updateTable('accounts')
        .set({ is_instance_admin: isInstanceAdmin, updated_at: Date.now() })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async unlock(id) {
      await db
        .updateTable('accounts')
        .set({ failed_logins: 0, locked_until: null, updated_at: Date.now() })
        .where('id', '=', id)
        .execute();
    },
  };
}

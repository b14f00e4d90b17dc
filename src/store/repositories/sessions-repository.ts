import type { Kysely } from 'kysely';
import type { Session } from '../../tenancy/model.ts';
import type { Database } from '../schema.ts';

/** Console sessions (by the SHA-256 of the cookie value) and one-time set-password links. */
export interface SessionsRepository {
  create(session: {
    idHash: string;
    accountId: string;
    csrfToken: string;
    expiresAt: number;
    ip: string | null;
  }): Promise<void>;
  find(idHash: string): Promise<Session | undefined>;
  touch(idHash: string, at: number, expiresAt: number): Promise<void>;
  delete(idHash: string): Promise<void>;
  deleteForAccount(accountId: string, exceptIdHash?: string): Promise<void>;
  createPasswordLink(link: {
    tokenHash: string;
    accountId: string;
    createdBy: string | null;
    expiresAt: number;
  }): Promise<void>;
  /** Ends the account's unused links (a new one was issued). */
  deletePasswordLinks(accountId: string): Promise<void>;
  /** Marks the link used and answers its account, once, while it has not expired. */
  consumePasswordLink(tokenHash: string, now: number): Promise<string | undefined>;
}

export function sessionsRepository(db: Kysely<Database>): SessionsRepository {
  return {
    async create(s) {
      const now = Date.now();
      await db
        .insertInto('sessions')
        .values({
          id_hash: s.idHash,
          account_id: s.accountId,
          csrf_token: s.csrfToken,
          created_at: now,
          last_seen_at: now,
          expires_at: s.expiresAt,
          ip: s.ip,
        })
        .execute();
    },
    async find(idHash) {
      const row = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .executeTakeFirst();
      return (
        row && {
          accountId: row.account_id,
          csrfToken: row.csrf_token,
          createdAt: Number(row.created_at),
          lastSeenAt: Number(row.last_seen_at),
          expiresAt: Number(row.expires_at),
        }
      );
    },
    async touch(idHash, at, expiresAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: at, expires_at: expiresAt })
        .where('id_hash', '=', idHash)
        .execute();
    },
    async delete(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    async deleteForAccount(accountId, exceptIdHash) {
      let query = db.deleteFrom('sessions').where('account_id', '=', accountId);
      if (exceptIdHash) query = query.where('id_hash', '!=', exceptIdHash);
      await query.execute();
    },
    async createPasswordLink(link) {
      await db
        .insertInto('password_links')
        .values({
          token_hash: link.tokenHash,
          account_id: link.accountId,
          created_by: link.createdBy,
          created_at: Date.now(),
          expires_at: link.expiresAt,
          used_at: null,
        })
        .execute();
    },
    async deletePasswordLinks(accountId) {
      await db
        .deleteFrom('password_links')
        .where('account_id', '=', accountId)
        .where('used_at', 'is', null)
        .execute();
    },
    async consumePasswordLink(tokenHash, now) {
      const row = await db
        .updateTable('password_links')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning('account_id')
        .executeTakeFirst();
      return row?.account_id;
    },
  };
}

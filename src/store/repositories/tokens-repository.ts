import type { PageRequest } from '../../access/paging.ts';
import type { Kysely } from 'kysely';
import type { ApiToken } from '../../tenancy/model.ts';
import type { Permission } from '../../access/permissions.ts';
import type { ProjectScope, Scope, SystemScope } from '../../access/scope.ts';
import type { Database } from '../schema.ts';
import { scoped } from './scoped.ts';

/** API tokens; only the SHA-256 of a token is stored. */
export interface TokensRepository {
  create(
    scope: ProjectScope,
    token: {
      id: string;
      name: string;
      tokenHash: string;
      permissions: readonly Permission[];
      createdBy: string;
      expiresAt: number | null;
    },
  ): Promise<ApiToken>;
  /** Newest first; `after` is `[createdAt, id]`; `createdBy` keeps only those creators' tokens. */
  list(scope: ProjectScope, page: PageRequest, createdBy?: readonly string[]): Promise<ApiToken[]>;
  get(scope: ProjectScope, id: string): Promise<ApiToken | undefined>;
  revoke(scope: ProjectScope, id: string): Promise<ApiToken | undefined>;
  /** Authentication: any project's token by its hash. */
  findByHash(scope: SystemScope, tokenHash: string): Promise<ApiToken | undefined>;
  touch(scope: SystemScope, id: string, at: number): Promise<void>;
}

interface Row {
  id: string;
  project_id: number;
  name: string;
  permissions: string;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  email: string;
}

function toToken(row: Row): ApiToken {
  return {
    id: row.id,
    projectId: Number(row.project_id),
    name: row.name,
    permissions: JSON.parse(row.permissions) as Permission[],
    createdBy: { accountId: row.created_by, email: row.email },
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export function tokensRepository(db: Kysely<Database>): TokensRepository {
  const select = (scope: Scope) =>
    scoped(db, scope)
      .selectFrom('api_tokens')
      .innerJoin('accounts', 'accounts.id', 'api_tokens.created_by')
      .select([
        'api_tokens.id',
        'api_tokens.project_id',
        'api_tokens.name',
        'api_tokens.permissions',
        'api_tokens.created_by',
        'api_tokens.created_at',
        'api_tokens.expires_at',
        'api_tokens.last_used_at',
        'api_tokens.revoked_at',
        'accounts.email',
      ]);
  return {
    async create(scope, t) {
      await scoped(db, scope)
        .insertInto('api_tokens')
        .values({
          id: t.id,
          project_id: scope.projectId,
          name: t.name,
          token_hash: t.tokenHash,
          permissions: JSON.stringify(t.permissions),
          created_by: t.createdBy,
          created_at: Date.now(),
          expires_at: t.expiresAt,
          last_used_at: null,
          revoked_at: null,
        })
        .execute();
      const token = await this.get(scope, t.id);
      if (!token) throw new Error('token vanished after insert');
      return token;
    },
    async list(scope, page, createdBy) {
      let query = select(scope).where('api_tokens.project_id', '=', scope.projectId);
      if (createdBy?.length === 0) return [];
      if (createdBy) query = query.where('api_tokens.created_by', 'in', createdBy);
      if (page.after) {
        const [createdAt, id] = page.after;
        query = query.where((eb) =>
          eb.or([
            eb('api_tokens.created_at', '<', Number(createdAt)),
            eb.and([
              eb('api_tokens.created_at', '=', Number(createdAt)),
              eb('api_tokens.id', '<', String(id)),
            ]),
          ]),
        );
      }
      const rows = await query
        .orderBy('api_tokens.created_at', 'desc')
        .orderBy('api_tokens.id', 'desc')
        .limit(page.limit)
        .execute();
      return rows.map(toToken);
    },
    async get(scope, id) {
      const row = await select(scope)
        .where('api_tokens.project_id', '=', scope.projectId)
        .where('api_tokens.id', '=', id)
        .executeTakeFirst();
      return row && toToken(row);
    },
    async revoke(scope, id) {
      await scoped(db, scope)
        .updateTable('api_tokens')
        .set({ revoked_at: Date.now() })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return this.get(scope, id);
    },
    async findByHash(scope, tokenHash) {
      const row = await select(scope).where('api_tokens.token_hash', '=', tokenHash).executeTakeFirst();
      return row && toToken(row);
    },
    async touch(scope, id, at) {
      await scoped(db, scope)
        .updateTable('api_tokens')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .execute();
    },
  };
}

import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type AuditContext, type Caller, type ProjectAccess } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import type { Permission } from '../access/permissions.ts';
import { TouchpointError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { hashSecret, newSecret } from './credentials.ts';
import type { Account, ApiToken } from './model.ts';
import { tokenCreators } from './token-creators.ts';
import { validationError } from './validation-error.ts';

/** API tokens of a project: listed, created with a subset of the creator's permissions, revoked. */
export class TokensService {
  readonly #store: Store;
  readonly #audit: AuditLog;

  constructor(deps: { store: Store; audit: AuditLog }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
  }

  async listTokens(caller: Caller, access: ProjectAccess, page: PageRequest): Promise<ApiToken[]> {
    const creators = await tokenCreators(caller, access, this.#store);
    return this.#store.tokens.list(access.scope, page, creators === 'all' ? undefined : creators);
  }

  /**
   * Creates a token for the caller's account with a subset of the caller's current permissions;
   * the secret is returned once and only its hash is kept.
   */
  async createToken(
    creator: Account,
    access: ProjectAccess,
    input: { name: string; permissions: readonly Permission[]; expiresAt: number | null },
    ctx: AuditContext,
  ): Promise<{ token: ApiToken; secret: string }> {
    const name = input.name.trim();
    if (name === '') throw validationError('/name', 'must not be empty');
    const permissions = [...new Set(input.permissions)];
    const notHeld = permissions.filter((p) => !access.permissions.has(p));
    if (notHeld.length > 0)
      throw new TouchpointError('TP_ERR_TENANCY_PERMISSION_NOT_HELD', { permissions: notHeld });
    if (input.expiresAt !== null && input.expiresAt <= Date.now())
      throw validationError('/expires_in_days', 'must lie in the future');
    const secret = newSecret('tp_');
    const expiresAt = input.expiresAt;
    return this.#store.transaction(async (tx) => {
      const token = await tx.tokens.create(access.scope, {
        id: newId('tok'),
        name,
        tokenHash: hashSecret(secret),
        permissions,
        createdBy: creator.id,
        expiresAt,
      });
      await this.#audit.record(
        access.scope,
        ctx,
        {
          action: 'token.created',
          target: { type: 'token', id: token.id, label: token.name },
          details: { permissions, expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString() },
        },
        tx,
      );
      return { token, secret };
    });
  }

  async revokeToken(caller: Caller, access: ProjectAccess, tokenId: string): Promise<void> {
    await this.#store.transaction(async (tx) => {
      const token = await tx.tokens.get(access.scope, tokenId);
      const creators = await tokenCreators(caller, access, tx);
      if (!token || (creators !== 'all' && !creators.includes(token.createdBy.accountId)))
        throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'token' });
      if (token.revokedAt !== null) return;
      await tx.tokens.revoke(access.scope, tokenId);
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        { action: 'token.revoked', target: { type: 'token', id: token.id, label: token.name } },
        tx,
      );
    });
  }
}

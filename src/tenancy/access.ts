import type { Caller, ProjectAccess, WorkspaceGate } from '../access/caller.ts';
import { timingSafeEqual } from 'node:crypto';
import { TouchpointError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { hashSecret } from './credentials.ts';
import type { Permission } from '../access/permissions.ts';
import { rolePermissions, roleHasWorkspaces } from './roles.ts';
import { projectScope, systemScope } from '../access/scope.ts';

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Authentication and authorization over the store. Every check reads current rows, so a removed
 * member or a revoked token loses access on its next request (MT-10).
 */
export class AccessControl implements WorkspaceGate {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  /** A bearer token (`tp_…`) → its caller; 401 when unknown, expired or revoked. */
  async authenticateToken(
    secret: string,
    meta: { ip: string | null; requestId: string | null },
  ): Promise<Caller> {
    const scope = systemScope('API token authentication');
    const token = await this.#store.tokens.findByHash(scope, hashSecret(secret));
    const now = Date.now();
    if (!token || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now))
      throw new TouchpointError('TP_ERR_AUTH_TOKEN_INVALID');
    const account = await this.#store.accounts.findById(token.createdBy.accountId);
    if (!account) throw new TouchpointError('TP_ERR_AUTH_TOKEN_INVALID');
    // Record use at most once a minute: a hot token must not turn every read into a write.
    if (token.lastUsedAt === null || now - token.lastUsedAt > 60_000)
      await this.#store.tokens.touch(scope, token.id, now);
    return { account, via: { kind: 'token', token }, ...meta };
  }

  /** A session cookie value → its caller; writes need the CSRF token (double submit). */
  async authenticateSession(
    cookie: string,
    request: { method: string; csrfHeader: string | undefined; ip: string | null; requestId: string | null },
  ): Promise<Caller> {
    const idHash = hashSecret(cookie);
    const session = await this.#store.sessions.find(idHash);
    const now = Date.now();
    if (!session || session.expiresAt <= now || session.createdAt + SESSION_MAX_MS <= now)
      throw new TouchpointError('TP_ERR_AUTH_REQUIRED', { reason: 'session_expired' });
    const account = await this.#store.accounts.findById(session.accountId);
    if (!account) throw new TouchpointError('TP_ERR_AUTH_REQUIRED');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      if (!request.csrfHeader || !safeEqual(request.csrfHeader, session.csrfToken))
        throw new TouchpointError('TP_ERR_AUTH_CSRF');
    }
    if (now - session.lastSeenAt > 60_000) {
      await this.#store.sessions.touch(
        idHash,
        now,
        Math.min(now + SESSION_IDLE_MS, session.createdAt + SESSION_MAX_MS),
      );
    }
    return {
      account,
      via: { kind: 'session', idHash, csrfToken: session.csrfToken },
      ip: request.ip,
      requestId: request.requestId,
    };
  }

  /**
   * The caller's access to a project, or undefined when it is not a member — which callers turn
   * into 404, exactly like a missing project (MT-02). A token acts only in its own project, with
   * its permissions capped by its creator's current role.
   */
  async projectAccess(caller: Caller, projectId: number): Promise<ProjectAccess | undefined> {
    if (caller.via.kind === 'token' && caller.via.token.projectId !== projectId) return undefined;
    const access = await this.memberAccess(caller.account.id, projectId);
    if (!access || caller.via.kind !== 'token') return access;
    const tokenPermissions = caller.via.token.permissions;
    return { ...access, permissions: new Set(tokenPermissions.filter((p) => access.permissions.has(p))) };
  }

  /** An account's access to a project by its current membership (CLI and token creation). */
  async memberAccess(accountId: string, projectId: number): Promise<ProjectAccess | undefined> {
    if (!Number.isSafeInteger(projectId) || projectId <= 0) return undefined;
    const scope = projectScope(projectId);
    const member = await this.#store.members.get(scope, accountId);
    if (!member) return undefined;
    return {
      scope,
      role: member.role,
      permissions: new Set<Permission>(rolePermissions[member.role]),
      workspaceIds: roleHasWorkspaces(member.role) ? member.workspaceIds : 'all',
    };
  }

  /** 404 for a project the caller cannot see, 403 for a missing permission. */
  async requireProject(
    caller: Caller,
    projectId: number,
    permission: Permission | null,
  ): Promise<ProjectAccess> {
    const access = await this.projectAccess(caller, projectId);
    if (!access) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'project' });
    if (permission !== null && !access.permissions.has(permission))
      throw new TouchpointError('TP_ERR_FORBIDDEN', { permission });
    return access;
  }

  /** 404 unless the workspace is in the project and the caller belongs to it. */
  async requireWorkspace(access: ProjectAccess, workspaceId: string): Promise<void> {
    const workspace = await this.#store.projects.getWorkspace(access.scope, workspaceId);
    if (!workspace || (access.workspaceIds !== 'all' && !access.workspaceIds.includes(workspaceId)))
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'workspace' });
  }

  /**
   * Whether the member may use a channel: project and workspace admins by role, an operator only
   * with a usage grant for that channel (SPEC §1).
   */
  async hasUsageGrant(access: ProjectAccess, accountId: string, channelId: string): Promise<boolean> {
    if (!access.permissions.has('reach.webhook.use')) return false;
    if (access.role !== 'operator') return true;
    return this.#store.members.hasUsageGrant(access.scope, accountId, channelId);
  }
}

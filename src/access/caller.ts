import type { Account, ApiToken, AuditActor, Role } from './identity.ts';
import type { Permission } from './permissions.ts';
import type { ProjectScope } from './scope.ts';

/** Who is calling, established once per request. */
export interface Caller {
  readonly account: Account;
  readonly via:
    | { readonly kind: 'session'; readonly idHash: string; readonly csrfToken: string }
    | { readonly kind: 'token'; readonly token: ApiToken };
  readonly ip: string | null;
  readonly requestId: string | null;
}

/** What a caller may do in one project, from its current membership (never cached). */
export interface ProjectAccess {
  readonly scope: ProjectScope;
  readonly role: Role;
  readonly permissions: ReadonlySet<Permission>;
  /** `all` for project admins; otherwise the workspaces the member belongs to. */
  readonly workspaceIds: 'all' | readonly string[];
}

export function actorOf(caller: Caller): AuditActor {
  return caller.via.kind === 'token'
    ? { type: 'token', id: caller.via.token.id, label: `${caller.via.token.name} (${caller.account.email})` }
    : { type: 'account', id: caller.account.id, label: caller.account.email };
}

/** Who did it, from where: attached to every audit entry. */
export interface AuditContext {
  readonly actor: AuditActor;
  readonly ip: string | null;
  readonly requestId: string | null;
}

export function auditContextOf(caller: Caller): AuditContext {
  return { actor: actorOf(caller), ip: caller.ip, requestId: caller.requestId };
}

/**
 * The workspace checks other domains need from access control (implemented by the tenancy
 * module's `AccessControl`), so a domain depends on this interface and not on tenancy.
 */
export interface WorkspaceGate {
  /** 404 `TP_ERR_NOT_FOUND` when the workspace is not the project's or not visible to the caller. */
  requireWorkspace(access: ProjectAccess, workspaceId: string): Promise<void>;
  /** Whether the member may use the channel: always for admins, a usage grant for operators. */
  hasUsageGrant(access: ProjectAccess, accountId: string, channelId: string): Promise<boolean>;
}

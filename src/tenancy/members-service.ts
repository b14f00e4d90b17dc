import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type Caller, type ProjectAccess } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import { projectScope, systemScope } from '../access/scope.ts';
import type { Config } from '../config/load-config.ts';
import { TouchpointError } from '../errors.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { AccessControl } from './access.ts';
import { hashSecret, newSecret } from './credentials.ts';
import { joinByInvitation, pendingInvitation } from './join-by-invitation.ts';
import { manages } from './manages.ts';
import type { Invitation, Member, Role } from './model.ts';
import { requireEmail } from './normalize-email.ts';
import { roleHasWorkspaces } from './roles.ts';
import { validationError } from './validation-error.ts';

/** How long an invitation or a set-password link stays valid. */
export const PASSWORD_LINK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Members of a project and how they come and go: invitations and their acceptance, role and
 * workspace changes, removal, and new set-password links. Workspace admins act only within
 * their workspaces, and a project always keeps one project admin.
 */
export class MembersService {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #access: AccessControl;
  readonly #config: Config;

  constructor(deps: { store: Store; audit: AuditLog; access: AccessControl; config: Config }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#access = deps.access;
    this.#config = deps.config;
  }

  async listMembers(access: ProjectAccess, page: PageRequest): Promise<Member[]> {
    return this.#store.members.list(access.scope, page);
  }

  /** Checks a role and workspace list the caller may hand out; foreign workspaces answer 404. */
  async #checkAssignment(
    repos: Repositories,
    access: ProjectAccess,
    role: Role,
    workspaceIds: readonly string[],
  ): Promise<string[]> {
    if (roleHasWorkspaces(role) && workspaceIds.length === 0)
      throw validationError('/workspace_ids', `must list at least one workspace for the role ${role}`);
    const ids = roleHasWorkspaces(role) ? [...new Set(workspaceIds)] : [];
    const known = new Set((await repos.projects.listWorkspaces(access.scope)).map((w) => w.id));
    for (const id of ids)
      if (!known.has(id)) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'workspace', id });
    if (access.workspaceIds !== 'all') {
      const own = access.workspaceIds;
      const outside = ids.filter((id) => !own.includes(id));
      if (role === 'project_admin' || outside.length > 0)
        throw new TouchpointError('TP_ERR_TENANCY_PERMISSION_NOT_HELD', { role, workspace_ids: outside });
    }
    return ids;
  }

  /**
   * Invites an e-mail into the project: a pending invitation with a one-time link, and the same
   * answer whether an account with that e-mail exists or not, so adding reveals nothing about
   * other tenants' accounts. The invitee joins only by accepting. A pending invitation of the
   * same e-mail that the caller manages is replaced (its link ends).
   */
  async addMember(
    caller: Caller,
    access: ProjectAccess,
    input: { email: string; role: Role; workspaceIds?: readonly string[]; name?: string; baseUrl?: string },
  ): Promise<{ invitation: Invitation; inviteUrl: string }> {
    const workspaceIds = await this.#checkAssignment(
      this.#store,
      access,
      input.role,
      input.workspaceIds ?? [],
    );
    const email = requireEmail(input.email);
    const token = newSecret('');
    return this.#store.transaction(async (tx) => {
      const account = await tx.accounts.findByEmail(email);
      if (account && (await tx.members.get(access.scope, account.id)))
        throw new TouchpointError('TP_ERR_TENANCY_MEMBER_EXISTS', { email });
      const now = Date.now();
      const replaced: string[] = [];
      for (const old of await tx.invitations.listPending(access.scope, now))
        if (
          old.email === email &&
          manages(access, old) &&
          (await tx.invitations.revoke(access.scope, old.id, now))
        )
          replaced.push(old.id);
      const invitation = await tx.invitations.create(access.scope, {
        id: newId('inv'),
        email,
        name: input.name?.trim() || null,
        role: input.role,
        workspaceIds,
        tokenHash: hashSecret(token),
        invitedBy: caller.account.id,
        expiresAt: now + PASSWORD_LINK_MS,
      });
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'member.invited',
          target: { type: 'invitation', id: invitation.id, label: email },
          details: { role: input.role, workspace_ids: workspaceIds, replaced },
        },
        tx,
      );
      return {
        invitation,
        inviteUrl: `${input.baseUrl ?? this.#config.publicUrl}/set-password?token=${token}`,
      };
    });
  }

  /** Pending invitations of the project the caller manages (workspace admins: within theirs). */
  async listInvitations(access: ProjectAccess): Promise<Invitation[]> {
    const pending = await this.#store.invitations.listPending(access.scope, Date.now());
    return pending.filter((i) => manages(access, i));
  }

  async revokeInvitation(caller: Caller, access: ProjectAccess, invitationId: string): Promise<void> {
    await this.#store.transaction(async (tx) => {
      const invitation = await tx.invitations.get(access.scope, invitationId);
      if (
        !invitation ||
        !manages(access, invitation) ||
        !(await tx.invitations.revoke(access.scope, invitationId, Date.now()))
      )
        throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'invitation' });
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'member.invitation_revoked',
          target: { type: 'invitation', id: invitation.id, label: invitation.email },
        },
        tx,
      );
    });
  }

  /** A pending invitation by its link token, with its project's name (the invitee's view). */
  async invitationByToken(token: string): Promise<{ invitation: Invitation; projectName: string }> {
    const invitation = await pendingInvitation(this.#store, token);
    const project = await this.#store.projects.get(projectScope(invitation.projectId));
    if (!project) throw new TouchpointError('TP_ERR_TENANCY_INVITATION_INVALID');
    return { invitation, projectName: project.name };
  }

  /** The signed-in invitee accepts: it becomes a member with the invited role and workspaces. */
  async acceptInvitation(caller: Caller, token: string): Promise<{ projectId: number; member: Member }> {
    // An API token acts in one project only; joining another is the account's own decision.
    if (caller.via.kind !== 'session') throw new TouchpointError('TP_ERR_FORBIDDEN', { required: 'session' });
    return this.#store.transaction(async (tx) => {
      const invitation = await pendingInvitation(tx, token);
      if (invitation.email !== caller.account.email)
        throw new TouchpointError('TP_ERR_TENANCY_INVITATION_OTHER_ACCOUNT');
      const member = await joinByInvitation(
        tx,
        this.#audit,
        invitation,
        caller.account,
        auditContextOf(caller),
      );
      return { projectId: invitation.projectId, member };
    });
  }

  /**
   * A new one-time set-password link for a member who lost theirs or forgot the password; the
   * account's older unused links end. Whoever holds a link can take the account over, so the
   * caller must manage the account in every project it belongs to, and never an instance admin.
   */
  async issuePasswordLink(
    caller: Caller,
    access: ProjectAccess,
    accountId: string,
    baseUrl?: string,
  ): Promise<{ url: string; expiresAt: number }> {
    const member = await this.#requireManageable(access, this.#store, accountId);
    const account = await this.#store.accounts.findById(accountId);
    const refused = new TouchpointError('TP_ERR_TENANCY_PERMISSION_NOT_HELD', { account_id: accountId });
    if (!account || account.isInstanceAdmin) throw refused;
    const scope = systemScope('projects of an account a set-password link is issued for');
    for (const m of await this.#store.projects.membershipsOf(scope, accountId)) {
      const there = await this.#access.projectAccess(caller, m.projectId);
      if (!there?.permissions.has('member.manage') || !manages(there, m)) throw refused;
    }
    const token = newSecret('');
    const expiresAt = Date.now() + PASSWORD_LINK_MS;
    await this.#store.transaction(async (tx) => {
      await tx.sessions.deletePasswordLinks(accountId);
      await tx.sessions.createPasswordLink({
        tokenHash: hashSecret(token),
        accountId,
        createdBy: caller.account.id,
        expiresAt,
      });
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'member.password_link_issued',
          target: { type: 'account', id: accountId, label: member.email },
          details: { expires_at: new Date(expiresAt).toISOString() },
        },
        tx,
      );
    });
    return { url: `${baseUrl ?? this.#config.publicUrl}/set-password?token=${token}`, expiresAt };
  }

  async #requireManageable(access: ProjectAccess, tx: Repositories, accountId: string): Promise<Member> {
    const member = await tx.members.get(access.scope, accountId);
    if (!member) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'member' });
    if (!manages(access, member))
      throw new TouchpointError('TP_ERR_TENANCY_PERMISSION_NOT_HELD', { account_id: accountId });
    return member;
  }

  async updateMember(
    caller: Caller,
    access: ProjectAccess,
    accountId: string,
    patch: { role?: Role; workspaceIds?: readonly string[] },
  ): Promise<Member> {
    return this.#store.transaction(async (tx) => {
      const before = await this.#requireManageable(access, tx, accountId);
      const role = patch.role ?? before.role;
      const workspaceIds = await this.#checkAssignment(
        tx,
        access,
        role,
        patch.workspaceIds ?? before.workspaceIds,
      );
      if (
        before.role === 'project_admin' &&
        role !== 'project_admin' &&
        (await tx.members.countRole(access.scope, 'project_admin')) <= 1
      )
        throw new TouchpointError('TP_ERR_TENANCY_LAST_ADMIN');
      const member = await tx.members.put(access.scope, accountId, role, workspaceIds);
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'member.updated',
          target: { type: 'account', id: accountId, label: member.email },
          details: {
            before: { role: before.role, workspace_ids: before.workspaceIds },
            after: { role: member.role, workspace_ids: member.workspaceIds },
          },
        },
        tx,
      );
      return member;
    });
  }

  async removeMember(caller: Caller, access: ProjectAccess, accountId: string): Promise<void> {
    await this.#store.transaction(async (tx) => {
      const member = await this.#requireManageable(access, tx, accountId);
      if (member.role === 'project_admin' && (await tx.members.countRole(access.scope, 'project_admin')) <= 1)
        throw new TouchpointError('TP_ERR_TENANCY_LAST_ADMIN');
      await tx.members.remove(access.scope, accountId);
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'member.removed',
          target: { type: 'account', id: accountId, label: member.email },
          details: { role: member.role },
        },
        tx,
      );
    });
  }
}

import { isValidTimeZone } from '../access/time-zone.ts';
import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type AuditContext, type Caller, type ProjectAccess } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import type { Config } from '../config/load-config.ts';
import { isTouchpointError, TouchpointError } from '../errors.ts';
import type { AuditRecord } from '../store/repositories/audit-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import { SESSION_IDLE_MS, type AccessControl } from './access.ts';
import { hashPassword, hashSecret, newSecret, randomPassword, verifyPassword } from './credentials.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import type {
  Account,
  ApiToken,
  AuditEntry,
  Invitation,
  Member,
  MembershipSummary,
  Project,
  Role,
  Workspace,
} from './model.ts';
import { FIRST_ADMIN_EMAIL } from './model.ts';
import { assertPasswordAllowed } from './password-policy.ts';
import type { Permission } from '../access/permissions.ts';
import { roleHasWorkspaces } from './roles.ts';
import { projectScope, systemScope, type ProjectScope, type Scope } from '../access/scope.ts';

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;
export const IP_FAILURE_LIMIT = 30;
export const IP_WINDOW_MS = 15 * 60 * 1000;
export const PASSWORD_LINK_MS = 7 * 24 * 60 * 60 * 1000;

function validationError(path: string, message: string): TouchpointError {
  return new TouchpointError(
    'TP_ERR_VALIDATION',
    { issues: [{ in: 'body', path, rule: 'invalid', message }] },
    { message: `body${path} ${message}` },
  );
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Whether the caller may change this member: project admins any, workspace admins within theirs. */
function manages(access: ProjectAccess, member: Pick<Member, 'role' | 'workspaceIds'>): boolean {
  if (access.workspaceIds === 'all') return true;
  const own = access.workspaceIds;
  return member.role !== 'project_admin' && member.workspaceIds.every((w) => own.includes(w));
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueViolationError;
}

/**
 * Accounts, projects, workspaces, members, tokens and the audit log: the use cases the API and
 * the CLI share. Every change that matters for security writes an audit entry in the same
 * transaction as the change.
 */
export class TenancyService implements AuditLog {
  readonly #store: Store;
  readonly #access: AccessControl;
  readonly #config: Config;
  // Failed logins per client address (this process); accounts also lock in the database.
  readonly #ipFailures = new Map<string, number[]>();

  constructor(store: Store, access: AccessControl, config: Config) {
    this.#store = store;
    this.#access = access;
    this.#config = config;
  }

  get access(): AccessControl {
    return this.#access;
  }

  async #audit(
    tx: Repositories,
    scope: Scope,
    ctx: AuditContext,
    entry: Omit<AuditRecord, 'actor' | 'ip' | 'requestId'>,
  ) {
    await tx.audit.append(scope, { ...entry, actor: ctx.actor, ip: ctx.ip, requestId: ctx.requestId });
  }

  /** Writes the entry into every project the account belongs to, and once instance-wide. */
  async #auditAccount(
    tx: Repositories,
    accountId: string | null,
    ctx: AuditContext,
    entry: Omit<AuditRecord, 'actor' | 'ip' | 'requestId'>,
  ) {
    await this.#audit(tx, systemScope('instance-level audit entry'), ctx, entry);
    if (!accountId) return;
    for (const m of await tx.projects.membershipsOf(
      systemScope('fan out account audit entries'),
      accountId,
    )) {
      await this.#audit(tx, projectScope(m.projectId), ctx, entry);
    }
  }

  // ---- accounts and sessions ------------------------------------------------------------------

  async createAccount(
    input: {
      email: string;
      name?: string;
      password?: string;
      isInstanceAdmin: boolean;
      mustChangePassword: boolean;
    },
    ctx: AuditContext,
  ): Promise<Account> {
    const email = normalizeEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw validationError('/email', 'must be an e-mail address');
    if (input.password !== undefined) assertPasswordAllowed(input.password, email, '/password');
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    return this.#store.transaction(async (tx) => {
      if (await tx.accounts.findByEmail(email))
        throw new TouchpointError('TP_ERR_TENANCY_ACCOUNT_EXISTS', { email });
      const account = await tx.accounts.create({
        id: newId('acc'),
        email,
        name: input.name?.trim() || email.split('@')[0] || email,
        passwordHash,
        isInstanceAdmin: input.isInstanceAdmin,
        mustChangePassword: input.mustChangePassword,
      });
      await this.#audit(tx, systemScope('instance-level audit entry'), ctx, {
        action: 'account.created',
        target: { type: 'account', id: account.id, label: email },
        details: { instance_admin: input.isInstanceAdmin },
      });
      return account;
    });
  }

  /**
   * The first-run account of embedded mode: instance admin of a demo project, with a random
   * password to change at first sign-in — or, for scripts, TOUCHPOINT_ADMIN_PASSWORD with no
   * forced change (`password` is then null: it is never printed).
   */
  async bootstrapEmbedded(): Promise<
    { email: string; password: string | null; projectId: number } | undefined
  > {
    if ((await this.#store.accounts.count()) > 0) return undefined;
    const ctx: AuditContext = {
      actor: { type: 'system', id: 'bootstrap', label: 'first run' },
      ip: null,
      requestId: null,
    };
    const configured = this.#config.adminPassword;
    const password = configured ?? randomPassword();
    const account = await this.createAccount(
      {
        email: FIRST_ADMIN_EMAIL,
        name: 'Admin',
        password,
        isInstanceAdmin: true,
        mustChangePassword: configured === undefined,
      },
      ctx,
    );
    const project = await this.createProject(
      {
        name: 'Demo project',
        timeZone: 'UTC',
        adminEmail: account.email,
        workspaceName: 'Default workspace',
      },
      ctx,
    );
    return {
      email: account.email,
      password: configured === undefined ? password : null,
      projectId: project.id,
    };
  }

  #checkIpThrottle(ip: string | null, now: number): void {
    if (!ip) return;
    const recent = (this.#ipFailures.get(ip) ?? []).filter((t) => now - t < IP_WINDOW_MS);
    this.#ipFailures.set(ip, recent);
    if (recent.length >= IP_FAILURE_LIMIT) {
      const retryAfter = Math.ceil(((recent[0] ?? now) + IP_WINDOW_MS - now) / 1000);
      throw new TouchpointError('TP_ERR_AUTH_LOCKED', { scope: 'address' }, { retryAfter });
    }
  }

  /** Password login → a new session. Failures lock the account after 5 tries for 15 minutes. */
  async login(
    emailInput: string,
    password: string,
    meta: { ip: string | null; requestId: string | null },
  ): Promise<{ account: Account; cookie: string; csrfToken: string; expiresAt: number }> {
    const now = Date.now();
    this.#checkIpThrottle(meta.ip, now);
    const email = normalizeEmail(emailInput);
    const account = await this.#store.accounts.findByEmail(email);
    if (account?.lockedUntil && account.lockedUntil > now) {
      throw new TouchpointError(
        'TP_ERR_AUTH_LOCKED',
        { scope: 'account' },
        { retryAfter: Math.ceil((account.lockedUntil - now) / 1000) },
      );
    }
    const ok = await verifyPassword(password, account?.passwordHash ?? null);
    const ctx: AuditContext = {
      actor: account
        ? { type: 'account', id: account.id, label: account.email }
        : { type: 'account', id: '-', label: email.slice(0, 200) },
      ...meta,
    };
    if (!account || !ok) {
      if (meta.ip) this.#ipFailures.set(meta.ip, [...(this.#ipFailures.get(meta.ip) ?? []), now]);
      await this.#store.transaction(async (tx) => {
        let locked: number | null = null;
        if (account) {
          locked = account.failedLogins + 1 >= LOCKOUT_THRESHOLD ? now + LOCKOUT_MS : null;
          await tx.accounts.recordLoginFailure(account.id, locked);
        }
        await this.#auditAccount(tx, account?.id ?? null, ctx, {
          action: 'auth.login_failed',
          target: { type: 'account', id: account?.id ?? '-', label: email.slice(0, 200) },
          details: locked ? { locked_until: new Date(locked).toISOString() } : {},
        });
      });
      throw new TouchpointError('TP_ERR_AUTH_INVALID_CREDENTIALS');
    }
    const cookie = newSecret('tps_');
    const csrfToken = newSecret('');
    const expiresAt = now + SESSION_IDLE_MS;
    await this.#store.transaction(async (tx) => {
      await tx.accounts.recordLoginSuccess(account.id);
      await tx.sessions.create({
        idHash: hashSecret(cookie),
        accountId: account.id,
        csrfToken,
        expiresAt,
        ip: meta.ip,
      });
      await this.#auditAccount(tx, account.id, ctx, {
        action: 'auth.login',
        target: { type: 'account', id: account.id, label: account.email },
      });
    });
    return { account, cookie, csrfToken, expiresAt };
  }

  async logout(caller: Caller): Promise<void> {
    if (caller.via.kind === 'session') await this.#store.sessions.delete(caller.via.idHash);
  }

  async sessionInfo(
    caller: Caller,
  ): Promise<{ account: Account; csrfToken: string | null; memberships: MembershipSummary[] }> {
    let memberships = await this.#store.projects.membershipsOf(
      systemScope("the caller's own memberships"),
      caller.account.id,
    );
    if (caller.via.kind === 'token') {
      const projectId = caller.via.token.projectId;
      memberships = memberships.filter((m) => m.projectId === projectId);
    }
    return {
      account: caller.account,
      csrfToken: caller.via.kind === 'session' ? caller.via.csrfToken : null,
      memberships,
    };
  }

  /** Changes the caller's password; other sessions of the account end. */
  async changePassword(caller: Caller, current: string, next: string): Promise<void> {
    assertPasswordAllowed(next, caller.account.email, '/new_password');
    const account = await this.#store.accounts.findById(caller.account.id);
    if (!account || !(await verifyPassword(current, account.passwordHash)))
      throw new TouchpointError('TP_ERR_AUTH_INVALID_CREDENTIALS', { field: 'current_password' });
    if (current === next) throw validationError('/new_password', 'must differ from the current password');
    const hash = await hashPassword(next);
    await this.#store.transaction(async (tx) => {
      await tx.accounts.setPassword(account.id, hash, false);
      await tx.sessions.deleteForAccount(
        account.id,
        caller.via.kind === 'session' ? caller.via.idHash : undefined,
      );
      await this.#auditAccount(tx, account.id, auditContextOf(caller), {
        action: 'auth.password_changed',
        target: { type: 'account', id: account.id, label: account.email },
      });
    });
  }

  /** Redeems a one-time set-password link. */
  async setPasswordWithLink(
    token: string,
    password: string,
    meta: { ip: string | null; requestId: string | null },
  ): Promise<void> {
    assertPasswordAllowed(password, null, '/password');
    const hash = await hashPassword(password);
    await this.#store.transaction(async (tx) => {
      const accountId = await tx.sessions.consumePasswordLink(hashSecret(token), Date.now());
      if (!accountId) return this.#joinAsNewAccount(tx, token, password, hash, meta);
      const account = await tx.accounts.findById(accountId);
      if (!account) throw new TouchpointError('TP_ERR_AUTH_LINK_INVALID');
      assertPasswordAllowed(password, account.email, '/password'); // a throw keeps the link unused
      await tx.accounts.setPassword(accountId, hash, false);
      await tx.sessions.deleteForAccount(accountId);
      await this.#auditAccount(
        tx,
        accountId,
        { actor: { type: 'account', id: accountId, label: account.email }, ...meta },
        {
          action: 'auth.password_set',
          target: { type: 'account', id: accountId, label: account.email },
        },
      );
    });
  }

  /** The set-password flow of an invitation: creates the invitee's account and membership. */
  async #joinAsNewAccount(
    tx: Repositories,
    token: string,
    password: string,
    passwordHash: string,
    meta: { ip: string | null; requestId: string | null },
  ): Promise<void> {
    const invitation = await this.#pendingInvitation(tx, token).catch((error: unknown) => {
      throw isTouchpointError(error, 'TP_ERR_TENANCY_INVITATION_INVALID')
        ? new TouchpointError('TP_ERR_AUTH_LINK_INVALID')
        : error;
    });
    // Never a password for an existing account: whoever holds the link could take it over.
    if (await tx.accounts.findByEmail(invitation.email))
      throw new TouchpointError('TP_ERR_TENANCY_INVITATION_SIGN_IN');
    assertPasswordAllowed(password, invitation.email, '/password');
    const account = await tx.accounts.create({
      id: newId('acc'),
      email: invitation.email,
      name: invitation.name ?? (invitation.email.split('@')[0] || invitation.email),
      passwordHash,
      isInstanceAdmin: false,
      mustChangePassword: false,
    });
    const ctx: AuditContext = { actor: { type: 'account', id: account.id, label: account.email }, ...meta };
    await this.#audit(tx, systemScope('instance-level audit entry'), ctx, {
      action: 'account.created',
      target: { type: 'account', id: account.id, label: account.email },
      details: { invitation_id: invitation.id },
    });
    await this.#join(tx, invitation, account, ctx);
  }

  // ---- projects and workspaces ----------------------------------------------------------------

  async createProject(
    input: { name: string; timeZone?: string; adminEmail: string; workspaceName?: string },
    ctx: AuditContext,
  ): Promise<Project> {
    const timeZone = input.timeZone ?? 'UTC';
    if (!isValidTimeZone(timeZone))
      throw validationError('/time_zone', 'must be an IANA time zone such as Asia/Shanghai');
    const name = input.name.trim();
    if (name === '') throw validationError('/name', 'must not be empty');
    return this.#store.transaction(async (tx) => {
      // Every project starts with a project admin: a project nobody belongs to answers 404 to all.
      const admin = await tx.accounts.findByEmail(normalizeEmail(input.adminEmail));
      if (!admin) throw validationError('/admin_email', 'is not an existing account; create it first');
      const project = await tx.projects.create(systemScope('the instance admin creates a project'), {
        name,
        timeZone,
      });
      const scope = projectScope(project.id);
      if (input.workspaceName)
        await tx.projects.createWorkspace(scope, {
          id: newId('ws'),
          name: input.workspaceName,
          requireApproval: false,
        });
      await tx.members.put(scope, admin.id, 'project_admin', []);
      await this.#audit(tx, scope, ctx, {
        action: 'project.created',
        target: { type: 'project', id: String(project.id), label: project.name },
        details: { admin: admin.email },
      });
      return project;
    });
  }

  async listProjects(caller: Caller): Promise<Project[]> {
    if (caller.account.isInstanceAdmin && caller.via.kind === 'session')
      return this.#store.projects.listAll(systemScope('the instance admin lists every project'));
    const { memberships } = await this.sessionInfo(caller);
    const projects: Project[] = [];
    for (const m of memberships) {
      const project = await this.#store.projects.get(projectScope(m.projectId));
      if (project) projects.push(project);
    }
    return projects;
  }

  async getProject(access: ProjectAccess): Promise<Project> {
    const project = await this.#store.projects.get(access.scope);
    if (!project) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'project' });
    return project;
  }

  async updateProject(
    caller: Caller,
    access: ProjectAccess,
    patch: { name?: string; timeZone?: string },
  ): Promise<Project> {
    if (patch.timeZone !== undefined && !isValidTimeZone(patch.timeZone))
      throw validationError('/time_zone', 'must be an IANA time zone such as Asia/Shanghai');
    if (patch.name !== undefined && patch.name.trim() === '')
      throw validationError('/name', 'must not be empty');
    return this.#store.transaction(async (tx) => {
      const before = await tx.projects.get(access.scope);
      const project = await tx.projects.update(access.scope, { ...patch, name: patch.name?.trim() });
      if (!before || !project) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'project' });
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'project.updated',
        target: { type: 'project', id: String(project.id), label: project.name },
        details: {
          before: { name: before.name, time_zone: before.timeZone },
          after: { name: project.name, time_zone: project.timeZone },
        },
      });
      return project;
    });
  }

  async listWorkspaces(access: ProjectAccess): Promise<Workspace[]> {
    const all = await this.#store.projects.listWorkspaces(access.scope);
    return access.workspaceIds === 'all' ? all : all.filter((w) => access.workspaceIds.includes(w.id));
  }

  async createWorkspace(
    caller: Caller,
    access: ProjectAccess,
    input: { name: string; requireApproval?: boolean },
  ): Promise<Workspace> {
    const name = input.name.trim();
    if (name === '') throw validationError('/name', 'must not be empty');
    try {
      return await this.#store.transaction(async (tx) => {
        const workspace = await tx.projects.createWorkspace(access.scope, {
          id: newId('ws'),
          name,
          requireApproval: input.requireApproval ?? false,
        });
        await this.#audit(tx, access.scope, auditContextOf(caller), {
          action: 'workspace.created',
          target: { type: 'workspace', id: workspace.id, label: workspace.name },
        });
        return workspace;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new TouchpointError('TP_ERR_TENANCY_NAME_TAKEN', { name });
      throw error;
    }
  }

  async updateWorkspace(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    patch: { name?: string; requireApproval?: boolean },
  ): Promise<Workspace> {
    await this.#access.requireWorkspace(access, workspaceId);
    const name = patch.name?.trim();
    if (name === '') throw validationError('/name', 'must not be empty');
    try {
      return await this.#store.transaction(async (tx) => {
        const workspace = await tx.projects.updateWorkspace(access.scope, workspaceId, { ...patch, name });
        if (!workspace) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'workspace' });
        await this.#audit(tx, access.scope, auditContextOf(caller), {
          action: 'workspace.updated',
          target: { type: 'workspace', id: workspace.id, label: workspace.name },
          details: { name: workspace.name, require_approval: workspace.requireApproval },
        });
        return workspace;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new TouchpointError('TP_ERR_TENANCY_NAME_TAKEN', { name });
      throw error;
    }
  }

  // ---- members --------------------------------------------------------------------------------

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
    const email = normalizeEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw validationError('/email', 'must be an e-mail address');
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
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'member.invited',
        target: { type: 'invitation', id: invitation.id, label: email },
        details: { role: input.role, workspace_ids: workspaceIds, replaced },
      });
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
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'member.invitation_revoked',
        target: { type: 'invitation', id: invitation.id, label: invitation.email },
      });
    });
  }

  /** A pending invitation by its link token, with its project's name (the invitee's view). */
  async invitationByToken(token: string): Promise<{ invitation: Invitation; projectName: string }> {
    const invitation = await this.#pendingInvitation(this.#store, token);
    const project = await this.#store.projects.get(projectScope(invitation.projectId));
    if (!project) throw new TouchpointError('TP_ERR_TENANCY_INVITATION_INVALID');
    return { invitation, projectName: project.name };
  }

  /** The signed-in invitee accepts: it becomes a member with the invited role and workspaces. */
  async acceptInvitation(caller: Caller, token: string): Promise<{ projectId: number; member: Member }> {
    // An API token acts in one project only; joining another is the account's own decision.
    if (caller.via.kind !== 'session') throw new TouchpointError('TP_ERR_FORBIDDEN', { required: 'session' });
    return this.#store.transaction(async (tx) => {
      const invitation = await this.#pendingInvitation(tx, token);
      if (invitation.email !== caller.account.email)
        throw new TouchpointError('TP_ERR_TENANCY_INVITATION_OTHER_ACCOUNT');
      const member = await this.#join(tx, invitation, caller.account, auditContextOf(caller));
      return { projectId: invitation.projectId, member };
    });
  }

  async #pendingInvitation(repos: Repositories, token: string): Promise<Invitation> {
    const scope = systemScope('invitation redemption by its link token');
    const invitation = await repos.invitations.findByTokenHash(scope, hashSecret(token));
    const now = Date.now();
    if (
      !invitation ||
      invitation.acceptedAt !== null ||
      invitation.revokedAt !== null ||
      invitation.expiresAt <= now
    )
      throw new TouchpointError('TP_ERR_TENANCY_INVITATION_INVALID');
    return invitation;
  }

  /** Turns an accepted invitation into a membership (workspaces deleted meanwhile are left out). */
  async #join(
    tx: Repositories,
    invitation: Invitation,
    account: Account,
    ctx: AuditContext,
  ): Promise<Member> {
    const scope = projectScope(invitation.projectId);
    if (await tx.members.get(scope, account.id))
      throw new TouchpointError('TP_ERR_TENANCY_MEMBER_EXISTS', { email: account.email });
    const known = new Set((await tx.projects.listWorkspaces(scope)).map((w) => w.id));
    const workspaceIds = invitation.workspaceIds.filter((id) => known.has(id));
    if (
      (roleHasWorkspaces(invitation.role) && workspaceIds.length === 0) ||
      !(await tx.invitations.markAccepted(scope, invitation.id, Date.now()))
    )
      throw new TouchpointError('TP_ERR_TENANCY_INVITATION_INVALID');
    const member = await tx.members.put(scope, account.id, invitation.role, workspaceIds);
    await this.#audit(tx, scope, ctx, {
      action: 'member.added',
      target: { type: 'account', id: account.id, label: account.email },
      details: {
        role: member.role,
        workspace_ids: member.workspaceIds,
        invitation_id: invitation.id,
        invited_by: invitation.invitedBy.email,
      },
    });
    return member;
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
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'member.password_link_issued',
        target: { type: 'account', id: accountId, label: member.email },
        details: { expires_at: new Date(expiresAt).toISOString() },
      });
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
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'member.updated',
        target: { type: 'account', id: accountId, label: member.email },
        details: {
          before: { role: before.role, workspace_ids: before.workspaceIds },
          after: { role: member.role, workspace_ids: member.workspaceIds },
        },
      });
      return member;
    });
  }

  async removeMember(caller: Caller, access: ProjectAccess, accountId: string): Promise<void> {
    await this.#store.transaction(async (tx) => {
      const member = await this.#requireManageable(access, tx, accountId);
      if (member.role === 'project_admin' && (await tx.members.countRole(access.scope, 'project_admin')) <= 1)
        throw new TouchpointError('TP_ERR_TENANCY_LAST_ADMIN');
      await tx.members.remove(access.scope, accountId);
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'member.removed',
        target: { type: 'account', id: accountId, label: member.email },
        details: { role: member.role },
      });
    });
  }

  // ---- API tokens -----------------------------------------------------------------------------

  /**
   * Whose tokens the caller sees and may revoke: its own, and with `token.manage` those of the
   * members it manages (a workspace admin never sees a project admin's). `all` for project admins.
   */
  async #tokenCreators(
    caller: Caller,
    access: ProjectAccess,
    repos: Repositories,
  ): Promise<'all' | string[]> {
    if (!access.permissions.has('token.manage')) return [caller.account.id];
    if (access.workspaceIds === 'all') return 'all';
    const members = await repos.members.list(access.scope, { limit: 100_000 });
    return [caller.account.id, ...members.filter((m) => manages(access, m)).map((m) => m.accountId)];
  }

  async listTokens(caller: Caller, access: ProjectAccess, page: PageRequest): Promise<ApiToken[]> {
    const creators = await this.#tokenCreators(caller, access, this.#store);
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
      await this.#audit(tx, access.scope, ctx, {
        action: 'token.created',
        target: { type: 'token', id: token.id, label: token.name },
        details: { permissions, expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString() },
      });
      return { token, secret };
    });
  }

  async revokeToken(caller: Caller, access: ProjectAccess, tokenId: string): Promise<void> {
    await this.#store.transaction(async (tx) => {
      const token = await tx.tokens.get(access.scope, tokenId);
      const creators = await this.#tokenCreators(caller, access, tx);
      if (!token || (creators !== 'all' && !creators.includes(token.createdBy.accountId)))
        throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'token' });
      if (token.revokedAt !== null) return;
      await tx.tokens.revoke(access.scope, tokenId);
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'token.revoked',
        target: { type: 'token', id: token.id, label: token.name },
      });
    });
  }

  // ---- audit ----------------------------------------------------------------------------------

  /** The audit log; ids of tokens the caller may not see read `redacted`, so none leaks. */
  async listAudit(
    caller: Caller,
    access: ProjectAccess,
    filter: { action?: string },
    page: PageRequest,
  ): Promise<AuditEntry[]> {
    const rows = await this.#store.audit.list(access.scope, filter, page);
    const creators = await this.#tokenCreators(caller, access, this.#store);
    if (creators === 'all') return rows;
    const visible = new Map<string, boolean>();
    const sees = async (part: { type: string; id: string }): Promise<boolean> => {
      if (part.type !== 'token') return true;
      if (!visible.has(part.id)) {
        const token = await this.#store.tokens.get(access.scope, part.id);
        visible.set(part.id, token !== undefined && creators.includes(token.createdBy.accountId));
      }
      return visible.get(part.id) === true;
    };
    const redacted = [];
    for (const e of rows) {
      const actor = (await sees(e.actor)) ? e.actor : { ...e.actor, id: 'redacted' };
      const target = (await sees(e.target)) ? e.target : { ...e.target, id: 'redacted' };
      redacted.push({ ...e, actor, target });
    }
    return redacted;
  }

  /** Appends an audit entry for another module's action (sources, channels, approvals…). */
  async record(
    scope: ProjectScope,
    ctx: AuditContext,
    entry: Omit<AuditRecord, 'actor' | 'ip' | 'requestId'>,
    tx?: Repositories,
  ) {
    await (tx ?? this.#store).audit.append(scope, {
      ...entry,
      actor: ctx.actor,
      ip: ctx.ip,
      requestId: ctx.requestId,
    });
  }
}

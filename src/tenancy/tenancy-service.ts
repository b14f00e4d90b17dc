import type { Config } from '../config/load-config.ts';
import { TouchpointError } from '../errors.ts';
import type { AuditRecord } from '../store/repositories/audit-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import { actorOf, SESSION_IDLE_MS, type AccessControl, type Caller, type ProjectAccess } from './access.ts';
import { hashPassword, hashSecret, newId, newSecret, randomPassword, verifyPassword } from './credentials.ts';
import type {
  Account,
  ApiToken,
  AuditActor,
  AuditEntry,
  Member,
  MembershipSummary,
  PageRequest,
  Project,
  Role,
  Workspace,
} from './model.ts';
import type { Permission } from './permissions.ts';
import { roleHasWorkspaces } from './roles.ts';
import { projectScope, systemScope, type ProjectScope, type Scope } from './scope.ts';

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;
export const IP_FAILURE_LIMIT = 30;
export const IP_WINDOW_MS = 15 * 60 * 1000;
export const PASSWORD_LINK_MS = 7 * 24 * 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 10;

/** Who did it, from where: attached to every audit entry. */
export interface AuditContext {
  readonly actor: AuditActor;
  readonly ip: string | null;
  readonly requestId: string | null;
}

export function auditContextOf(caller: Caller): AuditContext {
  return { actor: actorOf(caller), ip: caller.ip, requestId: caller.requestId };
}

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

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

function checkPassword(password: string, path: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw validationError(path, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueViolationError;
}

/**
 * Accounts, projects, workspaces, members, tokens and the audit log: the use cases the API and
 * the CLI share. Every change that matters for security writes an audit entry in the same
 * transaction as the change.
 */
export class TenancyService {
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
    if (input.password !== undefined) checkPassword(input.password, '/password');
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

  /** The first-run account of embedded mode: instance admin of a demo project, random password. */
  async bootstrapEmbedded(): Promise<{ email: string; password: string } | undefined> {
    if ((await this.#store.accounts.count()) > 0) return undefined;
    const ctx: AuditContext = {
      actor: { type: 'system', id: 'bootstrap', label: 'first run' },
      ip: null,
      requestId: null,
    };
    const password = randomPassword();
    const account = await this.createAccount(
      {
        email: 'admin@touchpoint.local',
        name: 'Admin',
        password,
        isInstanceAdmin: true,
        mustChangePassword: true,
      },
      ctx,
    );
    await this.createProject(
      {
        name: 'Demo project',
        timeZone: 'UTC',
        adminEmail: account.email,
        workspaceName: 'Default workspace',
      },
      ctx,
    );
    return { email: account.email, password };
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
    checkPassword(next, '/new_password');
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
    checkPassword(password, '/password');
    const hash = await hashPassword(password);
    await this.#store.transaction(async (tx) => {
      const accountId = await tx.sessions.consumePasswordLink(hashSecret(token), Date.now());
      if (!accountId) throw new TouchpointError('TP_ERR_AUTH_LINK_INVALID');
      const account = await tx.accounts.findById(accountId);
      if (!account) throw new TouchpointError('TP_ERR_AUTH_LINK_INVALID');
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

  // ---- projects and workspaces ----------------------------------------------------------------

  async createProject(
    input: { name: string; timeZone?: string; adminEmail?: string; workspaceName?: string },
    ctx: AuditContext,
  ): Promise<Project> {
    const timeZone = input.timeZone ?? 'UTC';
    if (!isValidTimeZone(timeZone))
      throw validationError('/time_zone', 'must be an IANA time zone such as Asia/Shanghai');
    const name = input.name.trim();
    if (name === '') throw validationError('/name', 'must not be empty');
    return this.#store.transaction(async (tx) => {
      let admin: Account | undefined;
      if (input.adminEmail !== undefined) {
        admin = await tx.accounts.findByEmail(normalizeEmail(input.adminEmail));
        if (!admin) throw validationError('/admin_email', 'is not an existing account; create it first');
      }
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
      if (admin) await tx.members.put(scope, admin.id, 'project_admin', []);
      await this.#audit(tx, scope, ctx, {
        action: 'project.created',
        target: { type: 'project', id: String(project.id), label: project.name },
        details: admin ? { admin: admin.email } : {},
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

  async addMember(
    caller: Caller,
    access: ProjectAccess,
    input: { email: string; role: Role; workspaceIds?: readonly string[]; name?: string; baseUrl?: string },
  ): Promise<{ member: Member; setPasswordUrl: string | null }> {
    const workspaceIds = await this.#checkAssignment(
      this.#store,
      access,
      input.role,
      input.workspaceIds ?? [],
    );
    const email = normalizeEmail(input.email);
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw validationError('/email', 'must be an e-mail address');
    const ctx = auditContextOf(caller);
    return this.#store.transaction(async (tx) => {
      let account: Account | undefined = await tx.accounts.findByEmail(email);
      let setPasswordUrl: string | null = null;
      if (account && (await tx.members.get(access.scope, account.id)))
        throw new TouchpointError('TP_ERR_TENANCY_MEMBER_EXISTS', { email });
      if (!account) {
        account = await tx.accounts.create({
          id: newId('acc'),
          email,
          name: input.name?.trim() || email.split('@')[0] || email,
          passwordHash: null,
          isInstanceAdmin: false,
          mustChangePassword: false,
        });
        const token = newSecret('');
        await tx.sessions.createPasswordLink({
          tokenHash: hashSecret(token),
          accountId: account.id,
          createdBy: caller.account.id,
          expiresAt: Date.now() + PASSWORD_LINK_MS,
        });
        setPasswordUrl = `${input.baseUrl ?? this.#config.publicUrl}/set-password?token=${token}`;
      }
      const member = await tx.members.put(access.scope, account.id, input.role, workspaceIds);
      await this.#audit(tx, access.scope, ctx, {
        action: 'member.added',
        target: { type: 'account', id: account.id, label: email },
        details: { role: input.role, workspace_ids: workspaceIds, account_created: setPasswordUrl !== null },
      });
      return { member, setPasswordUrl };
    });
  }

  async #requireManageable(access: ProjectAccess, tx: Repositories, accountId: string): Promise<Member> {
    const member = await tx.members.get(access.scope, accountId);
    if (!member) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'member' });
    if (access.workspaceIds !== 'all') {
      const own = access.workspaceIds;
      if (member.role === 'project_admin' || member.workspaceIds.some((w) => !own.includes(w)))
        throw new TouchpointError('TP_ERR_TENANCY_PERMISSION_NOT_HELD', { account_id: accountId });
    }
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

  async listTokens(access: ProjectAccess, page: PageRequest): Promise<ApiToken[]> {
    return this.#store.tokens.list(access.scope, page);
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
      if (!token) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'token' });
      if (token.revokedAt !== null) return;
      await tx.tokens.revoke(access.scope, tokenId);
      await this.#audit(tx, access.scope, auditContextOf(caller), {
        action: 'token.revoked',
        target: { type: 'token', id: token.id, label: token.name },
      });
    });
  }

  // ---- audit ----------------------------------------------------------------------------------

  async listAudit(
    access: ProjectAccess,
    filter: { action?: string },
    page: PageRequest,
  ): Promise<AuditEntry[]> {
    return this.#store.audit.list(access.scope, filter, page);
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

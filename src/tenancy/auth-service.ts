import { auditContextOf, type AuditContext, type Caller } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { Config } from '../config/load-config.ts';
import { isTouchpointError, TouchpointError } from '../errors.ts';
import type { Repositories, Store } from '../store/store.ts';
import { SESSION_IDLE_MS } from './access.ts';
import type { AuditLogService } from './audit-log-service.ts';
import { callerMemberships } from './caller-memberships.ts';
import { hashPassword, hashSecret, newSecret, randomPassword, verifyPassword } from './credentials.ts';
import { joinByInvitation, pendingInvitation } from './join-by-invitation.ts';
import type { Account, MembershipSummary } from './model.ts';
import { FIRST_ADMIN_EMAIL } from './model.ts';
import { normalizeEmail, requireEmail } from './normalize-email.ts';
import { assertPasswordAllowed } from './password-policy.ts';
import type { ProjectsService } from './projects-service.ts';
import { validationError } from './validation-error.ts';

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;
export const IP_FAILURE_LIMIT = 30;
export const IP_WINDOW_MS = 15 * 60 * 1000;

/**
 * Accounts and how they sign in: account creation and the embedded first run, password login
 * with account and address lockouts, sessions, password change and set-password links. Every
 * sign-in, failure and password change is audited in each project the account belongs to.
 */
export class AuthService {
  readonly #store: Store;
  readonly #audit: AuditLogService;
  readonly #config: Config;
  readonly #projects: ProjectsService;
  // Failed logins per client address (this process); accounts also lock in the database.
  readonly #ipFailures = new Map<string, number[]>();

  constructor(deps: { store: Store; audit: AuditLogService; config: Config; projects: ProjectsService }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#config = deps.config;
    this.#projects = deps.projects;
  }

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
    const email = requireEmail(input.email);
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
      await this.#audit.recordInstance(
        ctx,
        {
          action: 'account.created',
          target: { type: 'account', id: account.id, label: email },
          details: { instance_admin: input.isInstanceAdmin },
        },
        tx,
      );
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
    const project = await this.#projects.createProject(
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
        await this.#audit.recordForAccount(
          account?.id ?? null,
          ctx,
          {
            action: 'auth.login_failed',
            target: { type: 'account', id: account?.id ?? '-', label: email.slice(0, 200) },
            details: locked ? { locked_until: new Date(locked).toISOString() } : {},
          },
          tx,
        );
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
      await this.#audit.recordForAccount(
        account.id,
        ctx,
        { action: 'auth.login', target: { type: 'account', id: account.id, label: account.email } },
        tx,
      );
    });
    return { account, cookie, csrfToken, expiresAt };
  }

  async logout(caller: Caller): Promise<void> {
    if (caller.via.kind === 'session') await this.#store.sessions.delete(caller.via.idHash);
  }

  async sessionInfo(
    caller: Caller,
  ): Promise<{ account: Account; csrfToken: string | null; memberships: MembershipSummary[] }> {
    return {
      account: caller.account,
      csrfToken: caller.via.kind === 'session' ? caller.via.csrfToken : null,
      memberships: await callerMemberships(this.#store, caller),
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
      await this.#audit.recordForAccount(
        account.id,
        auditContextOf(caller),
        {
          action: 'auth.password_changed',
          target: { type: 'account', id: account.id, label: account.email },
        },
        tx,
      );
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
      await this.#audit.recordForAccount(
        accountId,
        { actor: { type: 'account', id: accountId, label: account.email }, ...meta },
        {
          action: 'auth.password_set',
          target: { type: 'account', id: accountId, label: account.email },
        },
        tx,
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
    const invitation = await pendingInvitation(tx, token).catch((error: unknown) => {
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
    await this.#audit.recordInstance(
      ctx,
      {
        action: 'account.created',
        target: { type: 'account', id: account.id, label: account.email },
        details: { invitation_id: invitation.id },
      },
      tx,
    );
    await joinByInvitation(tx, this.#audit, invitation, account, ctx);
  }
}

import { auditContextOf, type Caller } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import { systemScope } from '../access/scope.ts';
import type { Config } from '../config/load-config.ts';
import { TouchpointError } from '../errors.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { AuditLogService } from './audit-log-service.ts';
import { hashSecret, newSecret } from './credentials.ts';
import { PASSWORD_LINK_MS } from './members-service.ts';
import type { AccountCredentials, AccountSummary, ProjectSummary } from './model.ts';
import { requireEmail } from './normalize-email.ts';
import { validationError } from './validation-error.ts';

/** A one-time set-password link, shown once to the instance admin who hands it over. */
export interface PasswordLinkIssued {
  readonly url: string;
  readonly expiresAt: number;
}

/**
 * The instance admin's view of the instance: every account (with its memberships, lock and last
 * sign-in), accounts created without a password (the admin hands over a set-password link),
 * instance admin rights granted and withdrawn — never your own, never the last — lockouts ended,
 * and every project with its member counts. Each change is audited instance-wide and in every
 * project the account belongs to, so that project's admins see who changed their member.
 */
export class AccountsService {
  readonly #store: Store;
  readonly #audit: AuditLogService;
  readonly #config: Config;

  constructor(deps: { store: Store; audit: AuditLogService; config: Config }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#config = deps.config;
  }

  async listAccounts(filter: { q?: string }, page: PageRequest): Promise<AccountSummary[]> {
    const rows = await this.#store.accounts.list(filter, page);
    const memberships = await this.#store.projects.membershipsOfAccounts(
      systemScope('the instance admin lists accounts with their memberships'),
      rows.map((a) => a.id),
    );
    return rows.map((a) => summaryOf(a, memberships.get(a.id) ?? []));
  }

  async #summary(repos: Repositories, account: AccountCredentials): Promise<AccountSummary> {
    const memberships = await repos.projects.membershipsOf(
      systemScope('the instance admin reads an account with its memberships'),
      account.id,
    );
    return summaryOf(account, memberships);
  }

  /**
   * Creates an account with no password and a one-time link to set one (the account cannot sign
   * in before). The e-mail must be new: 409 `TP_ERR_TENANCY_ACCOUNT_EXISTS` otherwise.
   */
  async createAccount(
    caller: Caller,
    input: { email: string; name?: string; isInstanceAdmin: boolean },
    baseUrl?: string,
  ): Promise<{ account: AccountSummary; link: PasswordLinkIssued }> {
    const email = requireEmail(input.email);
    const name = input.name?.trim();
    if (input.name !== undefined && !name) throw validationError('/name', 'must not be empty');
    return this.#store.transaction(async (tx) => {
      if (await tx.accounts.findByEmail(email))
        throw new TouchpointError('TP_ERR_TENANCY_ACCOUNT_EXISTS', { email });
      const created = await tx.accounts.create({
        id: newId('acc'),
        email,
        name: name || email.split('@')[0] || email,
        passwordHash: null,
        isInstanceAdmin: input.isInstanceAdmin,
        mustChangePassword: false,
      });
      const link = await this.#issueLink(tx, caller, created.id, baseUrl);
      await this.#audit.recordInstance(
        auditContextOf(caller),
        {
          action: 'account.created',
          target: { type: 'account', id: created.id, label: email },
          details: {
            instance_admin: input.isInstanceAdmin,
            set_password_link_expires_at: new Date(link.expiresAt).toISOString(),
          },
        },
        tx,
      );
      const account = await tx.accounts.findById(created.id);
      return { account: summaryOf(account as AccountCredentials, []), link };
    });
  }

  /**
   * A new one-time set-password link for any account (one that lost its link, or forgot its
   * password); the account's older unused links end. Not for yourself: change your own password.
   */
  async issuePasswordLink(caller: Caller, accountId: string, baseUrl?: string): Promise<PasswordLinkIssued> {
    if (accountId === caller.account.id)
      throw new TouchpointError(
        'TP_ERR_VALIDATION',
        {
          issues: [
            {
              in: 'params',
              path: '/accountId',
              rule: 'invalid',
              message: 'is you: change your own password',
            },
          ],
        },
        { message: 'params/accountId is you: change your own password instead' },
      );
    return this.#store.transaction(async (tx) => {
      const account = await tx.accounts.findById(accountId);
      if (!account) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'account' });
      const link = await this.#issueLink(tx, caller, accountId, baseUrl);
      await this.#audit.recordForAccount(
        accountId,
        auditContextOf(caller),
        {
          action: 'account.password_link_issued',
          target: { type: 'account', id: accountId, label: account.email },
          details: { expires_at: new Date(link.expiresAt).toISOString() },
        },
        tx,
      );
      return link;
    });
  }

  async #issueLink(
    tx: Repositories,
    caller: Caller,
    accountId: string,
    baseUrl: string | undefined,
  ): Promise<PasswordLinkIssued> {
    const token = newSecret('');
    const expiresAt = Date.now() + PASSWORD_LINK_MS;
    await tx.sessions.deletePasswordLinks(accountId);
    await tx.sessions.createPasswordLink({
      tokenHash: hashSecret(token),
      accountId,
      createdBy: caller.account.id,
      expiresAt,
    });
    return { url: `${baseUrl ?? this.#config.publicUrl}/set-password?token=${token}`, expiresAt };
  }

  /**
   * Grants or withdraws instance admin rights, and ends a login lockout (`locked: false`).
   * Withdrawing your own answers 403 `TP_ERR_TENANCY_OWN_INSTANCE_ADMIN`; withdrawing the last
   * one 409 `TP_ERR_TENANCY_LAST_INSTANCE_ADMIN`. A change to nothing new records nothing.
   */
  async updateAccount(
    caller: Caller,
    accountId: string,
    patch: { isInstanceAdmin?: boolean; locked?: false },
  ): Promise<AccountSummary> {
    return this.#store.transaction(async (tx) => {
      if (patch.isInstanceAdmin !== undefined) await tx.accounts.lockInstanceAdmins();
      const before = await tx.accounts.findById(accountId);
      if (!before) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'account' });
      const ctx = auditContextOf(caller);
      const target = { type: 'account', id: accountId, label: before.email };
      if (patch.isInstanceAdmin !== undefined && patch.isInstanceAdmin !== before.isInstanceAdmin) {
        if (!patch.isInstanceAdmin) {
          if (accountId === caller.account.id) throw new TouchpointError('TP_ERR_TENANCY_OWN_INSTANCE_ADMIN');
          // Under the lock: a concurrent withdrawal has either committed or waits for this one.
          if ((await tx.accounts.countInstanceAdmins()) <= 1)
            throw new TouchpointError('TP_ERR_TENANCY_LAST_INSTANCE_ADMIN');
          const self = await tx.accounts.findById(caller.account.id);
          if (!self?.isInstanceAdmin)
            throw new TouchpointError('TP_ERR_FORBIDDEN', { required: 'instance_admin' });
        }
        await tx.accounts.setInstanceAdmin(accountId, patch.isInstanceAdmin);
        await this.#audit.recordForAccount(
          accountId,
          ctx,
          {
            action: patch.isInstanceAdmin
              ? 'account.instance_admin_granted'
              : 'account.instance_admin_withdrawn',
            target,
          },
          tx,
        );
      }
      if (patch.locked === false && (before.lockedUntil !== null || before.failedLogins > 0)) {
        await tx.accounts.unlock(accountId);
        await this.#audit.recordForAccount(
          accountId,
          ctx,
          {
            action: 'account.unlocked',
            target,
            details: {
              locked_until: before.lockedUntil === null ? null : new Date(before.lockedUntil).toISOString(),
              failed_logins: before.failedLogins,
            },
          },
          tx,
        );
      }
      const after = await tx.accounts.findById(accountId);
      return this.#summary(tx, after as AccountCredentials);
    });
  }

  /** Every project with how many members and project admins it has (0 admins: nobody can open it). */
  async listProjects(page: PageRequest): Promise<ProjectSummary[]> {
    const scope = systemScope('the instance admin lists every project with its member counts');
    const projects = await this.#store.projects.listPage(scope, page);
    const counts = await this.#store.projects.memberCounts(
      scope,
      projects.map((p) => p.id),
    );
    return projects.map((p) => ({
      ...p,
      memberCount: counts.get(p.id)?.members ?? 0,
      adminCount: counts.get(p.id)?.admins ?? 0,
    }));
  }
}

function summaryOf(a: AccountCredentials, memberships: AccountSummary['memberships']): AccountSummary {
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    isInstanceAdmin: a.isInstanceAdmin,
    mustChangePassword: a.mustChangePassword,
    createdAt: a.createdAt,
    lockedUntil: a.lockedUntil,
    lastLoginAt: a.lastLoginAt,
    passwordSet: a.passwordHash !== null,
    memberships,
  };
}

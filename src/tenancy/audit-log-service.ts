import type { AuditLog, AuditWrite } from '../access/audit-log.ts';
import type { AuditContext, Caller, ProjectAccess } from '../access/caller.ts';
import type { PageRequest } from '../access/paging.ts';
import { projectScope, systemScope, type ProjectScope, type Scope } from '../access/scope.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { AuditEntry } from './model.ts';
import { tokenCreators } from './token-creators.ts';

/**
 * The append-only audit log: every domain records through it (the `AuditLog` seam), tenancy also
 * writes instance-level and per-account entries, and members read their project's log.
 */
export class AuditLogService implements AuditLog {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async #append(repos: Repositories, scope: Scope, ctx: AuditContext, entry: AuditWrite): Promise<void> {
    await repos.audit.append(scope, { ...entry, actor: ctx.actor, ip: ctx.ip, requestId: ctx.requestId });
  }

  /** Appends an entry to a project's log (sources, channels, approvals…); pass `tx` to join it. */
  async record(scope: ProjectScope, ctx: AuditContext, entry: AuditWrite, tx?: Repositories): Promise<void> {
    await this.#append(tx ?? this.#store, scope, ctx, entry);
  }

  /** An instance-level entry (no project's log shows it), e.g. an account created. */
  async recordInstance(ctx: AuditContext, entry: AuditWrite, tx: Repositories): Promise<void> {
    await this.#append(tx, systemScope('instance-level audit entry'), ctx, entry);
  }

  /** Writes the entry into every project the account belongs to, and once instance-wide. */
  async recordForAccount(
    accountId: string | null,
    ctx: AuditContext,
    entry: AuditWrite,
    tx: Repositories,
  ): Promise<void> {
    await this.recordInstance(ctx, entry, tx);
    if (!accountId) return;
    for (const m of await tx.projects.membershipsOf(
      systemScope('fan out account audit entries'),
      accountId,
    )) {
      await this.#append(tx, projectScope(m.projectId), ctx, entry);
    }
  }

  /** The audit log; ids of tokens the caller may not see read `redacted`, so none leaks. */
  async list(
    caller: Caller,
    access: ProjectAccess,
    filter: { action?: string },
    page: PageRequest,
  ): Promise<AuditEntry[]> {
    const rows = await this.#store.audit.list(access.scope, filter, page);
    const creators = await tokenCreators(caller, access, this.#store);
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
}

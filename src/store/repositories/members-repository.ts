import type { PageRequest } from '../../access/paging.ts';
import type { Kysely } from 'kysely';
import type { Member, Role } from '../../tenancy/model.ts';
import type { ProjectScope } from '../../access/scope.ts';
import type { Database } from '../schema.ts';
import { scoped } from './scoped.ts';

/** Memberships of one project, their workspaces, and operators' per-channel usage grants. */
export interface MembersRepository {
  /** Ordered by join time, then account id; `after` is `[createdAt, accountId]`. */
  list(scope: ProjectScope, page: PageRequest): Promise<Member[]>;
  get(scope: ProjectScope, accountId: string): Promise<Member | undefined>;
  /** Creates or replaces the membership and its workspace list. */
  put(scope: ProjectScope, accountId: string, role: Role, workspaceIds: readonly string[]): Promise<Member>;
  remove(scope: ProjectScope, accountId: string): Promise<boolean>;
  countRole(scope: ProjectScope, role: Role): Promise<number>;
  hasUsageGrant(scope: ProjectScope, accountId: string, channelId: string): Promise<boolean>;
  grantUsage(scope: ProjectScope, accountId: string, channelId: string, grantedBy: string): Promise<void>;
  revokeUsage(scope: ProjectScope, accountId: string, channelId: string): Promise<boolean>;
}

export function membersRepository(db: Kysely<Database>): MembersRepository {
  const q = (scope: ProjectScope) => scoped(db, scope);

  async function load(scope: ProjectScope, accountIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (accountIds.length === 0) return map;
    const links = await q(scope)
      .selectFrom('membership_workspaces')
      .select(['account_id', 'workspace_id'])
      .where('project_id', '=', scope.projectId)
      .where('account_id', 'in', accountIds)
      .orderBy('workspace_id')
      .execute();
    for (const l of links) map.set(l.account_id, [...(map.get(l.account_id) ?? []), l.workspace_id]);
    return map;
  }

  const base = (scope: ProjectScope) =>
    q(scope)
      .selectFrom('memberships')
      .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
      .select([
        'memberships.account_id',
        'memberships.role',
        'memberships.created_at',
        'accounts.email',
        'accounts.name',
      ])
      .where('memberships.project_id', '=', scope.projectId);

  async function withWorkspaces(
    scope: ProjectScope,
    rows: { account_id: string; role: string; created_at: number; email: string; name: string }[],
  ): Promise<Member[]> {
    const workspaces = await load(
      scope,
      rows.map((r) => r.account_id),
    );
    return rows.map((r) => ({
      accountId: r.account_id,
      email: r.email,
      name: r.name,
      role: r.role as Role,
      workspaceIds: workspaces.get(r.account_id) ?? [],
      createdAt: Number(r.created_at),
    }));
  }

  return {
    async list(scope, page) {
      let query = base(scope);
      if (page.after) {
        const [createdAt, accountId] = page.after;
        query = query.where((eb) =>
          eb.or([
            eb('memberships.created_at', '>', Number(createdAt)),
            eb.and([
              eb('memberships.created_at', '=', Number(createdAt)),
              eb('memberships.account_id', '>', String(accountId)),
            ]),
          ]),
        );
      }
      const rows = await query
        .orderBy('memberships.created_at')
        .orderBy('memberships.account_id')
        .limit(page.limit)
        .execute();
      return withWorkspaces(scope, rows);
    },
    async get(scope, accountId) {
      const rows = await base(scope).where('memberships.account_id', '=', accountId).execute();
      return (await withWorkspaces(scope, rows))[0];
    },
    async put(scope, accountId, role, workspaceIds) {
      const now = Date.now();
      await q(scope)
        .insertInto('memberships')
        .values({
          project_id: scope.projectId,
          account_id: accountId,
          role,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['project_id', 'account_id']).doUpdateSet({ role, updated_at: now }))
        .execute();
      await q(scope)
        .deleteFrom('membership_workspaces')
        .where('project_id', '=', scope.projectId)
        .where('account_id', '=', accountId)
        .execute();
      if (workspaceIds.length > 0) {
        await q(scope)
          .insertInto('membership_workspaces')
          .values(
            workspaceIds.map((w) => ({
              project_id: scope.projectId,
              account_id: accountId,
              workspace_id: w,
            })),
          )
          .execute();
      }
      const member = await this.get(scope, accountId);
      if (!member) throw new Error('membership vanished after write');
      return member;
    },
    async remove(scope, accountId) {
      const result = await q(scope)
        .deleteFrom('memberships')
        .where('project_id', '=', scope.projectId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async countRole(scope, role) {
      const row = await q(scope)
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', scope.projectId)
        .where('role', '=', role)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async hasUsageGrant(scope, accountId, channelId) {
      const row = await q(scope)
        .selectFrom('usage_grants')
        .select('channel_id')
        .where('project_id', '=', scope.projectId)
        .where('account_id', '=', accountId)
        .where('channel_id', '=', channelId)
        .executeTakeFirst();
      return row !== undefined;
    },
    async grantUsage(scope, accountId, channelId, grantedBy) {
      await q(scope)
        .insertInto('usage_grants')
        .values({
          project_id: scope.projectId,
          account_id: accountId,
          channel_id: channelId,
          granted_by: grantedBy,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['project_id', 'account_id', 'channel_id']).doNothing())
        .execute();
    },
    async revokeUsage(scope, accountId, channelId) {
      const result = await q(scope)
        .deleteFrom('usage_grants')
        .where('project_id', '=', scope.projectId)
        .where('account_id', '=', accountId)
        .where('channel_id', '=', channelId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

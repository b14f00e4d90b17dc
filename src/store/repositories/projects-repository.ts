import type { Kysely, Selectable } from 'kysely';
import type { MembershipSummary, Project, Role, Workspace } from '../../tenancy/model.ts';
import type { PageRequest } from '../../access/paging.ts';
import type { ProjectScope, Scope, SystemScope } from '../../access/scope.ts';
import type { Database, ProjectsTable, WorkspacesTable } from '../schema.ts';
import { bool, scoped } from './scoped.ts';

/** Projects and their workspaces. */
export interface ProjectsRepository {
  create(scope: SystemScope, project: { name: string; timeZone: string }): Promise<Project>;
  get(scope: ProjectScope): Promise<Project | undefined>;
  update(scope: ProjectScope, patch: { name?: string; timeZone?: string }): Promise<Project | undefined>;
  /** The projects an account belongs to, with its role and workspaces (its own sessions). */
  membershipsOf(scope: SystemScope, accountId: string): Promise<MembershipSummary[]>;
  /** `membershipsOf` for many accounts at once (a page of the instance admin's accounts list). */
  membershipsOfAccounts(
    scope: SystemScope,
    accountIds: readonly string[],
  ): Promise<Map<string, MembershipSummary[]>>;
  /** Every project by id (keyset on `id`), for the instance admin's paged list. */
  listPage(scope: SystemScope, page: PageRequest): Promise<Project[]>;
  /** Members and project admins of each listed project (absent: none). */
  memberCounts(
    scope: SystemScope,
    projectIds: readonly number[],
  ): Promise<Map<number, { members: number; admins: number }>>;

  listWorkspaces(scope: ProjectScope): Promise<Workspace[]>;
  getWorkspace(scope: ProjectScope, workspaceId: string): Promise<Workspace | undefined>;
  createWorkspace(
    scope: ProjectScope,
    w: { id: string; name: string; requireApproval: boolean },
  ): Promise<Workspace>;
  updateWorkspace(
    scope: ProjectScope,
    workspaceId: string,
    patch: { name?: string; requireApproval?: boolean },
  ): Promise<Workspace | undefined>;
}

function toProject(row: Selectable<ProjectsTable>): Project {
  return {
    id: Number(row.id),
    name: row.name,
    timeZone: row.time_zone,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function toWorkspace(row: Selectable<WorkspacesTable>): Workspace {
  return {
    id: row.id,
    projectId: Number(row.project_id),
    name: row.name,
    requireApproval: bool(row.require_approval),
    createdAt: Number(row.created_at),
  };
}

/** Workspace names are unique per project ignoring case and surrounding space. */
export const nameKey = (name: string): string => name.trim().toLowerCase();

export function projectsRepository(db: Kysely<Database>): ProjectsRepository {
  const q = (scope: Scope) => scoped(db, scope);
  return {
    async create(scope, p) {
      const now = Date.now();
      const row = await q(scope)
        .insertInto('projects')
        .values({ name: p.name, time_zone: p.timeZone, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProject(row);
    },
    async get(scope) {
      const row = await q(scope)
        .selectFrom('projects')
        .selectAll()
        .where('id', '=', scope.projectId)
        .executeTakeFirst();
      return row && toProject(row);
    },
    async update(scope, patch) {
      const row = await q(scope)
        .updateTable('projects')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
          updated_at: Date.now(),
        })
        .where('id', '=', scope.projectId)
        .returningAll()
        .executeTakeFirst();
      return row && toProject(row);
    },
    async membershipsOfAccounts(scope, accountIds) {
      const result = new Map<string, MembershipSummary[]>();
      if (accountIds.length === 0) return result;
      const rows = await q(scope)
        .selectFrom('memberships')
        .innerJoin('projects', 'projects.id', 'memberships.project_id')
        .select(['memberships.account_id', 'memberships.project_id', 'memberships.role', 'projects.name'])
        .where('memberships.account_id', 'in', accountIds)
        .orderBy('memberships.project_id')
        .execute();
      const links = await q(scope)
        .selectFrom('membership_workspaces')
        .select(['account_id', 'project_id', 'workspace_id'])
        .where('account_id', 'in', accountIds)
        .orderBy('workspace_id')
        .execute();
      for (const r of rows) {
        const list = result.get(r.account_id) ?? [];
        list.push({
          projectId: Number(r.project_id),
          projectName: r.name,
          role: r.role as Role,
          workspaceIds: links
            .filter((l) => l.account_id === r.account_id && Number(l.project_id) === Number(r.project_id))
            .map((l) => l.workspace_id),
        });
        result.set(r.account_id, list);
      }
      return result;
    },
    async listPage(scope, page) {
      let query = q(scope).selectFrom('projects').selectAll();
      const after = page.after?.[0];
      if (after !== undefined) query = query.where('id', '>', Number(after));
      return (await query.orderBy('id').limit(page.limit).execute()).map(toProject);
    },
    async memberCounts(scope, projectIds) {
      const result = new Map<number, { members: number; admins: number }>();
      if (projectIds.length === 0) return result;
      const rows = await q(scope)
        .selectFrom('memberships')
        .select((eb) => [
          'project_id',
          eb.fn.countAll<number>().as('members'),
          eb.fn.sum<number>(eb.case().when('role', '=', 'project_admin').then(1).else(0).end()).as('admins'),
        ])
        .where('project_id', 'in', projectIds)
        .groupBy('project_id')
        .execute();
      for (const r of rows)
        result.set(Number(r.project_id), { members: Number(r.members), admins: Number(r.admins) });
      return result;
    },
    async membershipsOf(scope, accountId) {
      const rows = await q(scope)
        .selectFrom('memberships')
        .innerJoin('projects', 'projects.id', 'memberships.project_id')
        .select(['memberships.project_id', 'memberships.role', 'projects.name'])
        .where('memberships.account_id', '=', accountId)
        .orderBy('memberships.project_id')
        .execute();
      const links = await q(scope)
        .selectFrom('membership_workspaces')
        .select(['project_id', 'workspace_id'])
        .where('account_id', '=', accountId)
        .orderBy('workspace_id')
        .execute();
      return rows.map((r) => ({
        projectId: Number(r.project_id),
        projectName: r.name,
        role: r.role as Role,
        workspaceIds: links
          .filter((l) => Number(l.project_id) === Number(r.project_id))
          .map((l) => l.workspace_id),
      }));
    },
    async listWorkspaces(scope) {
      const rows = await q(scope)
        .selectFrom('workspaces')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toWorkspace);
    },
    async getWorkspace(scope, workspaceId) {
      const row = await q(scope)
        .selectFrom('workspaces')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('id', '=', workspaceId)
        .executeTakeFirst();
      return row && toWorkspace(row);
    },
    async createWorkspace(scope, w) {
      const now = Date.now();
      const row = await q(scope)
        .insertInto('workspaces')
        .values({
          id: w.id,
          project_id: scope.projectId,
          name: w.name,
          name_key: nameKey(w.name),
          require_approval: w.requireApproval,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toWorkspace(row);
    },
    async updateWorkspace(scope, workspaceId, patch) {
      const row = await q(scope)
        .updateTable('workspaces')
        .set({
          ...(patch.name !== undefined ? { name: patch.name, name_key: nameKey(patch.name) } : {}),
          ...(patch.requireApproval !== undefined ? { require_approval: patch.requireApproval } : {}),
          updated_at: Date.now(),
        })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', workspaceId)
        .returningAll()
        .executeTakeFirst();
      return row && toWorkspace(row);
    },
  };
}

import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type AuditContext, type Caller, type ProjectAccess } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import { projectScope, systemScope } from '../access/scope.ts';
import { isValidTimeZone } from '../access/time-zone.ts';
import { TouchpointError } from '../errors.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import type { Store } from '../store/store.ts';
import type { AccessControl } from './access.ts';
import { callerMemberships } from './caller-memberships.ts';
import type { Project, Workspace } from './model.ts';
import { normalizeEmail } from './normalize-email.ts';
import { validationError } from './validation-error.ts';

/** Projects (created by instance admins, each with a first admin) and their workspaces. */
export class ProjectsService {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #access: AccessControl;

  constructor(deps: { store: Store; audit: AuditLog; access: AccessControl }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#access = deps.access;
  }

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
      await this.#audit.record(
        scope,
        ctx,
        {
          action: 'project.created',
          target: { type: 'project', id: String(project.id), label: project.name },
          details: { admin: admin.email },
        },
        tx,
      );
      return project;
    });
  }

  /**
   * The projects the caller belongs to (the project switcher). An instance admin sees every
   * project in the all-projects view (`GET /api/v1/instance/projects`), but opens only those it
   * is a member of (decision 10), so they are the only ones listed here.
   */
  async listProjects(caller: Caller): Promise<Project[]> {
    const projects: Project[] = [];
    for (const m of await callerMemberships(this.#store, caller)) {
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
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'project.updated',
          target: { type: 'project', id: String(project.id), label: project.name },
          details: {
            before: { name: before.name, time_zone: before.timeZone },
            after: { name: project.name, time_zone: project.timeZone },
          },
        },
        tx,
      );
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
    return this.#uniqueName(name, () =>
      this.#store.transaction(async (tx) => {
        const workspace = await tx.projects.createWorkspace(access.scope, {
          id: newId('ws'),
          name,
          requireApproval: input.requireApproval ?? false,
        });
        await this.#audit.record(
          access.scope,
          auditContextOf(caller),
          {
            action: 'workspace.created',
            target: { type: 'workspace', id: workspace.id, label: workspace.name },
          },
          tx,
        );
        return workspace;
      }),
    );
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
    return this.#uniqueName(name, () =>
      this.#store.transaction(async (tx) => {
        const workspace = await tx.projects.updateWorkspace(access.scope, workspaceId, { ...patch, name });
        if (!workspace) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'workspace' });
        await this.#audit.record(
          access.scope,
          auditContextOf(caller),
          {
            action: 'workspace.updated',
            target: { type: 'workspace', id: workspace.id, label: workspace.name },
            details: { name: workspace.name, require_approval: workspace.requireApproval },
          },
          tx,
        );
        return workspace;
      }),
    );
  }

  /** A workspace name the project already uses answers 409 `TP_ERR_TENANCY_NAME_TAKEN`. */
  async #uniqueName(name: string | undefined, write: () => Promise<Workspace>): Promise<Workspace> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof UniqueViolationError)
        throw new TouchpointError('TP_ERR_TENANCY_NAME_TAKEN', { name });
      throw error;
    }
  }
}

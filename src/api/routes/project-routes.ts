import { auditContextOf } from '../../access/caller.ts';
import type { FastifyPluginAsync } from 'fastify';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import type { AppDeps } from '../app-deps.ts';
import { pathParams, projectParams } from '../route-params.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { projectJson, projectSchema, workspaceJson, workspaceSchema } from '../serializers/tenancy-json.ts';

export { projectParams };
const workspaceParams = pathParams('workspaceId');

const timeZone = { type: 'string', minLength: 1, maxLength: 64, example: 'Asia/Shanghai' } as const;
const name = { type: 'string', minLength: 1, maxLength: 100 } as const;

/** Projects (the tenant) and their workspaces. */
export function projectRoutes(deps: AppDeps): FastifyPluginAsync {
  const { projects } = deps;
  return async (app) => {
    app.get(
      '/api/v1/projects',
      {
        config: { scope: { kind: 'account' } },
        schema: {
          tags: ['projects'],
          summary:
            'The projects the caller is a member of (instance admins see every project at /api/v1/instance/projects)',
          response: { 200: pageSchema(projectSchema) },
        },
      },
      async (request) => ({
        items: (await projects.listProjects(callerOf(request))).map(projectJson),
        next_cursor: null,
      }),
    );

    app.post(
      '/api/v1/projects',
      {
        config: { scope: { kind: 'instance_admin' } },
        schema: {
          tags: ['projects'],
          summary: 'Create a project and name its first project admin (default: you)',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name, time_zone: timeZone, admin_email: { type: 'string', maxLength: 320 } },
          },
          response: { 201: projectSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as { name: string; time_zone?: string; admin_email?: string };
        const caller = callerOf(request);
        const project = await projects.createProject(
          { name: body.name, timeZone: body.time_zone, adminEmail: body.admin_email ?? caller.account.email },
          auditContextOf(caller),
        );
        return reply.code(201).send(projectJson(project));
      },
    );

    app.get(
      '/api/v1/projects/:projectId',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['projects'],
          summary: 'A project',
          params: projectParams,
          response: { 200: projectSchema },
        },
      },
      async (request) => projectJson(await projects.getProject(accessOf(request))),
    );

    app.patch(
      '/api/v1/projects/:projectId',
      {
        config: { scope: { kind: 'member', permission: 'project.manage' } },
        schema: {
          tags: ['projects'],
          summary: 'Rename a project or change its time zone',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { name, time_zone: timeZone },
          },
          response: { 200: projectSchema },
        },
      },
      async (request) => {
        const body = request.body as { name?: string; time_zone?: string };
        return projectJson(
          await projects.updateProject(callerOf(request), accessOf(request), {
            name: body.name,
            timeZone: body.time_zone,
          }),
        );
      },
    );

    app.get(
      '/api/v1/projects/:projectId/workspaces',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['workspaces'],
          summary: 'Workspaces of the project the caller belongs to',
          params: projectParams,
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(workspaceSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const page = readPage(
          deps.cursors,
          `workspaces:${access.scope.projectId}`,
          request.query as { limit?: number; cursor?: string },
        );
        const all = await projects.listWorkspaces(access);
        const after = page.request.after;
        const rows = (after ? all.slice(all.findIndex((w) => w.id === after[0]) + 1) : all).slice(
          0,
          page.request.limit,
        );
        return page.respond(rows, (w) => [w.id], workspaceJson);
      },
    );

    app.post(
      '/api/v1/projects/:projectId/workspaces',
      {
        config: { scope: { kind: 'member', permission: 'project.manage' } },
        schema: {
          tags: ['workspaces'],
          summary: 'Create a workspace',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name, require_approval: { type: 'boolean' } },
          },
          response: { 201: workspaceSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as { name: string; require_approval?: boolean };
        const workspace = await projects.createWorkspace(callerOf(request), accessOf(request), {
          name: body.name,
          requireApproval: body.require_approval,
        });
        return reply.code(201).send(workspaceJson(workspace));
      },
    );

    app.get(
      '/api/v1/projects/:projectId/workspaces/:workspaceId',
      {
        config: { scope: { kind: 'member', permission: null, workspace: true } },
        schema: {
          tags: ['workspaces'],
          summary: 'A workspace',
          params: workspaceParams,
          response: { 200: workspaceSchema },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { workspaceId } = request.params as { workspaceId: string };
        const workspace = (await projects.listWorkspaces(access)).find((w) => w.id === workspaceId);
        return workspaceJson(workspace as NonNullable<typeof workspace>);
      },
    );

    app.patch(
      '/api/v1/projects/:projectId/workspaces/:workspaceId',
      {
        config: { scope: { kind: 'member', permission: 'project.manage', workspace: true } },
        schema: {
          tags: ['workspaces'],
          summary: 'Rename a workspace or switch its approval requirement',
          params: workspaceParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { name, require_approval: { type: 'boolean' } },
          },
          response: { 200: workspaceSchema },
        },
      },
      async (request) => {
        const body = request.body as { name?: string; require_approval?: boolean };
        const { workspaceId } = request.params as { workspaceId: string };
        return workspaceJson(
          await projects.updateWorkspace(callerOf(request), accessOf(request), workspaceId, {
            name: body.name,
            requireApproval: body.require_approval,
          }),
        );
      },
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import { roles, type Role } from '../../tenancy/model.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { invitationJson, invitationSchema, memberJson, memberSchema } from '../serializers/tenancy-json.ts';
import { noContent, pathParams, projectParams } from '../route-params.ts';
import { publicBaseUrl } from '../public-url.ts';

const memberParams = pathParams('accountId');
const invitationParams = pathParams('invitationId');
const linkTokenParams = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;
const role = { type: 'string', enum: roles } as const;
const workspaceIds = {
  type: 'array',
  maxItems: 200,
  items: { type: 'string', minLength: 1, maxLength: 64 },
} as const;

/** Members and roles of a project: invitations, changes, removal and set-password links. */
export function memberRoutes(deps: AppDeps): FastifyPluginAsync {
  const { members, cursors } = deps;
  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/members',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['members'],
          summary: 'Members of the project',
          params: projectParams,
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(memberSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const page = readPage(
          cursors,
          `members:${access.scope.projectId}`,
          request.query as { limit?: number },
        );
        const rows = await members.listMembers(access, page.request);
        return page.respond(rows, (m) => [m.createdAt, m.accountId], memberJson);
      },
    );

    app.post(
      '/api/v1/projects/:projectId/members',
      {
        config: { scope: { kind: 'member', permission: 'member.manage' } },
        schema: {
          tags: ['members'],
          summary:
            'Invite someone by e-mail: a pending invitation and its one-time link, the same answer whether an account exists or not',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['email', 'role'],
            properties: {
              email: { type: 'string', minLength: 3, maxLength: 320 },
              role,
              workspace_ids: workspaceIds,
              name: { type: 'string', maxLength: 100 },
            },
          },
          response: {
            201: {
              type: 'object',
              properties: { invitation: invitationSchema, invite_url: { type: 'string' } },
            },
          },
        },
      },
      async (request, reply) => {
        const body = request.body as { email: string; role: Role; workspace_ids?: string[]; name?: string };
        const result = await members.addMember(callerOf(request), accessOf(request), {
          email: body.email,
          role: body.role,
          workspaceIds: body.workspace_ids,
          name: body.name,
          baseUrl: publicBaseUrl(request, deps.config),
        });
        return reply
          .code(201)
          .send({ invitation: invitationJson(result.invitation), invite_url: result.inviteUrl });
      },
    );

    app.get(
      '/api/v1/projects/:projectId/invitations',
      {
        config: { scope: { kind: 'member', permission: 'member.manage' } },
        schema: {
          tags: ['members'],
          summary: 'Pending invitations (not accepted, revoked or expired), newest first',
          params: projectParams,
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(invitationSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const page = readPage(
          cursors,
          `invitations:${access.scope.projectId}`,
          request.query as { limit?: number; cursor?: string },
        );
        // Few at a time by nature: filtered in memory, paged by position.
        const all = await members.listInvitations(access);
        const after = page.request.after;
        const start = after ? all.findIndex((i) => i.id === after[0]) + 1 : 0;
        return page.respond(all.slice(start, start + page.request.limit), (i) => [i.id], invitationJson);
      },
    );

    app.delete(
      '/api/v1/projects/:projectId/invitations/:invitationId',
      {
        config: { scope: { kind: 'member', permission: 'member.manage' } },
        schema: {
          tags: ['members'],
          summary: 'Revoke a pending invitation (its link stops working at once)',
          params: invitationParams,
          response: noContent,
        },
      },
      async (request, reply) => {
        const { invitationId } = request.params as { invitationId: string };
        await members.revokeInvitation(callerOf(request), accessOf(request), invitationId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/invitations/:token',
      {
        config: { scope: { kind: 'public' } },
        schema: {
          tags: ['members'],
          summary: "An invitation by its link token, for the invitee's accept page",
          params: linkTokenParams,
          response: {
            200: {
              type: 'object',
              properties: {
                project_id: { type: 'integer' },
                project_name: { type: 'string' },
                email: { type: 'string' },
                role: { type: 'string' },
                expires_at: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
      async (request) => {
        const { token } = request.params as { token: string };
        const { invitation, projectName } = await members.invitationByToken(token);
        return {
          project_id: invitation.projectId,
          project_name: projectName,
          email: invitation.email,
          role: invitation.role,
          expires_at: new Date(invitation.expiresAt).toISOString(),
        };
      },
    );

    app.post(
      '/api/v1/invitations/:token/accept',
      {
        config: { scope: { kind: 'account' } },
        schema: {
          tags: ['members'],
          summary: 'Accept an invitation as the signed-in invitee (a console session, not an API token)',
          params: linkTokenParams,
          response: {
            200: { type: 'object', properties: { project_id: { type: 'integer' }, member: memberSchema } },
          },
        },
      },
      async (request) => {
        const { token } = request.params as { token: string };
        const { projectId, member } = await members.acceptInvitation(callerOf(request), token);
        return { project_id: projectId, member: memberJson(member) };
      },
    );

    app.patch(
      '/api/v1/projects/:projectId/members/:accountId',
      {
        config: { scope: { kind: 'member', permission: 'member.manage' } },
        schema: {
          tags: ['members'],
          summary: "Change a member's role or workspaces",
          params: memberParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { role, workspace_ids: workspaceIds },
          },
          response: { 200: memberSchema },
        },
      },
      async (request) => {
        const body = request.body as { role?: Role; workspace_ids?: string[] };
        const { accountId } = request.params as { accountId: string };
        return memberJson(
          await members.updateMember(callerOf(request), accessOf(request), accountId, {
            role: body.role,
            workspaceIds: body.workspace_ids,
          }),
        );
      },
    );

    app.delete(
      '/api/v1/projects/:projectId/members/:accountId',
      {
        config: { scope: { kind: 'member', permission: 'member.manage' } },
        schema: {
          tags: ['members'],
          summary: 'Remove a member from the project',
          params: memberParams,
          response: noContent,
        },
      },
      async (request, reply) => {
        const { accountId } = request.params as { accountId: string };
        await members.removeMember(callerOf(request), accessOf(request), accountId);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/projects/:projectId/members/:accountId/password-link',
      {
        config: { scope: { kind: 'member', permission: 'member.manage' } },
        schema: {
          tags: ['members'],
          summary:
            "Issue a new one-time set-password link for a member (shown once; ends the member's older links)",
          params: memberParams,
          response: {
            201: {
              type: 'object',
              properties: {
                set_password_url: { type: 'string' },
                expires_at: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
      async (request, reply) => {
        const { accountId } = request.params as { accountId: string };
        const link = await members.issuePasswordLink(
          callerOf(request),
          accessOf(request),
          accountId,
          publicBaseUrl(request, deps.config),
        );
        return reply
          .code(201)
          .send({ set_password_url: link.url, expires_at: new Date(link.expiresAt).toISOString() });
      },
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import type { Channel } from '../../channels/model.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime as iso, pathParams as params } from '../route-params.ts';
import { channelJson, channelSchema } from '../serializers/channel-json.ts';
import { channelParams, channelUserOf as userOf, noContent } from './channel-routes.ts';

/**
 * Who may use a channel (SPEC §1, §3.1): workspace authorizations, operators' usage grants, and
 * the channel picker of a workspace.
 */
export function channelAccessRoutes(deps: AppDeps): FastifyPluginAsync {
  const { channels, cursors } = deps;
  const json = (c: Channel) => channelJson(c, channels.secretsSet(c));

  return async (app) => {
    for (const method of ['PUT', 'DELETE'] as const) {
      app.route({
        method,
        url: '/api/v1/projects/:projectId/channels/:channelId/workspaces/:workspaceId',
        config: { scope: { kind: 'member', permission: 'channel.authorize', workspace: true } },
        schema: {
          tags: ['channels'],
          summary:
            method === 'PUT'
              ? 'Authorize a workspace to use the channel'
              : "Withdraw a workspace's authorization",
          params: params('channelId', 'workspaceId'),
          response: { 200: channelSchema },
        },
        handler: async (request) => {
          const { channelId, workspaceId } = request.params as { channelId: string; workspaceId: string };
          const run = method === 'PUT' ? channels.authorize : channels.deauthorize;
          return json(await run.call(channels, callerOf(request), accessOf(request), channelId, workspaceId));
        },
      });
    }

    app.get(
      '/api/v1/projects/:projectId/channels/:channelId/grants',
      {
        config: { scope: { kind: 'member', permission: 'channel.authorize' } },
        schema: {
          tags: ['channels'],
          summary: "Operators' usage grants for the channel",
          params: channelParams,
          response: {
            200: pageSchema({
              type: 'object',
              properties: {
                account_id: { type: 'string' },
                granted_by: { type: 'string' },
                created_at: { type: 'string' },
              },
            }),
          },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        const grants = await channels.listGrants(accessOf(request), channelId);
        return {
          items: grants.map((g) => ({
            account_id: g.accountId,
            granted_by: g.grantedBy,
            created_at: iso(g.createdAt),
          })),
          next_cursor: null,
        };
      },
    );

    for (const method of ['PUT', 'DELETE'] as const) {
      app.route({
        method,
        url: '/api/v1/projects/:projectId/channels/:channelId/grants/:accountId',
        config: { scope: { kind: 'member', permission: 'channel.authorize' } },
        schema: {
          tags: ['channels'],
          summary: method === 'PUT' ? 'Give a member a usage grant for the channel' : 'Revoke a usage grant',
          params: params('channelId', 'accountId'),
          response: noContent,
        },
        handler: async (request, reply) => {
          const { channelId, accountId } = request.params as { channelId: string; accountId: string };
          const run = method === 'PUT' ? channels.grant : channels.revokeGrant;
          await run.call(channels, callerOf(request), accessOf(request), channelId, accountId);
          return reply.code(204).send();
        },
      });
    }

    app.get(
      '/api/v1/projects/:projectId/workspaces/:workspaceId/channels',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.use', workspace: true } },
        schema: {
          tags: ['channels'],
          summary: 'Channel picker: enabled channels authorized to the workspace that you may use',
          params: params('workspaceId'),
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(channelSchema) },
        },
      },
      async (request) => {
        const user = userOf(request);
        const { workspaceId } = request.params as { workspaceId: string };
        const query = request.query as { limit?: number; cursor?: string };
        const page = readPage(
          cursors,
          `workspace-channels:${user.access.scope.projectId}:${workspaceId}:${user.accountId}`,
          query,
        );
        const { rows, usable } = await channels.usableChannels(user, workspaceId, page.request);
        // The cursor follows every authorized channel; the page shows the usable ones among them.
        const answer = page.respond(
          rows,
          (c) => [c.createdAt, c.id],
          (c) => c,
        );
        return {
          items: answer.items.filter((c) => usable.has(c.id)).map((c) => json(c)),
          next_cursor: answer.next_cursor,
        };
      },
    );
  };
}

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ChannelEdit, ChannelUser } from '../../channels/channel-service.ts';
import { channelDrivers } from '../../channels/channel-drivers.ts';
import {
  webhookDefaults,
  type Channel,
  type ChannelCategory,
  type WebhookConfig,
} from '../../channels/model.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { pathParams, projectParams } from '../route-params.ts';
import {
  channelJson,
  channelProperties,
  channelSchema,
  configFromJson,
  type ChannelBody,
} from '../serializers/channel-json.ts';

export const channelParams = pathParams('channelId');
export const noContent = { 204: { type: 'null', description: 'Done' } } as const;

/** The member acting with a channel: who, and their access to its project. */
export const channelUserOf = (request: FastifyRequest): ChannelUser => ({
  accountId: callerOf(request).account.id,
  access: accessOf(request),
});

/**
 * Reach channels (SPEC §3.1): list, create, read, edit, disable/enable, delete, and the two
 * actions allowed at any time (rotate signing key, update credentials). Authorizations and grants
 * are in channel-access-routes.ts; enum options and test sends in channel-send-routes.ts.
 */
export function channelRoutes(deps: AppDeps): FastifyPluginAsync {
  const { channels, cursors } = deps;
  const json = (c: Channel, newV2Key?: string) => channelJson(c, channels.secretsSet(c), newV2Key);
  const properties = channelProperties(channelDrivers.webhook);

  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/channels',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['channels'],
          summary: 'Reach channels of the project (secrets only as {set})',
          params: projectParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...pageQuerySchema, status: { type: 'string', enum: ['enabled', 'disabled'] } },
          },
          response: { 200: pageSchema(channelSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const query = request.query as { limit?: number; cursor?: string; status?: 'enabled' | 'disabled' };
        const page = readPage(cursors, `channels:${access.scope.projectId}:${query.status ?? ''}`, query);
        const rows = await channels.list(access, { status: query.status }, page.request);
        return page.respond(
          rows,
          (c) => [c.createdAt, c.id],
          (c) => json(c),
        );
      },
    );

    app.post(
      '/api/v1/projects/:projectId/channels',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary: 'Create a channel: enabled, untested, authorized to no workspace',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'category', 'url', 'send_id_type', 'auth'],
            properties,
          },
          response: { 201: channelSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as ChannelBody;
        const config = {
          ...webhookDefaults,
          template: [],
          customParams: [],
          receiptFunnel: [],
          ...configFromJson(body),
        };
        const { channel, newV2Key } = await channels.create(callerOf(request), accessOf(request), {
          kind: 'webhook',
          name: body.name as string,
          category: body.category as ChannelCategory,
          description: body.description ?? null,
          appId: body.app_id ?? null,
          config: config as WebhookConfig,
          token: body.token,
        });
        return reply.code(201).send(json(channel, newV2Key));
      },
    );

    app.get(
      '/api/v1/projects/:projectId/channels/:channelId',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['channels'],
          summary: 'A channel with its ID and secrets shown only as {set}',
          params: channelParams,
          response: { 200: channelSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        return json(await channels.get(accessOf(request), channelId));
      },
    );

    app.patch(
      '/api/v1/projects/:projectId/channels/:channelId',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary: 'Edit a disabled channel (its kind never changes)',
          params: channelParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { ...properties, kind: { type: 'string', maxLength: 50 } },
          },
          response: { 200: channelSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        const body = request.body as ChannelBody;
        const config = configFromJson(body);
        const edit: ChannelEdit = {
          kind: body.kind,
          name: body.name,
          category: body.category,
          description: body.description,
          appId: body.app_id,
          ...(Object.keys(config).length > 0 ? { config } : {}),
          token: body.token,
        };
        const { channel, newV2Key } = await channels.update(
          callerOf(request),
          accessOf(request),
          channelId,
          edit,
        );
        return json(channel, newV2Key);
      },
    );

    for (const [action, summary] of [
      ['disable', 'Disable (refused while campaigns use it; the error names them)'],
      ['enable', 'Enable a disabled channel'],
    ] as const) {
      app.post(
        `/api/v1/projects/:projectId/channels/:channelId/${action}`,
        {
          config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
          schema: { tags: ['channels'], summary, params: channelParams, response: { 200: channelSchema } },
        },
        async (request) => {
          const { channelId } = request.params as { channelId: string };
          const run = action === 'disable' ? channels.disable : channels.enable;
          return json(await run.call(channels, callerOf(request), accessOf(request), channelId));
        },
      );
    }

    app.delete(
      '/api/v1/projects/:projectId/channels/:channelId',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary: 'Delete a disabled channel with its secrets, authorizations and usage grants',
          params: channelParams,
          response: noContent,
        },
      },
      async (request, reply) => {
        const { channelId } = request.params as { channelId: string };
        await channels.delete(callerOf(request), accessOf(request), channelId);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/projects/:projectId/channels/:channelId/rotate-signing-key',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary:
            'Rotate the signature-v2 key (any time, audited); the old key stays valid for the overlap (default 24 h)',
          params: channelParams,
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: {
              force: { type: 'boolean', description: 'End a running overlap now instead of answering 409' },
              overlap_hours: { type: 'integer', minimum: 0, maximum: 168 },
            },
          },
          response: { 200: channelSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        const body = (request.body ?? {}) as { force?: boolean; overlap_hours?: number };
        const { channel, newV2Key } = await channels.rotateSigningKey(
          callerOf(request),
          accessOf(request),
          channelId,
          {
            force: body.force,
            ...(body.overlap_hours !== undefined ? { overlapMs: body.overlap_hours * 3_600_000 } : {}),
          },
        );
        return json(channel, newV2Key);
      },
    );

    app.put(
      '/api/v1/projects/:projectId/channels/:channelId/credentials',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary: 'Update third-party credentials (the endpoint token) any time; audited',
          params: channelParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['token'],
            properties: { token: { type: 'string', maxLength: 500 } },
          },
          response: { 200: channelSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        const { token } = request.body as { token: string };
        return json(await channels.updateCredentials(callerOf(request), accessOf(request), channelId, token));
      },
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import type { AudiencePreview } from '../../audiences/audience-service.ts';
import type { Audience, AudienceEstimate } from '../../audiences/model.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime as iso, noContent, pathParams as params } from '../route-params.ts';

const conditionsSchema = {
  type: 'object',
  description:
    'The root condition group: `{type: "group", combinator: "and"|"or", conditions: [...]}`; each condition is a group, a `property` condition or a `behavior` condition (see docs/audiences.md). Validated with TP_ERR_AUDIENCE_* errors naming the part by JSON pointer in details.path.',
} as const;

const audienceSchema = {
  type: 'object',
  required: ['id', 'workspace_id', 'name', 'description', 'conditions', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    workspace_id: { type: 'string' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    conditions: { type: 'object', additionalProperties: true },
    created_by: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

const estimateSchema = {
  type: 'object',
  required: ['size', 'reachable', 'send_id_type'],
  properties: {
    size: { type: 'integer', description: 'Current profiles matching the conditions' },
    reachable: {
      type: ['integer', 'null'],
      description: "Of those, the ones holding the channel's send ID type (null without channel_id)",
    },
    send_id_type: { type: ['string', 'null'] },
  },
} as const;

const previewSchema = {
  type: 'object',
  required: ['properties', 'members'],
  properties: {
    properties: {
      type: 'array',
      items: { type: 'string' },
      description: 'Profile properties the conditions use',
    },
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          tp_uid: { type: 'string' },
          identities: {
            type: 'array',
            items: { type: 'object', properties: { type: { type: 'string' }, value: { type: 'string' } } },
          },
          properties: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

const nameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
const descriptionSchema = { type: ['string', 'null'], maxLength: 1000 } as const;

const audienceJson = (a: Audience) => ({
  id: a.id,
  workspace_id: a.workspaceId,
  name: a.name,
  description: a.description,
  conditions: a.conditions,
  created_by: a.createdBy,
  created_at: iso(a.createdAt),
  updated_at: iso(a.updatedAt),
});

const estimateJson = (e: AudienceEstimate) => ({
  size: e.size,
  reachable: e.reachable,
  send_id_type: e.sendIdType,
});

const previewJson = (p: AudiencePreview) => ({
  properties: p.properties,
  members: p.members.map((m) => ({ tp_uid: m.tpUid, identities: m.identities, properties: m.properties })),
});

const base = '/api/v1/projects/:projectId/workspaces/:workspaceId/audiences';
const read = { scope: { kind: 'member', permission: null, workspace: true } } as const;
const manage = { scope: { kind: 'member', permission: 'audience.manage', workspace: true } } as const;

/** Audiences of a workspace (SPEC §5): CRUD, estimates (with a channel's send ID) and previews. */
export function audienceRoutes(deps: AppDeps): FastifyPluginAsync {
  const { audiences, cursors } = deps;
  return async (app) => {
    app.get(
      `${base}/catalog`,
      {
        config: read,
        schema: {
          tags: ['audiences'],
          summary: 'Profile properties and events with their observed types: what conditions can use',
          params: params('workspaceId'),
          response: {
            200: {
              type: 'object',
              properties: {
                profile_properties: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      name: { type: 'string' },
                      types: { type: 'array', items: { type: 'string' } },
                      profiles: { type: 'integer' },
                    },
                  },
                },
                events: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      name: { type: 'string' },
                      properties: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: {
                            name: { type: 'string' },
                            types: { type: 'array', items: { type: 'string' } },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => {
        const { workspaceId } = request.params as { workspaceId: string };
        const c = await audiences.catalog(accessOf(request), workspaceId);
        return { profile_properties: c.profileProperties, events: c.events };
      },
    );

    app.post(
      `${base}/estimate`,
      {
        config: read,
        schema: {
          tags: ['audiences'],
          summary:
            "Estimate unsaved conditions: members now, and with channel_id those holding the channel's send ID type",
          params: params('workspaceId'),
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['conditions'],
            properties: {
              conditions: conditionsSchema,
              channel_id: { type: 'string', minLength: 1, maxLength: 64 },
            },
          },
          response: { 200: estimateSchema },
        },
      },
      async (request) => {
        const { workspaceId } = request.params as { workspaceId: string };
        const body = request.body as { conditions: unknown; channel_id?: string };
        return estimateJson(
          await audiences.estimate(accessOf(request), workspaceId, body.conditions, body.channel_id),
        );
      },
    );

    app.post(
      `${base}/preview`,
      {
        config: read,
        schema: {
          tags: ['audiences'],
          summary: 'Sample members of unsaved conditions with the properties the conditions use',
          params: params('workspaceId'),
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['conditions'],
            properties: {
              conditions: conditionsSchema,
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
          },
          response: { 200: previewSchema },
        },
      },
      async (request) => {
        const { workspaceId } = request.params as { workspaceId: string };
        const body = request.body as { conditions: unknown; limit: number };
        return previewJson(
          await audiences.preview(accessOf(request), workspaceId, body.conditions, body.limit),
        );
      },
    );

    app.get(
      base,
      {
        config: read,
        schema: {
          tags: ['audiences'],
          summary: 'Saved audiences of the workspace, newest first',
          params: params('workspaceId'),
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(audienceSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { workspaceId } = request.params as { workspaceId: string };
        const page = readPage(
          cursors,
          `audiences:${access.scope.projectId}:${workspaceId}`,
          request.query as { limit?: number; cursor?: string },
        );
        const rows = await audiences.list(access, workspaceId, page.request);
        return page.respond(rows, (a) => [a.createdAt, a.id], audienceJson);
      },
    );

    app.post(
      base,
      {
        config: manage,
        schema: {
          tags: ['audiences'],
          summary: 'Save an audience (audience.manage)',
          params: params('workspaceId'),
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'conditions'],
            properties: { name: nameSchema, description: descriptionSchema, conditions: conditionsSchema },
          },
          response: { 201: audienceSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = request.params as { workspaceId: string };
        const body = request.body as { name: string; description?: string | null; conditions: unknown };
        const audience = await audiences.create(callerOf(request), accessOf(request), workspaceId, body);
        return reply.code(201).send(audienceJson(audience));
      },
    );

    app.get(
      `${base}/:audienceId`,
      {
        config: read,
        schema: {
          tags: ['audiences'],
          summary: 'A saved audience',
          params: params('workspaceId', 'audienceId'),
          response: { 200: audienceSchema },
        },
      },
      async (request) => {
        const { workspaceId, audienceId } = request.params as { workspaceId: string; audienceId: string };
        return audienceJson(await audiences.get(accessOf(request), workspaceId, audienceId));
      },
    );

    app.patch(
      `${base}/:audienceId`,
      {
        config: manage,
        schema: {
          tags: ['audiences'],
          summary: 'Change an audience (audience.manage)',
          params: params('workspaceId', 'audienceId'),
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: { name: nameSchema, description: descriptionSchema, conditions: conditionsSchema },
          },
          response: { 200: audienceSchema },
        },
      },
      async (request) => {
        const { workspaceId, audienceId } = request.params as { workspaceId: string; audienceId: string };
        const body = request.body as { name?: string; description?: string | null; conditions?: unknown };
        return audienceJson(
          await audiences.update(callerOf(request), accessOf(request), workspaceId, audienceId, body),
        );
      },
    );

    app.delete(
      `${base}/:audienceId`,
      {
        config: manage,
        schema: {
          tags: ['audiences'],
          summary: 'Delete an audience (audience.manage)',
          params: params('workspaceId', 'audienceId'),
          response: noContent,
        },
      },
      async (request, reply) => {
        const { workspaceId, audienceId } = request.params as { workspaceId: string; audienceId: string };
        await audiences.delete(callerOf(request), accessOf(request), workspaceId, audienceId);
        return reply.code(204).send();
      },
    );

    app.get(
      `${base}/:audienceId/estimate`,
      {
        config: read,
        schema: {
          tags: ['audiences'],
          summary: 'Estimate a saved audience, optionally with a channel',
          params: params('workspaceId', 'audienceId'),
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { channel_id: { type: 'string', minLength: 1, maxLength: 64 } },
          },
          response: { 200: estimateSchema },
        },
      },
      async (request) => {
        const { workspaceId, audienceId } = request.params as { workspaceId: string; audienceId: string };
        const { channel_id } = request.query as { channel_id?: string };
        return estimateJson(
          await audiences.estimateSaved(accessOf(request), workspaceId, audienceId, channel_id),
        );
      },
    );

    app.get(
      `${base}/:audienceId/preview`,
      {
        config: read,
        schema: {
          tags: ['audiences'],
          summary: 'Sample members of a saved audience with the properties its conditions use',
          params: params('workspaceId', 'audienceId'),
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          },
          response: { 200: previewSchema },
        },
      },
      async (request) => {
        const { workspaceId, audienceId } = request.params as { workspaceId: string; audienceId: string };
        const { limit } = request.query as { limit: number };
        return previewJson(await audiences.previewSaved(accessOf(request), workspaceId, audienceId, limit));
      },
    );
  };
}

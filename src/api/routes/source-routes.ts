import type { FastifyPluginAsync } from 'fastify';
import {
  appTypes,
  platformNames,
  reportingStatus,
  type AppType,
  type DataSource,
  type PlatformConfig,
  type PlatformName,
  type ReportingStatus,
  type SourceStatus,
} from '../../sources/model.ts';
import type { App } from '../../sources/model.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime, pathParams, projectParams } from '../route-params.ts';
import { publicBaseUrl } from '../public-url.ts';

const iso = isoTime;
const sourceParams = pathParams('sourceId');
const appParams = pathParams('appId');

const appSchema = {
  type: 'object',
  required: ['id', 'name', 'app_type', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    app_type: { type: 'string' },
    created_at: { type: 'string' },
  },
} as const;
const appJson = (a: App) => ({ id: a.id, name: a.name, app_type: a.appType, created_at: iso(a.createdAt) });

const platformSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['platform'],
  properties: {
    platform: { type: 'string', enum: platformNames },
    origins: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 300 } },
    require_secret: { type: 'boolean' },
  },
} as const;

const sourceSchema = {
  type: 'object',
  required: ['id', 'app_id', 'name', 'platforms', 'status', 'reporting_status', 'credentials'],
  properties: {
    id: { type: 'string' },
    app_id: { type: 'string' },
    name: { type: 'string' },
    platforms: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          platform: { type: 'string' },
          origins: { type: 'array', items: { type: 'string' } },
          require_secret: { type: 'boolean' },
        },
      },
    },
    time_zone: { type: ['string', 'null'] },
    effective_time_zone: { type: 'string' },
    rate_limit: { type: ['integer', 'null'] },
    status: { type: 'string', enum: ['enabled', 'disabled'] },
    reporting_status: { type: 'string', enum: ['never_reported', 'reporting', 'stopped'] },
    last_event_at: { type: ['string', 'null'] },
    events_24h: { type: 'integer' },
    credentials: {
      type: 'object',
      properties: {
        data_source_id: { type: 'string' },
        app_key: { type: 'string' },
        master_secret: { type: 'string', description: 'Always masked; reveal with POST …/reveal-secret' },
        scheme: { type: ['string', 'null'] },
      },
    },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

const sourceWithIntegration = {
  ...sourceSchema,
  properties: {
    ...sourceSchema.properties,
    integration: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          platform: { type: 'string' },
          title: { type: 'string' },
          language: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
} as const;

const platformsFromBody = (
  list: { platform: PlatformName; origins?: string[]; require_secret?: boolean }[],
): PlatformConfig[] =>
  list.map((p) => ({ platform: p.platform, origins: p.origins, requireSecret: p.require_secret }));

const noContent = { 204: { type: 'null', description: 'Done' } } as const;
const secretAnswer = { 200: { type: 'object', properties: { master_secret: { type: 'string' } } } } as const;

/** Apps and data sources: credentials, lifecycle, reporting status (SPEC §2). */
export function sourceRoutes(deps: AppDeps): FastifyPluginAsync {
  const { sources, cursors } = deps;
  const sourceJson = (s: DataSource, timeZone: string) => ({
    id: s.id,
    app_id: s.appId,
    name: s.name,
    platforms: s.platforms.map((p) => ({
      platform: p.platform,
      ...(p.origins ? { origins: p.origins } : {}),
      ...(p.requireSecret !== undefined ? { require_secret: p.requireSecret } : {}),
    })),
    time_zone: s.timeZone,
    effective_time_zone: s.timeZone ?? timeZone,
    rate_limit: s.rateLimit,
    status: s.status,
    reporting_status: reportingStatus(s.lastEventAt, sources.now()),
    last_event_at: iso(s.lastEventAt),
    events_24h: s.events24h,
    credentials: {
      data_source_id: s.id,
      app_key: s.appKey,
      master_secret: sources.maskedSecret(s),
      scheme: s.scheme,
    },
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  });
  const projectZone = async (projectId: number) =>
    (await deps.store.projects.get({ kind: 'project', projectId }))?.timeZone ?? 'UTC';

  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/apps',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['sources'],
          summary: 'Apps of the project',
          params: projectParams,
          response: { 200: pageSchema(appSchema) },
        },
      },
      async (request) => ({
        items: (await sources.listApps(accessOf(request))).map(appJson),
        next_cursor: null,
      }),
    );

    app.post(
      '/api/v1/projects/:projectId/apps',
      {
        config: { scope: { kind: 'member', permission: 'source.manage' } },
        schema: {
          tags: ['sources'],
          summary: 'Create an app (its type never changes)',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'app_type'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 100 },
              app_type: { type: 'string', enum: appTypes },
            },
          },
          response: { 201: appSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as { name: string; app_type: AppType };
        const created = await sources.createApp(callerOf(request), accessOf(request), {
          name: body.name,
          appType: body.app_type,
        });
        return reply.code(201).send(appJson(created));
      },
    );

    app.patch(
      '/api/v1/projects/:projectId/apps/:appId',
      {
        config: { scope: { kind: 'member', permission: 'source.manage' } },
        schema: {
          tags: ['sources'],
          summary: 'Rename an app (sending another app_type answers TP_ERR_SOURCE_APP_TYPE_IMMUTABLE)',
          params: appParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 100 },
              app_type: { type: 'string', maxLength: 50 },
            },
          },
          response: { 200: appSchema },
        },
      },
      async (request) => {
        const body = request.body as { name?: string; app_type?: string };
        const { appId } = request.params as { appId: string };
        return appJson(
          await sources.updateApp(callerOf(request), accessOf(request), appId, {
            name: body.name,
            appType: body.app_type,
          }),
        );
      },
    );

    app.get(
      '/api/v1/projects/:projectId/sources',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['sources'],
          summary: 'Data sources, filtered by status and reporting status',
          params: projectParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              status: { type: 'string', enum: ['enabled', 'disabled'] },
              reporting_status: { type: 'string', enum: ['never_reported', 'reporting', 'stopped'] },
            },
          },
          response: { 200: pageSchema(sourceSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const query = request.query as {
          limit?: number;
          cursor?: string;
          status?: SourceStatus;
          reporting_status?: ReportingStatus;
        };
        const page = readPage(
          cursors,
          `sources:${access.scope.projectId}:${query.status ?? ''}:${query.reporting_status ?? ''}`,
          query,
        );
        const rows = await sources.listSources(
          access,
          { status: query.status, reportingStatus: query.reporting_status },
          page.request,
        );
        const zone = await projectZone(access.scope.projectId);
        return page.respond(
          rows,
          (s) => [s.createdAt, s.id],
          (s) => sourceJson(s, zone),
        );
      },
    );

    app.post(
      '/api/v1/projects/:projectId/sources',
      {
        config: { scope: { kind: 'member', permission: 'source.manage' } },
        schema: {
          tags: ['sources'],
          summary: 'Create a data source for an app on one or more platforms',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'app_id', 'platforms'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 50 },
              app_id: { type: 'string', minLength: 1, maxLength: 64 },
              platforms: { type: 'array', minItems: 1, maxItems: 7, items: platformSchema },
              time_zone: { type: ['string', 'null'], maxLength: 64 },
              rate_limit: { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 },
            },
          },
          response: { 201: sourceWithIntegration },
        },
      },
      async (request, reply) => {
        const body = request.body as {
          name: string;
          app_id: string;
          platforms: { platform: PlatformName; origins?: string[]; require_secret?: boolean }[];
          time_zone?: string | null;
          rate_limit?: number | null;
        };
        const access = accessOf(request);
        const source = await sources.createSource(callerOf(request), access, {
          name: body.name,
          appId: body.app_id,
          platforms: platformsFromBody(body.platforms),
          timeZone: body.time_zone,
          rateLimit: body.rate_limit,
        });
        return reply.code(201).send({
          ...sourceJson(source, await projectZone(access.scope.projectId)),
          integration: sources.integration(source, publicBaseUrl(request, deps.config)),
        });
      },
    );

    app.get(
      '/api/v1/projects/:projectId/sources/:sourceId',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['sources'],
          summary: 'A data source with masked credentials and integration prompts',
          params: sourceParams,
          response: { 200: sourceWithIntegration },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { sourceId } = request.params as { sourceId: string };
        const source = await sources.getSource(access, sourceId);
        return {
          ...sourceJson(source, await projectZone(access.scope.projectId)),
          integration: sources.integration(source, publicBaseUrl(request, deps.config)),
        };
      },
    );

    app.patch(
      '/api/v1/projects/:projectId/sources/:sourceId',
      {
        config: { scope: { kind: 'member', permission: 'source.manage' } },
        schema: {
          tags: ['sources'],
          summary: 'Edit a data source (the master secret is rotated, never edited)',
          params: sourceParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 50 },
              platforms: { type: 'array', minItems: 1, maxItems: 7, items: platformSchema },
              time_zone: { type: ['string', 'null'], maxLength: 64 },
              rate_limit: { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 },
              master_secret: { type: ['string', 'null'], maxLength: 200 },
            },
          },
          response: { 200: sourceSchema },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { sourceId } = request.params as { sourceId: string };
        const body = request.body as {
          name?: string;
          platforms?: { platform: PlatformName; origins?: string[]; require_secret?: boolean }[];
          time_zone?: string | null;
          rate_limit?: number | null;
          master_secret?: string | null;
        };
        const source = await sources.updateSource(callerOf(request), access, sourceId, {
          name: body.name,
          platforms: body.platforms && platformsFromBody(body.platforms),
          timeZone: body.time_zone,
          rateLimit: body.rate_limit,
          masterSecret: body.master_secret,
        });
        return sourceJson(source, await projectZone(access.scope.projectId));
      },
    );

    for (const [action, summary] of [
      ['disable', 'Disable: every request with its key is refused with 403 and nothing is stored'],
      ['enable', 'Enable a disabled data source'],
    ] as const) {
      app.post(
        `/api/v1/projects/:projectId/sources/:sourceId/${action}`,
        {
          config: { scope: { kind: 'member', permission: 'source.manage' } },
          schema: { tags: ['sources'], summary, params: sourceParams, response: noContent },
        },
        async (request, reply) => {
          const { sourceId } = request.params as { sourceId: string };
          const run = action === 'disable' ? sources.disableSource : sources.enableSource;
          await run.call(sources, callerOf(request), accessOf(request), sourceId);
          return reply.code(204).send();
        },
      );
    }

    app.delete(
      '/api/v1/projects/:projectId/sources/:sourceId',
      {
        config: { scope: { kind: 'member', permission: 'source.manage' } },
        schema: {
          tags: ['sources'],
          summary: 'Delete: its key answers 401 like an unknown key; stored events remain',
          params: sourceParams,
          response: noContent,
        },
      },
      async (request, reply) => {
        const { sourceId } = request.params as { sourceId: string };
        await sources.deleteSource(callerOf(request), accessOf(request), sourceId);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/projects/:projectId/sources/:sourceId/reveal-secret',
      {
        // Any member may ask; the handler checks source.secret.reveal so a refusal is audited too.
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['sources'],
          summary: 'Reveal the master secret (audited)',
          params: sourceParams,
          response: secretAnswer,
        },
      },
      async (request) => {
        const { sourceId } = request.params as { sourceId: string };
        return { master_secret: await sources.revealSecret(callerOf(request), accessOf(request), sourceId) };
      },
    );

    app.post(
      '/api/v1/projects/:projectId/sources/:sourceId/rotate-secret',
      {
        config: { scope: { kind: 'member', permission: 'source.manage' } },
        schema: {
          tags: ['sources'],
          summary: 'Rotate the master secret: the old one is refused at once; the new one is shown once',
          params: sourceParams,
          response: secretAnswer,
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { sourceId } = request.params as { sourceId: string };
        const secret = await sources.rotateSecret(callerOf(request), access, sourceId);
        return { master_secret: access.permissions.has('source.secret.reveal') ? secret : '********' };
      },
    );
  };
}

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ConsentEntry } from '../../campaigns/consent-model.ts';
import type { ConsentTarget } from '../../campaigns/consent-service.ts';
import type { DeliveryRules } from '../../campaigns/delivery-rules.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime as iso, noContent, pathParams as params, projectParams } from '../route-params.ts';

const entrySchema = {
  type: 'object',
  required: ['id', 'id_type', 'value', 'reason', 'source', 'created_at'],
  properties: {
    id: { type: 'string' },
    channel_id: { type: ['string', 'null'] },
    id_type: { type: 'string', description: '`$tp_uid` when the entry names a profile itself' },
    value: { type: 'string' },
    reason: { type: ['string', 'null'] },
    source: { type: 'string', enum: ['api', 'console', 'event'] },
    created_by: { type: ['string', 'null'] },
    created_at: { type: 'string' },
  },
} as const;

const addBody = {
  type: 'object',
  additionalProperties: false,
  description: 'An ID value (`id_type` and `value`) or a profile (`tp_uid`)',
  oneOf: [{ required: ['id_type', 'value'] }, { required: ['tp_uid'] }],
  properties: {
    id_type: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[^$]' },
    value: { type: 'string', minLength: 1, maxLength: 255 },
    tp_uid: { type: 'string', minLength: 1, maxLength: 64 },
    reason: { type: ['string', 'null'], maxLength: 500 },
    source: { type: 'string', enum: ['api', 'console'], default: 'api' },
  },
} as const;

const entryJson = (e: ConsentEntry) => ({
  id: e.id,
  channel_id: e.channelId,
  id_type: e.idType,
  value: e.value,
  reason: e.reason,
  source: e.source,
  created_by: e.createdBy,
  created_at: iso(e.createdAt),
});

interface AddBody {
  id_type?: string;
  value?: string;
  tp_uid?: string;
  reason?: string | null;
  source: 'api' | 'console';
}

const targetOf = (b: AddBody): ConsentTarget =>
  b.tp_uid !== undefined ? { tpUid: b.tp_uid } : { idType: b.id_type as string, value: b.value as string };

const read = { scope: { kind: 'member', permission: null } } as const;
const manage = { scope: { kind: 'member', permission: 'audience.manage' } } as const;

/**
 * The user's say (SPEC §5): the project's suppression list and each channel's unsubscribes.
 * Every send path honors them through the send gate.
 */
export function consentRoutes(deps: AppDeps): FastifyPluginAsync {
  const { consent, cursors } = deps;
  const lists = [
    {
      base: '/api/v1/projects/:projectId/suppressions',
      what: 'suppression',
      summary: 'the project-wide suppression list (no message at all)',
      channel: (_r: FastifyRequest) => null,
      params: projectParams,
      itemParams: params('suppressionId'),
      itemId: (r: FastifyRequest) => (r.params as { suppressionId: string }).suppressionId,
      item: ':suppressionId',
    },
    {
      base: '/api/v1/projects/:projectId/channels/:channelId/unsubscribes',
      what: 'unsubscribe',
      summary: "the channel's unsubscribes (no message on this channel)",
      channel: (r: FastifyRequest) => (r.params as { channelId: string }).channelId,
      params: params('channelId'),
      itemParams: params('channelId', 'unsubscribeId'),
      itemId: (r: FastifyRequest) => (r.params as { unsubscribeId: string }).unsubscribeId,
      item: ':unsubscribeId',
    },
  ] as const;
  const rulesSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['frequency_cap', 'quiet_hours'],
    properties: {
      frequency_cap: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['count', 'period_hours'],
        description: 'At most `count` messages per user per `period_hours`, on all channels or per channel',
        properties: {
          count: { type: 'integer', minimum: 1, maximum: 1000 },
          period_hours: { type: 'integer', minimum: 1, maximum: 8760 },
          per_channel: { type: 'boolean', default: false },
        },
      },
      quiet_hours: {
        type: ['object', 'null'],
        additionalProperties: false,
        required: ['start', 'end'],
        description:
          "A local-time window (HH:MM, end exclusive, may wrap midnight) in the user's time zone when a profile property names one, else the project's",
        properties: {
          start: { type: 'string', minLength: 5, maxLength: 5 },
          end: { type: 'string', minLength: 5, maxLength: 5 },
        },
      },
    },
  } as const;
  type RulesJson = {
    frequency_cap: { count: number; period_hours: number; per_channel?: boolean } | null;
    quiet_hours: { start: string; end: string } | null;
  };
  const rulesJson = (r: DeliveryRules): RulesJson => ({
    frequency_cap: r.frequencyCap
      ? {
          count: r.frequencyCap.count,
          period_hours: r.frequencyCap.periodHours,
          per_channel: r.frequencyCap.perChannel,
        }
      : null,
    quiet_hours: r.quietHours,
  });
  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/delivery-rules',
      {
        config: read,
        schema: {
          tags: ['consent'],
          summary: "The project's frequency cap and quiet hours, applied to every send",
          params: projectParams,
          response: { 200: rulesSchema },
        },
      },
      async (request) => rulesJson(await consent.rules(accessOf(request))),
    );
    app.put(
      '/api/v1/projects/:projectId/delivery-rules',
      {
        config: { scope: { kind: 'member', permission: 'project.manage' } },
        schema: {
          tags: ['consent'],
          summary: "Set the project's frequency cap and quiet hours (project.manage); null turns one off",
          params: projectParams,
          body: rulesSchema,
          response: { 200: rulesSchema },
        },
      },
      async (request) => {
        const body = request.body as RulesJson;
        return rulesJson(
          await consent.setRules(callerOf(request), accessOf(request), {
            frequencyCap: body.frequency_cap
              ? {
                  count: body.frequency_cap.count,
                  periodHours: body.frequency_cap.period_hours,
                  perChannel: body.frequency_cap.per_channel ?? false,
                }
              : null,
            quietHours: body.quiet_hours,
          }),
        );
      },
    );
    for (const l of lists) {
      app.get(
        l.base,
        {
          config: read,
          schema: {
            tags: ['consent'],
            summary: `List ${l.summary}, newest first; id_type and value find one entry`,
            params: l.params,
            querystring: {
              type: 'object',
              additionalProperties: false,
              properties: {
                ...pageQuerySchema,
                id_type: { type: 'string', minLength: 1, maxLength: 64 },
                value: { type: 'string', minLength: 1, maxLength: 255 },
              },
            },
            response: { 200: pageSchema(entrySchema) },
          },
        },
        async (request) => {
          const access = accessOf(request);
          const channelId = l.channel(request);
          const query = request.query as {
            limit?: number;
            cursor?: string;
            id_type?: string;
            value?: string;
          };
          const page = readPage(
            cursors,
            `${l.what}:${access.scope.projectId}:${channelId ?? ''}:${query.id_type ?? ''}:${query.value ?? ''}`,
            query,
          );
          const rows = await consent.list(
            access,
            channelId,
            {
              ...(query.id_type !== undefined ? { idType: query.id_type } : {}),
              ...(query.value !== undefined ? { value: query.value } : {}),
            },
            page.request,
          );
          return page.respond(rows, (e) => [e.createdAt, e.id], entryJson);
        },
      );
      app.post(
        l.base,
        {
          config: manage,
          schema: {
            tags: ['consent'],
            summary: `Add to ${l.summary} (audience.manage); 201 when added, 200 when already listed`,
            params: l.params,
            body: addBody,
            response: { 200: entrySchema, 201: entrySchema },
          },
        },
        async (request, reply) => {
          const body = request.body as AddBody;
          const { entry, created } = await consent.add(
            callerOf(request),
            accessOf(request),
            l.channel(request),
            targetOf(body),
            body.reason ?? null,
            body.source,
          );
          return reply.code(created ? 201 : 200).send(entryJson(entry));
        },
      );
      app.delete(
        `${l.base}/${l.item}`,
        {
          config: manage,
          schema: {
            tags: ['consent'],
            summary: `Remove an entry of ${l.summary} (audience.manage)`,
            params: l.itemParams,
            response: noContent,
          },
        },
        async (request, reply) => {
          await consent.remove(callerOf(request), accessOf(request), l.channel(request), l.itemId(request));
          return reply.code(204).send();
        },
      );
    }
  };
}

import type { FastifyPluginAsync } from 'fastify';
import type { Profile } from '../../profiles/model.ts';
import {
  MAX_ERASURE_TARGETS,
  type ErasureResult,
  type ErasureTarget,
} from '../../profiles/erasure-service.ts';
import type { ProfileEvent } from '../../store/repositories/profiles-repository.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime, pathParams, projectParams } from '../route-params.ts';

const iso = isoTime;
const anyObject = { type: 'object', additionalProperties: true } as const;
const profileParams = pathParams('tpUid');

const idSettingsSchema = {
  type: 'object',
  properties: {
    account_id_is_user_id: { type: 'boolean' },
    builtin: { type: 'array', items: { type: 'string' } },
    id_types: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, unique: { type: 'boolean' } } },
    },
  },
} as const;

const profileSchema = {
  type: 'object',
  required: ['tp_uid', 'identities', 'properties'],
  properties: {
    tp_uid: { type: 'string' },
    identities: {
      type: 'array',
      items: { type: 'object', properties: { type: { type: 'string' }, value: { type: 'string' } } },
    },
    properties: anyObject,
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    last_event_at: { type: ['string', 'null'] },
    event_count: { type: 'integer' },
  },
} as const;
const profileJson = (p: Profile) => ({
  tp_uid: p.tpUid,
  identities: p.identities,
  properties: p.properties,
  created_at: iso(p.createdAt),
  updated_at: iso(p.updatedAt),
  last_event_at: iso(p.lastEventAt),
  event_count: p.eventCount,
});

const eventSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    source_id: { type: 'string' },
    message_id: { type: 'string' },
    type: { type: 'string' },
    event_name: { type: ['string', 'null'] },
    user_id: { type: ['string', 'null'] },
    anonymous_id: { type: ['string', 'null'] },
    account_id: { type: ['string', 'null'] },
    distinct_id: { type: ['string', 'null'] },
    properties: anyObject,
    traits: anyObject,
    ops_request_id: { type: ['string', 'null'] },
    event_time: { type: 'string' },
    received_at: { type: 'string' },
  },
} as const;
const eventJson = (e: ProfileEvent) => ({
  id: e.id,
  source_id: e.sourceId,
  message_id: e.messageId,
  type: e.type,
  event_name: e.eventName,
  user_id: e.userId,
  anonymous_id: e.anonymousId,
  account_id: e.accountId,
  distinct_id: e.distinctId,
  properties: e.properties,
  traits: e.traits,
  ops_request_id: e.opsRequestId,
  event_time: iso(e.eventTime),
  received_at: iso(e.receivedAt),
});

const erasureCounts = {
  profiles: { type: 'integer', description: 'Profiles deleted (the profile and those merged into it)' },
  identities: { type: 'integer' },
  events: { type: 'integer', description: 'Applied events deleted' },
  verify_entries: { type: 'integer', description: 'Verify buffer entries naming the user deleted' },
  consent_entries: {
    type: 'integer',
    description: 'Suppressions and unsubscribes naming the user deleted',
  },
  messages_cancelled: { type: 'integer', description: 'Queued or held messages now failed, reason erased' },
  messages_stripped: {
    type: 'integer',
    description: 'Messages stripped of push ID, tp_uid, rendered values and last error',
  },
  attempts_stripped: { type: 'integer' },
  blocked_identities: {
    type: 'integer',
    description: 'Identities whose older events are dropped for TOUCHPOINT_ERASURE_BLOCK_DAYS',
  },
} as const;
const erasureJson = (r: ErasureResult) => ({
  status: r.status,
  profiles: r.profiles,
  identities: r.identities,
  events: r.events,
  verify_entries: r.verifyEntries,
  consent_entries: r.consentEntries,
  messages_cancelled: r.messagesCancelled,
  messages_stripped: r.messagesStripped,
  attempts_stripped: r.attemptsStripped,
  blocked_identities: r.blockedIdentities,
});

/** Identity settings, the profile explorer and event management. */
export function profileRoutes(deps: AppDeps): FastifyPluginAsync {
  const { profiles, erasure, cursors } = deps;
  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/id-types',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['profiles'],
          summary: 'ID types: built-in and declared',
          params: projectParams,
          response: { 200: idSettingsSchema },
        },
      },
      async (request) => {
        const settings = await profiles.identitySettings(accessOf(request));
        return {
          account_id_is_user_id: settings.accountIdIsUserId,
          builtin: ['user_id', 'anonymous_id', 'account_id', 'distinct_id', 'phone', 'email', 'openid'],
          id_types: settings.declared,
        };
      },
    );

    app.put(
      '/api/v1/projects/:projectId/id-types',
      {
        config: { scope: { kind: 'member', permission: 'project.manage' } },
        schema: {
          tags: ['profiles'],
          summary: 'Declare ID types (e.g. role_id) and mark them unique; switch account_id ≡ user_id',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              account_id_is_user_id: { type: 'boolean' },
              id_types: {
                type: 'array',
                maxItems: 50,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name'],
                  properties: {
                    name: { type: 'string', maxLength: 64 },
                    unique: { type: 'boolean', default: false },
                  },
                },
              },
            },
          },
          response: { 200: idSettingsSchema },
        },
      },
      async (request) => {
        const body = request.body as {
          account_id_is_user_id?: boolean;
          id_types?: { name: string; unique: boolean }[];
        };
        const settings = await profiles.updateIdentitySettings(callerOf(request), accessOf(request), {
          accountIdIsUserId: body.account_id_is_user_id,
          idTypes: body.id_types,
        });
        return {
          account_id_is_user_id: settings.accountIdIsUserId,
          builtin: ['user_id', 'anonymous_id', 'account_id', 'distinct_id', 'phone', 'email', 'openid'],
          id_types: settings.declared,
        };
      },
    );

    app.get(
      '/api/v1/projects/:projectId/profiles',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['profiles'],
          summary: 'Find a profile by any identity (?id_type=&value=), or list profiles',
          params: projectParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              id_type: { type: 'string', maxLength: 64 },
              value: { type: 'string', maxLength: 255 },
            },
          },
          response: { 200: pageSchema(profileSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const query = request.query as { limit?: number; cursor?: string; id_type?: string; value?: string };
        if (query.id_type !== undefined && query.value !== undefined) {
          const found = await profiles.findByIdentity(access.scope, query.id_type, query.value);
          const profile = found ? await profiles.get(access, found.tpUid) : undefined;
          return { items: profile ? [profileJson(profile)] : [], next_cursor: null };
        }
        const page = readPage(cursors, `profiles:${access.scope.projectId}`, query);
        const rows = await profiles.list(access, page.request);
        return page.respond(rows, (p) => [p.tpUid], profileJson);
      },
    );

    app.get(
      '/api/v1/projects/:projectId/profile-lag',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['profiles'],
          summary: 'How far profiles lag behind the events received (the console warns beyond 5 s)',
          params: projectParams,
          response: {
            200: {
              type: 'object',
              required: ['backlog_events', 'lag_seconds'],
              properties: {
                backlog_events: { type: 'integer', description: 'Events received but not applied yet' },
                lag_seconds: {
                  type: 'number',
                  description: 'Age of the oldest event not applied yet (0: profiles are up to date)',
                },
              },
            },
          },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const backlog = await profiles.applier.backlog(access.scope.projectId);
        return { backlog_events: backlog.events, lag_seconds: Math.round(backlog.seconds * 10) / 10 };
      },
    );

    app.get(
      '/api/v1/projects/:projectId/profiles/:tpUid',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['profiles'],
          summary: 'A profile: identities and properties',
          params: profileParams,
          response: { 200: profileSchema },
        },
      },
      async (request) =>
        profileJson(await profiles.get(accessOf(request), (request.params as { tpUid: string }).tpUid)),
    );

    app.get(
      '/api/v1/projects/:projectId/profiles/:tpUid/events',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['profiles'],
          summary: "A profile's event timeline, newest first",
          params: profileParams,
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(eventSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { tpUid } = request.params as { tpUid: string };
        const page = readPage(
          cursors,
          `profile-events:${access.scope.projectId}:${tpUid}`,
          request.query as { limit?: number },
        );
        const rows = await profiles.events(access, tpUid, page.request);
        return page.respond(rows, (e) => [e.eventTime, e.id], eventJson);
      },
    );

    app.delete(
      '/api/v1/projects/:projectId/profiles/:tpUid',
      {
        config: { scope: { kind: 'member', permission: 'project.manage' } },
        schema: {
          tags: ['profiles'],
          summary:
            'Erase a user: profile, identities, events, verify entries; cancel and strip their messages',
          description:
            'Deletes the profile (a merged-away tp_uid names the profile it joined) and every profile merged into it, with their identities, applied events and the verify entries that name them; cancels their queued and held messages and strips every message of theirs of push ID, tp_uid and rendered values (states and counts stay); blocks their identities from re-creating a profile from older events for TOUCHPOINT_ERASURE_BLOCK_DAYS. One transaction. The audit log records counts only.',
          params: profileParams,
          response: {
            200: {
              type: 'object',
              required: ['status', ...Object.keys(erasureCounts)],
              properties: { status: { type: 'string', enum: ['erased'] }, ...erasureCounts },
            },
          },
        },
      },
      async (request) =>
        erasureJson(
          await erasure.erase(callerOf(request), accessOf(request), {
            tpUid: (request.params as { tpUid: string }).tpUid,
          }),
        ),
    );

    app.post(
      '/api/v1/projects/:projectId/profiles/erase',
      {
        config: { scope: { kind: 'member', permission: 'project.manage' } },
        schema: {
          tags: ['profiles'],
          summary: 'Erase users in bulk: up to 1,000 tp_uids or identities, one result per item',
          description:
            'Each item is erased as by DELETE …/profiles/{tpUid}, in its own transaction, in order. An item is `{ "tp_uid": … }` or `{ "id_type": …, "value": … }`. `not_found`: no profile holds it; an identity is still blocked, so its events waiting for the profile applier are dropped.',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                minItems: 1,
                maxItems: MAX_ERASURE_TARGETS,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    tp_uid: { type: 'string', minLength: 1, maxLength: 255 },
                    id_type: { type: 'string', minLength: 1, maxLength: 64 },
                    value: { type: 'string', minLength: 1, maxLength: 255 },
                  },
                  oneOf: [{ required: ['tp_uid'] }, { required: ['id_type', 'value'] }],
                },
              },
            },
          },
          response: {
            200: {
              type: 'object',
              required: ['results'],
              properties: {
                results: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['index', 'status', ...Object.keys(erasureCounts)],
                    properties: {
                      index: { type: 'integer', description: "The item's position in `items` (0-based)" },
                      status: { type: 'string', enum: ['erased', 'not_found'] },
                      ...erasureCounts,
                    },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => {
        const { items } = request.body as { items: { tp_uid?: string; id_type?: string; value?: string }[] };
        const targets: ErasureTarget[] = items.map((i) =>
          i.tp_uid !== undefined
            ? { tpUid: i.tp_uid }
            : { idType: i.id_type as string, value: i.value as string },
        );
        const results = await erasure.eraseMany(callerOf(request), accessOf(request), targets);
        return { results: results.map((r, index) => ({ index, ...erasureJson(r) })) };
      },
    );

    app.post(
      '/api/v1/projects/:projectId/profiles/rebuild',
      {
        config: { scope: { kind: 'member', permission: 'project.manage' } },
        schema: {
          tags: ['profiles'],
          summary: 'Rebuild every profile from the event store',
          params: projectParams,
          response: { 200: { type: 'object', properties: { events_applied: { type: 'integer' } } } },
        },
      },
      async (request) => ({ events_applied: await profiles.rebuild(callerOf(request), accessOf(request)) }),
    );

    app.get(
      '/api/v1/projects/:projectId/events',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['events'],
          summary: 'Event management: event names, volumes, property names and observed types',
          params: projectParams,
          response: {
            200: {
              type: 'object',
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      name: { type: 'string' },
                      event_count: { type: 'integer' },
                      first_seen: { type: ['string', 'null'] },
                      last_seen: { type: ['string', 'null'] },
                      declared: { type: 'boolean' },
                      description: { type: ['string', 'null'] },
                      properties: {
                        type: 'array',
                        items: {
                          type: 'object',
                          properties: {
                            name: { type: 'string' },
                            types: { type: 'array', items: { type: 'string' } },
                            first_seen: { type: 'string' },
                            last_seen: { type: 'string' },
                          },
                        },
                      },
                    },
                  },
                },
                next_cursor: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
      async (request) => ({
        items: (await profiles.eventDefinitions(accessOf(request))).map((d) => ({
          name: d.name,
          event_count: d.eventCount,
          first_seen: iso(d.firstSeen),
          last_seen: iso(d.lastSeen),
          declared: d.declared,
          description: d.description,
          properties: d.properties.map((p) => ({
            name: p.name,
            types: p.types,
            first_seen: iso(p.firstSeen),
            last_seen: iso(p.lastSeen),
          })),
        })),
        next_cursor: null,
      }),
    );

    app.post(
      '/api/v1/projects/:projectId/events',
      {
        config: { scope: { kind: 'member', permission: 'source.manage' } },
        schema: {
          tags: ['events'],
          summary: 'Declare a meta event (e.g. a receipt event such as ops_push_open)',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 255 },
              description: { type: ['string', 'null'], maxLength: 500 },
            },
          },
          response: { 204: { type: 'null' } },
        },
      },
      async (request, reply) => {
        const body = request.body as { name: string; description?: string | null };
        await profiles.declareMetaEvent(
          callerOf(request),
          accessOf(request),
          body.name,
          body.description ?? null,
        );
        return reply.code(204).send();
      },
    );
  };
}

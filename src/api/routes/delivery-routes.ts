import type { FastifyPluginAsync } from 'fastify';
import type { VariableJson } from '../../channels/variables.ts';
import { messageStates } from '../../delivery/plan-outcomes.ts';
import type { MessageSearch } from '../../delivery/message-service.ts';
import type { ChannelHealth, MessageAttempt, MessageState, StoredMessage } from '../../delivery/model.ts';
import { TouchpointError } from '../../errors.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime as iso, pathParams as params, projectParams } from '../route-params.ts';
import { variablesSchema } from '../serializers/channel-json.ts';
import { channelUserOf as userOf } from './channel-routes.ts';

const countsSchema = {
  type: 'object',
  required: [...messageStates],
  properties: Object.fromEntries(messageStates.map((s) => [s, { type: 'integer' }])),
} as const;

const sendAnswerSchema = {
  type: 'object',
  required: ['send_id', 'queued', 'skipped'],
  properties: {
    send_id: { type: 'string' },
    queued: { type: 'integer' },
    skipped: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'reason'],
        properties: { index: { type: 'integer' }, reason: { type: 'string' } },
      },
    },
  },
} as const;

const messageSchema = {
  type: 'object',
  required: ['ops_request_id', 'channel_id', 'push_id', 'state', 'attempts', 'created_at'],
  properties: {
    ops_request_id: { type: 'string' },
    channel_id: { type: 'string' },
    push_id: { type: 'string' },
    tp_uid: { type: ['string', 'null'] },
    workspace_id: { type: ['string', 'null'] },
    send_id: { type: ['string', 'null'] },
    campaign_id: { type: ['string', 'null'] },
    state: { type: 'string', enum: messageStates },
    attempts: { type: 'integer' },
    next_attempt_at: { type: ['string', 'null'] },
    last_reason: { type: ['string', 'null'] },
    last_error: { type: ['string', 'null'] },
    held_reason: { type: ['string', 'null'] },
    manual_replay: { type: 'boolean' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    finished_at: { type: ['string', 'null'] },
  },
} as const;

const wireValue = { type: ['string', 'null', 'array'] } as const;

const messageDetailSchema = {
  type: 'object',
  required: ['message', 'attempts', 'receipts'],
  properties: {
    receipts: {
      type: 'array',
      description:
        'Receipts reported through ingest for this message (one per step, the first one counts): events whose #ops_receipt_properties.ops_request_id names it',
      items: {
        type: 'object',
        required: ['step', 'event_time'],
        properties: { step: { type: 'string' }, event_time: { type: 'string' } },
      },
    },
    message: {
      type: 'object',
      properties: {
        ...messageSchema.properties,
        params: { type: 'object', additionalProperties: wireValue },
        custom_params: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
        receipt: {
          type: 'object',
          properties: {
            ops_request_id: { type: 'string' },
            ops_task_id: { type: 'string' },
            ops_task_instance_id: { type: 'string' },
            ops_project_id: { type: 'integer' },
          },
        },
      },
    },
    attempts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          attempt: { type: 'integer' },
          batch_id: { type: 'string' },
          at: { type: 'string' },
          latency_ms: { type: 'integer' },
          status: { type: ['integer', 'null'] },
          result: { type: 'string' },
          outcome: { type: 'string' },
          reason: { type: ['string', 'null'] },
          detail: { type: ['string', 'null'] },
          response_excerpt: { type: ['string', 'null'] },
          manual_replay: { type: 'boolean' },
          late: { type: 'boolean' },
        },
      },
    },
  },
} as const;

const healthSchema = {
  type: 'object',
  required: ['channel_id', 'state'],
  properties: {
    channel_id: { type: 'string' },
    state: { type: 'string', enum: ['healthy', 'unhealthy'] },
    reason: { type: ['string', 'null'] },
    since: { type: ['string', 'null'] },
    last_success_at: { type: ['string', 'null'] },
    failed_requests: { type: 'integer' },
    held: { type: 'integer' },
  },
} as const;

const messageJson = (m: StoredMessage) => ({
  ops_request_id: m.opsRequestId,
  channel_id: m.channelId,
  push_id: m.pushId,
  tp_uid: m.tpUid,
  workspace_id: m.workspaceId,
  send_id: m.sendId,
  campaign_id: m.campaignId,
  state: m.state,
  attempts: m.attempts,
  next_attempt_at: m.state === 'queued' ? iso(m.nextAttemptAt) : null,
  last_reason: m.lastReason,
  last_error: m.lastError,
  held_reason: m.heldReason,
  manual_replay: m.manualReplay,
  created_at: iso(m.createdAt),
  updated_at: iso(m.updatedAt),
  finished_at: iso(m.finishedAt),
});

const attemptJson = (a: MessageAttempt) => ({
  attempt: a.attempt,
  batch_id: a.batchId,
  at: iso(a.startedAt),
  latency_ms: Math.round(a.latencyMs),
  status: a.status,
  result: a.result,
  outcome: a.outcome,
  reason: a.reason,
  detail: a.detail,
  response_excerpt: a.responseExcerpt,
  manual_replay: a.manualReplay,
  late: a.late,
});

const healthJson = (h: ChannelHealth, held: number) => ({
  channel_id: h.channelId,
  state: h.state,
  reason: h.reason,
  since: iso(h.since),
  last_success_at: iso(h.lastSuccessAt),
  failed_requests: h.failedRequests,
  held,
});

const messageQuery = {
  channel_id: { type: 'string', maxLength: 64 },
  state: { type: 'string', enum: messageStates },
  ops_request_id: { type: 'string', maxLength: 64 },
  push_id: { type: 'string', maxLength: 512 },
  profile: { type: 'string', maxLength: 64, description: 'tp_uid' },
  id_type: {
    type: 'string',
    minLength: 1,
    maxLength: 64,
    description:
      'with id_value: the profile holding this identity (any ID type, or tp_uid); none → no messages',
  },
  id_value: { type: 'string', minLength: 1, maxLength: 512 },
  send_id: { type: 'string', maxLength: 64 },
  campaign_id: { type: 'string', maxLength: 64 },
  since: { type: 'string', format: 'date-time' },
  until: { type: 'string', format: 'date-time' },
  finished_since: {
    type: 'string',
    format: 'date-time',
    description: 'finished at or after this time (what replay by channel and since selects)',
  },
} as const;

type MessageQuery = Partial<Record<keyof typeof messageQuery, string>> & { limit?: number; cursor?: string };

function filterOf(q: MessageQuery): MessageSearch {
  if ((q.id_type === undefined) !== (q.id_value === undefined)) {
    const missing = q.id_type === undefined ? 'id_type' : 'id_value';
    throw new TouchpointError(
      'TP_ERR_VALIDATION',
      {
        issues: [
          {
            in: 'querystring',
            path: `/${missing}`,
            rule: 'required',
            message: 'id_type and id_value go together',
          },
        ],
      },
      {
        message: `querystring/${missing} is required with ${missing === 'id_type' ? 'id_value' : 'id_type'}`,
      },
    );
  }
  return {
    ...(q.id_type !== undefined && q.id_value !== undefined
      ? { identity: { type: q.id_type, value: q.id_value } }
      : {}),
    ...(q.channel_id !== undefined ? { channelId: q.channel_id } : {}),
    ...(q.state !== undefined ? { state: q.state as MessageState } : {}),
    ...(q.ops_request_id !== undefined ? { opsRequestId: q.ops_request_id } : {}),
    ...(q.push_id !== undefined ? { pushId: q.push_id } : {}),
    ...(q.profile !== undefined ? { tpUid: q.profile } : {}),
    ...(q.send_id !== undefined ? { sendId: q.send_id } : {}),
    ...(q.campaign_id !== undefined ? { campaignId: q.campaign_id } : {}),
    ...(q.since !== undefined ? { since: Date.parse(q.since) } : {}),
    ...(q.until !== undefined ? { until: Date.parse(q.until) } : {}),
    ...(q.finished_since !== undefined ? { finishedSince: Date.parse(q.finished_since) } : {}),
  };
}

/**
 * Delivery (SPEC §4.1, §4.2): the send API, the messages API with attempts, replay, and channel
 * health with Resume.
 */
export function deliveryRoutes(deps: AppDeps): FastifyPluginAsync {
  const { sends, messages, cursors } = deps;
  return async (app) => {
    app.post(
      '/api/v1/projects/:projectId/workspaces/:workspaceId/sends',
      {
        config: { scope: { kind: 'member', permission: 'campaign.operate', workspace: true } },
        schema: {
          tags: ['delivery'],
          summary:
            'Send API (SPEC §4.1): render the channel template for 1–10,000 recipients and queue their messages; skipped recipients are listed with reasons',
          params: params('workspaceId'),
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['channel_id', 'recipients'],
            properties: {
              channel_id: { type: 'string', minLength: 1, maxLength: 64 },
              template_values: { type: 'object', maxProperties: 200, default: {} },
              variables: variablesSchema,
              recipients: {
                type: 'array',
                minItems: 1,
                maxItems: 10000,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id_type', 'id'],
                  properties: {
                    id_type: { type: 'string', minLength: 1, maxLength: 64 },
                    id: { type: 'string', minLength: 1, maxLength: 512 },
                    values: { type: 'object', maxProperties: 200 },
                  },
                },
              },
              idempotency_key: { type: 'string', minLength: 1, maxLength: 255 },
            },
          },
          response: { 202: sendAnswerSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = request.params as { workspaceId: string };
        const body = request.body as {
          channel_id: string;
          template_values: Record<string, unknown>;
          variables: VariableJson[];
          recipients: { id_type: string; id: string; values?: Record<string, unknown> }[];
          idempotency_key?: string;
        };
        const answer = await sends.send(userOf(request), workspaceId, {
          channelId: body.channel_id,
          templateValues: body.template_values,
          variables: body.variables,
          recipients: body.recipients.map((r) => ({
            idType: r.id_type,
            id: r.id,
            ...(r.values !== undefined ? { values: r.values } : {}),
          })),
          ...(body.idempotency_key !== undefined ? { idempotencyKey: body.idempotency_key } : {}),
        });
        return reply
          .code(202)
          .send({ send_id: answer.sendId, queued: answer.queued, skipped: answer.skipped });
      },
    );

    app.get(
      '/api/v1/projects/:projectId/workspaces/:workspaceId/sends/:sendId',
      {
        config: { scope: { kind: 'member', permission: null, workspace: true } },
        schema: {
          tags: ['delivery'],
          summary: 'A send with its messages counted by state',
          params: params('workspaceId', 'sendId'),
          response: {
            200: {
              type: 'object',
              properties: {
                ...sendAnswerSchema.properties,
                channel_id: { type: 'string' },
                created_at: { type: 'string' },
                counts: countsSchema,
              },
            },
          },
        },
      },
      async (request) => {
        const { workspaceId, sendId } = request.params as { workspaceId: string; sendId: string };
        const { send, counts } = await sends.get(accessOf(request), workspaceId, sendId);
        return {
          send_id: send.id,
          channel_id: send.channelId,
          queued: send.queued,
          skipped: send.skipped,
          created_at: iso(send.createdAt),
          counts,
        };
      },
    );

    app.get(
      '/api/v1/projects/:projectId/messages',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['delivery'],
          summary:
            'Messages, newest first, filtered; members who are not project admins see their workspaces’',
          params: projectParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...pageQuerySchema, ...messageQuery },
          },
          response: { 200: pageSchema(messageSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const query = request.query as MessageQuery;
        const filter = filterOf(query);
        const page = readPage(cursors, `messages:${access.scope.projectId}:${JSON.stringify(filter)}`, query);
        const rows = await messages.list(access, filter, page.request);
        return page.respond(rows, (m) => [m.createdAt, m.id], messageJson);
      },
    );

    app.get(
      '/api/v1/projects/:projectId/messages-counts',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['delivery'],
          summary: 'Messages counted by state for the same filters as the list',
          params: projectParams,
          querystring: { type: 'object', additionalProperties: false, properties: messageQuery },
          response: { 200: countsSchema },
        },
      },
      async (request) => messages.counts(accessOf(request), filterOf(request.query as MessageQuery)),
    );

    app.get(
      '/api/v1/projects/:projectId/messages/:opsRequestId',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['delivery'],
          summary: 'One message as sent, with every attempt',
          params: params('opsRequestId'),
          response: { 200: messageDetailSchema },
        },
      },
      async (request) => {
        const { opsRequestId } = request.params as { opsRequestId: string };
        const { message, attempts, receipts } = await messages.get(accessOf(request), opsRequestId);
        return {
          message: {
            ...messageJson(message),
            params: message.params,
            custom_params: message.customParams,
            receipt: {
              ops_request_id: message.opsRequestId,
              ops_task_id: message.taskId,
              ops_task_instance_id: message.taskInstanceId,
              ops_project_id: message.projectId,
            },
          },
          attempts: attempts.map(attemptJson),
          receipts: receipts.map((r) => ({ step: r.step, event_time: iso(r.eventTime) })),
        };
      },
    );

    app.get(
      '/api/v1/projects/:projectId/messages/:opsRequestId/batches/:batchId',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['delivery'],
          summary:
            'The batch (one request) an attempt of this message travelled in: what happened to each message in it. Members who are not project admins get the counts only, since a batch may carry other workspaces’ messages',
          params: params('opsRequestId', 'batchId'),
          response: {
            200: {
              type: 'object',
              required: ['batch_id', 'size', 'outcomes', 'items'],
              properties: {
                batch_id: { type: 'string' },
                size: { type: 'integer' },
                outcomes: { type: 'object', additionalProperties: { type: 'integer' } },
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['ops_request_id', 'outcome'],
                    properties: { ops_request_id: { type: 'string' }, outcome: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
      async (request) => {
        const { opsRequestId, batchId } = request.params as { opsRequestId: string; batchId: string };
        const access = accessOf(request);
        // Only a batch this (visible) message travelled in: the message's visibility is the key.
        const { attempts } = await messages.get(access, opsRequestId);
        if (!attempts.some((a) => a.batchId === batchId))
          throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'batch' });
        const neighbours = await messages.batch(access, batchId);
        const outcomes: Record<string, number> = {};
        for (const n of neighbours) outcomes[n.outcome] = (outcomes[n.outcome] ?? 0) + 1;
        return {
          batch_id: batchId,
          size: neighbours.length,
          outcomes,
          items:
            access.workspaceIds === 'all'
              ? neighbours.map((n) => ({ ops_request_id: n.opsRequestId, outcome: n.outcome }))
              : [],
        };
      },
    );

    app.post(
      '/api/v1/projects/:projectId/messages/replay',
      {
        config: { scope: { kind: 'member', permission: 'delivery.replay' } },
        schema: {
          tags: ['delivery'],
          summary:
            'Replay messages with the same ops_request_id: by ids, or every failed/dead message of a channel since a time (oldest first, each once)',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ops_request_ids: {
                type: 'array',
                minItems: 1,
                maxItems: 1000,
                items: { type: 'string', maxLength: 64 },
              },
              channel_id: { type: 'string', maxLength: 64 },
              since: { type: 'string', format: 'date-time' },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                replayed: { type: 'integer' },
                ops_request_ids: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
      async (request) => {
        const body = request.body as { ops_request_ids?: string[]; channel_id?: string; since?: string };
        const byIds = body.ops_request_ids !== undefined;
        const byChannel = body.channel_id !== undefined && body.since !== undefined;
        if (byIds === byChannel)
          throw new TouchpointError(
            'TP_ERR_VALIDATION',
            {
              issues: [
                {
                  in: 'body',
                  path: '',
                  rule: 'one_of',
                  message: 'send either ops_request_ids, or channel_id and since',
                },
              ],
            },
            { message: 'body: send either ops_request_ids, or channel_id and since' },
          );
        const ids = await messages.replay(
          callerOf(request),
          accessOf(request),
          byIds
            ? { opsRequestIds: body.ops_request_ids as string[] }
            : { channelId: body.channel_id as string, since: Date.parse(body.since as string) },
        );
        return { replayed: ids.length, ops_request_ids: ids };
      },
    );

    app.get(
      '/api/v1/projects/:projectId/channels/:channelId/health',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['delivery'],
          summary: 'Delivery health of a channel (SPEC §4 "Unhealthy") and how many messages it holds',
          params: params('channelId'),
          response: { 200: healthSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        const access = accessOf(request);
        const health = await messages.health(access, channelId);
        const counts = await messages.counts(access, { channelId, state: 'held' });
        return healthJson(health, counts.held);
      },
    );

    app.post(
      '/api/v1/projects/:projectId/channels/:channelId/resume',
      {
        config: { scope: { kind: 'member', permission: 'delivery.replay' } },
        schema: {
          tags: ['delivery'],
          summary:
            'Resume an unhealthy channel: healthy again, its held messages re-queued (spread over a few seconds)',
          params: params('channelId'),
          response: { 200: { type: 'object', properties: { resumed: { type: 'integer' } } } },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        return messages.resume(callerOf(request), accessOf(request), channelId);
      },
    );
  };
}

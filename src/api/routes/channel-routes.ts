import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ChannelEdit, ChannelUser, TestRecipient } from '../../channels/channel-service.ts';
import type { EnumOptionList } from '../../channels/enum-options.ts';
import { enumOptionsContract } from '../../channels/enum-options.ts';
import {
  channelCategories,
  channelKinds,
  webhookDefaults,
  type Channel,
  type ChannelCategory,
  type CustomParam,
  type EnumOption,
  type ReceiptStep,
  type TemplateColumn,
  type TemplateField,
  type WebhookConfig,
} from '../../channels/model.ts';
import { Issues } from '../../channels/webhook/channel-config.ts';
import { channelDrivers } from '../../channels/channel-drivers.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime, pathParams, projectParams } from '../route-params.ts';

const iso = isoTime;
const params = pathParams;
const channelParams = params('channelId');

// ---- JSON in ----------------------------------------------------------------------------------

interface OptionJson {
  code: string;
  name: string;
}
interface ColumnJson {
  key: string;
  label: string;
  type: TemplateColumn['type'];
  required?: boolean;
  options?: OptionJson[];
}
interface FieldJson {
  key: string;
  label: string;
  type: TemplateField['type'];
  prompt?: string | null;
  required?: boolean;
  options?: OptionJson[];
  options_url?: string;
  columns?: ColumnJson[];
}
interface ConfigJson {
  url?: string;
  send_id_type?: string;
  auth?: 'none' | 'token';
  token?: string | null;
  batch_size?: number;
  rate_limit?: number;
  timeout_s?: number;
  compression?: boolean;
  strict_response?: boolean;
  retry_failed_items?: boolean;
  template?: FieldJson[];
  custom_params?: { key: string; property: string; default?: string | null }[];
  receipt_funnel?: { label: string; event: string }[];
  signature_v2?: boolean;
}
interface ChannelBody extends ConfigJson {
  kind?: string;
  name?: string;
  category?: ChannelCategory;
  description?: string | null;
  app_id?: string | null;
}

const fieldFromJson = (f: FieldJson): TemplateField => ({
  key: f.key,
  label: f.label,
  type: f.type,
  prompt: f.prompt ?? null,
  required: f.required ?? true,
  ...(f.options !== undefined ? { options: f.options } : {}),
  ...(f.options_url !== undefined ? { optionsUrl: f.options_url } : {}),
  ...(f.columns !== undefined
    ? {
        columns: f.columns.map((c) => ({
          key: c.key,
          label: c.label,
          type: c.type,
          required: c.required ?? true,
          ...(c.options !== undefined ? { options: c.options } : {}),
        })),
      }
    : {}),
});

/** The settings present in the body, in domain form (absent ones stay absent, for PATCH). */
function configFromJson(b: ConfigJson): Partial<WebhookConfig> {
  const out: Record<string, unknown> = {
    url: b.url,
    sendIdType: b.send_id_type,
    auth: b.auth,
    batchSize: b.batch_size,
    rateLimit: b.rate_limit,
    timeoutS: b.timeout_s,
    compression: b.compression,
    strictResponse: b.strict_response,
    retryFailedItems: b.retry_failed_items,
    template: b.template?.map(fieldFromJson),
    customParams: b.custom_params?.map((p): CustomParam => ({
      key: p.key,
      property: p.property,
      defaultValue: p.default ?? null,
    })),
    receiptFunnel: b.receipt_funnel?.map((s): ReceiptStep => ({ label: s.label, event: s.event })),
    signatureV2: b.signature_v2,
  };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as Partial<WebhookConfig>;
}

// ---- JSON out ---------------------------------------------------------------------------------

const optionSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, name: { type: 'string' } },
} as const;
const fieldOutSchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    label: { type: 'string' },
    type: { type: 'string' },
    prompt: { type: ['string', 'null'] },
    required: { type: 'boolean' },
    options: { type: 'array', items: optionSchema },
    options_url: { type: 'string' },
    columns: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          label: { type: 'string' },
          type: { type: 'string' },
          required: { type: 'boolean' },
          options: { type: 'array', items: optionSchema },
        },
      },
    },
  },
} as const;
const setSchema = {
  type: 'object',
  description: 'Whether the secret is set; secrets are never shown',
  properties: { set: { type: 'boolean' } },
} as const;

export const channelSchema = {
  type: 'object',
  required: ['id', 'kind', 'name', 'status', 'test_status', 'url', 'send_id_type', 'workspace_ids'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: channelKinds },
    name: { type: 'string' },
    category: { type: 'string', enum: channelCategories },
    description: { type: ['string', 'null'] },
    app_id: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['enabled', 'disabled'] },
    test_status: { type: 'string', enum: ['untested', 'tested'] },
    tested_at: { type: ['string', 'null'] },
    url: { type: 'string' },
    send_id_type: { type: 'string' },
    auth: { type: 'string', enum: ['none', 'token'] },
    token: setSchema,
    batch_size: { type: 'integer' },
    rate_limit: { type: 'integer' },
    timeout_s: { type: 'integer' },
    compression: { type: 'boolean' },
    strict_response: { type: 'boolean' },
    retry_failed_items: { type: 'boolean' },
    template: { type: 'array', items: fieldOutSchema },
    custom_params: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          property: { type: 'string' },
          default: { type: ['string', 'null'] },
        },
      },
    },
    receipt_funnel: {
      type: 'array',
      items: { type: 'object', properties: { label: { type: 'string' }, event: { type: 'string' } } },
    },
    signature_v2: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        key: setSchema,
        previous_key_expires_at: { type: ['string', 'null'] },
        new_key: {
          type: 'string',
          description: 'The generated whsec_ key, only in the answer that generated it; never shown again',
        },
      },
    },
    workspace_ids: { type: 'array', items: { type: 'string' } },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

const optionListSchema = {
  type: 'object',
  required: ['options', 'stale'],
  properties: {
    options: { type: 'array', items: optionSchema },
    stale: { type: 'boolean' },
    fetched_at: { type: 'string' },
    error: { type: ['string', 'null'] },
    warning: { type: ['string', 'null'] },
  },
} as const;

const headersSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;
const testSendResultSchema = {
  type: 'object',
  required: ['verdict', 'timing', 'channel'],
  properties: {
    verdict: {
      type: 'object',
      properties: {
        result: { type: 'string', enum: ['success', 'partial', 'failure', 'sent'] },
        reason: { type: ['string', 'null'] },
        detail: { type: 'string' },
        status: { type: ['integer', 'null'] },
        message_outcome: {
          type: 'object',
          properties: {
            state: { type: 'string' },
            reason: { type: 'string' },
            receiver_message: { type: ['string', 'null'] },
          },
        },
      },
    },
    request: {
      type: ['object', 'null'],
      properties: {
        method: { type: 'string' },
        url: { type: 'string' },
        headers: headersSchema,
        body: { type: 'string' },
        body_bytes: { type: 'integer' },
      },
    },
    response: {
      type: ['object', 'null'],
      properties: { status: { type: 'integer' }, headers: headersSchema, body: { type: 'string' } },
    },
    timing: {
      type: 'object',
      properties: { total_ms: { type: 'number' }, response_start_ms: { type: ['number', 'null'] } },
    },
    channel: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        test_status: { type: 'string' },
        tested_at: { type: ['string', 'null'] },
      },
    },
  },
} as const;

const testSendBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id_type: { type: 'string', minLength: 1, maxLength: 64 },
    test_id: { type: 'string', minLength: 1, maxLength: 512 },
    properties: { type: 'object', maxProperties: 500 },
    params: { type: 'object', maxProperties: 200, default: {} },
  },
} as const;

const noContent = { 204: { type: 'null', description: 'Done' } } as const;

function recipientOf(body: {
  id_type?: string;
  test_id?: string;
  properties?: Record<string, unknown>;
}): TestRecipient {
  const byId = body.id_type !== undefined || body.test_id !== undefined;
  if (byId === (body.properties !== undefined) || (byId && (!body.id_type || !body.test_id))) {
    const issues = new Issues();
    issues.add('', 'one_of', 'send either id_type and test_id (a profile) or properties (typed by hand)');
    issues.throwIfAny();
  }
  return byId
    ? { idType: body.id_type as string, testId: body.test_id as string }
    : { properties: body.properties as Record<string, unknown> };
}

/** Reach channels (SPEC §3.1): configuration, lifecycle, authorizations, grants, test sends. */
export function channelRoutes(deps: AppDeps): FastifyPluginAsync {
  const { channels, cursors } = deps;
  const userOf = (request: FastifyRequest): ChannelUser => ({
    accountId: callerOf(request).account.id,
    access: accessOf(request),
  });

  const channelJson = (c: Channel, newV2Key?: string) => {
    const set = channels.secretsSet(c);
    const cfg = c.config;
    return {
      id: c.id,
      kind: c.kind,
      name: c.name,
      category: c.category,
      description: c.description,
      app_id: c.appId,
      status: c.status,
      test_status: c.testStatus,
      tested_at: iso(c.testedAt),
      url: cfg.url,
      send_id_type: cfg.sendIdType,
      auth: cfg.auth,
      token: { set: set.token },
      batch_size: cfg.batchSize,
      rate_limit: cfg.rateLimit,
      timeout_s: cfg.timeoutS,
      compression: cfg.compression,
      strict_response: cfg.strictResponse,
      retry_failed_items: cfg.retryFailedItems,
      template: cfg.template.map((f) => ({
        key: f.key,
        label: f.label,
        type: f.type,
        prompt: f.prompt,
        required: f.required,
        ...(f.options ? { options: f.options } : {}),
        ...(f.optionsUrl !== undefined ? { options_url: f.optionsUrl } : {}),
        ...(f.columns ? { columns: f.columns } : {}),
      })),
      custom_params: cfg.customParams.map((p) => ({
        key: p.key,
        property: p.property,
        default: p.defaultValue,
      })),
      receipt_funnel: cfg.receiptFunnel,
      signature_v2: {
        enabled: cfg.signatureV2,
        key: { set: set.v2Key },
        previous_key_expires_at: iso(set.v2PreviousUntil),
        ...(newV2Key ? { new_key: newV2Key } : {}),
      },
      workspace_ids: c.workspaceIds,
      created_at: iso(c.createdAt),
      updated_at: iso(c.updatedAt),
    };
  };

  const optionListJson = (list: EnumOptionList) => ({
    options: list.options,
    stale: list.stale,
    fetched_at: iso(list.fetchedAt),
    error: list.error ?? null,
    warning: optionsWarning(list.options),
  });
  const optionsWarning = (options: readonly EnumOption[]) =>
    options.length > enumOptionsContract.warnAbove
      ? `${options.length} options: keep lists under ${enumOptionsContract.warnAbove} so the picker stays usable`
      : null;

  const channelProperties = {
    kind: { type: 'string', enum: channelKinds },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    category: { type: 'string', enum: channelCategories },
    description: { type: ['string', 'null'], maxLength: 500 },
    app_id: { type: ['string', 'null'], maxLength: 64 },
    ...channelDrivers.webhook.configSchema,
  };

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
          (c) => channelJson(c),
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
            properties: channelProperties,
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
        return reply.code(201).send(channelJson(channel, newV2Key));
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
        return channelJson(await channels.get(accessOf(request), channelId));
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
            properties: { ...channelProperties, kind: { type: 'string', maxLength: 50 } },
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
        return channelJson(channel, newV2Key);
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
          return channelJson(await run.call(channels, callerOf(request), accessOf(request), channelId));
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
        return channelJson(channel, newV2Key);
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
        return channelJson(
          await channels.updateCredentials(callerOf(request), accessOf(request), channelId, token),
        );
      },
    );

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
          return channelJson(
            await run.call(channels, callerOf(request), accessOf(request), channelId, workspaceId),
          );
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
      '/api/v1/projects/:projectId/channels/:channelId/fields/:fieldKey/options',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['channels'],
          summary:
            'Options of an enum field (from its URL: cached 10 min; the last good list marked stale on failure)',
          params: params('channelId', 'fieldKey'),
          response: { 200: optionListSchema },
        },
      },
      async (request) => {
        const { channelId, fieldKey } = request.params as { channelId: string; fieldKey: string };
        return optionListJson(await channels.optionsOf(accessOf(request), channelId, fieldKey));
      },
    );

    app.post(
      '/api/v1/projects/:projectId/channel-enum-options/preview',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary: 'Fetch an enum options URL now, before saving it (rate-limited like test sends)',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['url'],
            properties: {
              url: { type: 'string', minLength: 1, maxLength: 2000 },
              token: { type: 'string', maxLength: 500 },
            },
          },
          response: { 200: optionListSchema },
        },
      },
      async (request) => {
        const body = request.body as { url: string; token?: string };
        const options = await channels.previewOptions(userOf(request), body.url, body.token);
        return optionListJson({ options, fetchedAt: Date.now(), stale: false });
      },
    );

    const testSendJson = async (request: FastifyRequest, channel: Channel) => {
      const body = request.body as {
        id_type?: string;
        test_id?: string;
        properties?: Record<string, unknown>;
        params: Record<string, unknown>;
      };
      const { result, channel: after } = await channels.testSend(userOf(request), channel, {
        recipient: recipientOf(body),
        params: body.params ?? {},
      });
      const outcome = result.verdict.outcomes[0];
      return {
        verdict: {
          result: result.verdict.result,
          reason: result.verdict.reason ?? null,
          detail: result.verdict.detail,
          status: result.verdict.status ?? null,
          ...(outcome
            ? {
                message_outcome: {
                  state: outcome.state,
                  ...('reason' in outcome ? { reason: outcome.reason } : {}),
                  ...('receiverMessage' in outcome ? { receiver_message: outcome.receiverMessage } : {}),
                },
              }
            : {}),
        },
        request: result.request
          ? {
              method: result.request.method,
              url: result.request.url,
              headers: result.request.headers,
              body: result.request.body,
              body_bytes: result.request.bodyBytes,
            }
          : null,
        response: result.response ?? null,
        timing: {
          total_ms: result.timings.totalMs,
          response_start_ms: result.timings.responseStartMs ?? null,
        },
        channel: { id: after.id, test_status: after.testStatus, tested_at: iso(after.testedAt) },
      };
    };

    app.post(
      '/api/v1/projects/:projectId/channels/:channelId/test-send',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary:
            'Test send (any status): one real request; answers the request sent, the response, timing and verdict',
          params: channelParams,
          body: testSendBody,
          response: { 200: testSendResultSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        return testSendJson(request, await channels.get(accessOf(request), channelId));
      },
    );

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
          items: answer.items.filter((c) => usable.has(c.id)).map((c) => channelJson(c)),
          next_cursor: answer.next_cursor,
        };
      },
    );

    app.post(
      '/api/v1/projects/:projectId/workspaces/:workspaceId/channels/:channelId/test-send',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.use', workspace: true } },
        schema: {
          tags: ['channels'],
          summary: 'Test send from a workspace: the channel must be authorized there and usable by you',
          params: params('workspaceId', 'channelId'),
          body: testSendBody,
          response: { 200: testSendResultSchema },
        },
      },
      async (request) => {
        const { workspaceId, channelId } = request.params as { workspaceId: string; channelId: string };
        const channel = await channels.assertChannelUsable(userOf(request), workspaceId, channelId);
        return testSendJson(request, channel);
      },
    );
  };
}

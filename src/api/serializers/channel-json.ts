import type { ChannelDriver, DeliveryResult } from '../../channels/channel-driver.ts';
import type { ChannelsService } from '../../channels/channel-service.ts';
import { enumOptionsContract, type EnumOptionList } from '../../channels/enum-options.ts';
import {
  channelCategories,
  channelKinds,
  type Channel,
  type ChannelCategory,
  type CustomParam,
  type EnumOption,
  type ReceiptStep,
  type TemplateColumn,
  type TemplateField,
  type WebhookConfig,
} from '../../channels/model.ts';
import { isoTime as iso } from '../route-params.ts';

// The channel's JSON forms in the admin API (snake_case, SPEC §3.1): bodies in, answers out,
// and their schemas for validation and the OpenAPI document.

type SecretsSet = ReturnType<ChannelsService['secretsSet']>;

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
export interface ChannelBody extends ConfigJson {
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
export function configFromJson(b: ConfigJson): Partial<WebhookConfig> {
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

export const optionListSchema = {
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
export const testSendResultSchema = {
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

/** A channel as the API shows it: secrets only as `{set}`; a generated v2 key only once. */
export function channelJson(c: Channel, set: SecretsSet, newV2Key?: string) {
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
}

export const optionListJson = (list: EnumOptionList) => ({
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

/** A test send's answer: the verdict, the request as sent, the response and the timing. */
export function testSendResultJson(result: DeliveryResult, after: Channel) {
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
}

/** The writable channel properties of create and edit bodies, with the kind's own settings. */
export function channelProperties(driver: ChannelDriver) {
  return {
    kind: { type: 'string', enum: channelKinds },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    category: { type: 'string', enum: channelCategories },
    description: { type: ['string', 'null'], maxLength: 500 },
    app_id: { type: ['string', 'null'], maxLength: 64 },
    ...driver.configSchema,
  } as const;
}

/** Variables of SPEC §4.1 in a body (test send, send API), used as `${name}` in dynamic_text. */
export const variablesSchema = {
  type: 'array',
  maxItems: 50,
  default: [],
  description: 'Variables of SPEC §4.1, used as ${name} inside dynamic_text values',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'source'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 64 },
      source: {
        type: 'string',
        minLength: 1,
        maxLength: 300,
        description: 'user.<property> (event.<property> in event flows)',
      },
      default: { type: ['string', 'null'], maxLength: 10000 },
    },
  },
} as const;

import { channelLimits } from '../channel-checks.ts';
import { columnTypes, templateFieldTypes } from '../model.ts';

const option = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name'],
  properties: {
    code: { type: 'string', maxLength: 100 },
    name: { type: 'string', maxLength: 200 },
  },
} as const;

const options = { type: 'array', maxItems: channelLimits.enumOptions, items: option } as const;

const column = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'label', 'type'],
  properties: {
    key: { type: 'string', maxLength: 64 },
    label: { type: 'string', maxLength: 200 },
    type: { type: 'string', enum: columnTypes },
    required: { type: 'boolean', default: true },
    options,
  },
} as const;

/** A content template field in the admin API (SPEC §3.1). */
export const templateFieldSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'label', 'type'],
  properties: {
    key: { type: 'string', maxLength: 64 },
    label: { type: 'string', maxLength: 200 },
    type: { type: 'string', enum: templateFieldTypes },
    prompt: { type: ['string', 'null'], maxLength: 500 },
    required: { type: 'boolean', default: true },
    options,
    options_url: { type: 'string', maxLength: 2000 },
    columns: { type: 'array', maxItems: 100, items: column },
  },
} as const;

export const customParamSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'property'],
  properties: {
    key: { type: 'string', maxLength: 64 },
    property: { type: 'string', maxLength: 255 },
    default: { type: ['string', 'null'], maxLength: 2000 },
  },
} as const;

export const receiptStepSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['label', 'event'],
  properties: {
    label: { type: 'string', maxLength: 200 },
    event: { type: 'string', maxLength: 200 },
  },
} as const;

/**
 * The webhook settings of SPEC §3.1 in the admin API (snake_case). Types and coarse bounds are
 * checked here; the rules of SPEC §3.1 (name length after trimming, key pattern, unique keys,
 * ranges with holes such as `rate_limit` ≠ 0, target URLs) by `checkWebhookConfig`, so every
 * rule answers with a path and a sentence.
 */
export const webhookConfigSchema = {
  url: { type: 'string', minLength: 1, maxLength: 2000 },
  send_id_type: { type: 'string', minLength: 1, maxLength: 64 },
  auth: { type: 'string', enum: ['none', 'token'] },
  token: { type: ['string', 'null'], maxLength: 500 },
  batch_size: { type: 'integer' },
  rate_limit: { type: 'integer' },
  timeout_s: { type: 'integer' },
  compression: { type: 'boolean' },
  strict_response: { type: 'boolean' },
  retry_failed_items: { type: 'boolean' },
  template: { type: 'array', maxItems: 200, items: templateFieldSchema },
  custom_params: { type: 'array', maxItems: 200, items: customParamSchema },
  receipt_funnel: { type: 'array', maxItems: 50, items: receiptStepSchema },
  signature_v2: { type: 'boolean' },
} as const;

/** Kinds of reach channel; each has a driver (src/channels/channel-drivers.ts). */
export const channelKinds = ['webhook'] as const;
export type ChannelKind = (typeof channelKinds)[number];

export const channelCategories = ['notification', 'benefit', 'other'] as const;
export type ChannelCategory = (typeof channelCategories)[number];

export type ChannelStatus = 'enabled' | 'disabled';
export type ChannelTestStatus = 'untested' | 'tested';

export const templateFieldTypes = ['text', 'dynamic_text', 'number', 'date', 'enum', 'array_row'] as const;
export type TemplateFieldType = (typeof templateFieldTypes)[number];

/** Cell types of an `array_row` column. */
export const columnTypes = ['text', 'number', 'date', 'enum'] as const;
export type ColumnType = (typeof columnTypes)[number];

/** One enum option: the code sent on the wire and the name shown to operators. */
export interface EnumOption {
  readonly code: string;
  readonly name: string;
}

/** A column of an `array_row` field; enum columns take a manual option list. */
export interface TemplateColumn {
  readonly key: string;
  readonly label: string;
  readonly type: ColumnType;
  readonly required: boolean;
  readonly options?: readonly EnumOption[];
}

/**
 * A content template field the operator fills per campaign (SPEC §3.1). `enum` fields take
 * either `options` (a manual list) or `optionsUrl` (the enum-options URL CONTRACT);
 * `array_row` fields take `columns`.
 */
export interface TemplateField {
  readonly key: string;
  readonly label: string;
  readonly type: TemplateFieldType;
  readonly prompt: string | null;
  readonly required: boolean;
  readonly options?: readonly EnumOption[];
  readonly optionsUrl?: string;
  readonly columns?: readonly TemplateColumn[];
}

/** A custom param: key → user property; `defaultValue` replaces an empty property (else `null`). */
export interface CustomParam {
  readonly key: string;
  readonly property: string;
  readonly defaultValue: string | null;
}

/** One receipt funnel step: a label and the meta event that counts for it. */
export interface ReceiptStep {
  readonly label: string;
  readonly event: string;
}

/**
 * What every channel kind's configuration holds (SPEC §3.1): who a message addresses, how many
 * travel per request and how fast, and the content the operator fills per campaign.
 */
export interface ChannelContentConfig {
  readonly sendIdType: string;
  readonly batchSize: number;
  /** Requests per second; -1 = none. */
  readonly rateLimit: number;
  readonly template: readonly TemplateField[];
  readonly customParams: readonly CustomParam[];
  readonly receiptFunnel: readonly ReceiptStep[];
}

/** The non-secret configuration of a webhook channel (SPEC §3.1, wire protocol §3.2). */
export interface WebhookConfig extends ChannelContentConfig {
  readonly url: string;
  readonly auth: 'none' | 'token';
  readonly timeoutS: number;
  readonly compression: boolean;
  readonly strictResponse: boolean;
  readonly retryFailedItems: boolean;
  readonly signatureV2: boolean;
}

/** Each kind's configuration, keyed by kind: a new kind adds its entry here and a driver. */
export interface ChannelConfigs {
  readonly webhook: WebhookConfig;
}

export type ChannelConfig = ChannelConfigs[ChannelKind];

/** The encrypted secrets of a channel row; they never leave the channels module. */
export interface ChannelSecretsCiphertext {
  /** `auth = token`: the token keying `X-TE-OPS-Signature`. */
  readonly token: string | null;
  /** Signature v2: the current key and, during a rotation overlap, the previous one. */
  readonly v2Key: string | null;
  readonly v2PreviousKey: string | null;
  readonly v2PreviousUntil: number | null;
}

interface ChannelBase {
  readonly id: string;
  readonly projectId: number;
  readonly name: string;
  readonly category: ChannelCategory;
  readonly description: string | null;
  readonly appId: string | null;
  readonly status: ChannelStatus;
  readonly testStatus: ChannelTestStatus;
  readonly testedAt: number | null;
  readonly secrets: ChannelSecretsCiphertext;
  /** Workspaces the channel is authorized to, oldest authorization first. */
  readonly workspaceIds: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A channel of kind `K`: `config` is that kind's configuration (a union keyed by kind). */
export type ChannelOf<K extends ChannelKind> = ChannelBase & {
  readonly kind: K;
  readonly config: ChannelConfigs[K];
};

/** A reach channel of any kind; narrow on `kind` to read kind-specific settings. */
export type Channel = { [K in ChannelKind]: ChannelOf<K> }[ChannelKind];

/** SPEC §3.1: keys of template fields, columns and custom params. */
export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Defaults of SPEC §3.1. */
export const webhookDefaults = {
  batchSize: 100,
  rateLimit: -1,
  timeoutS: 60,
  compression: true,
  strictResponse: true,
  retryFailedItems: false,
  signatureV2: false,
} as const;

/** How long a rotated-out signature-v2 key stays valid by default (SPEC §3.1). */
export const DEFAULT_V2_OVERLAP_MS = 24 * 60 * 60 * 1000;

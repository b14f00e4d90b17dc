// Hand-written types mirroring the Admin REST API's OpenAPI document (`/api/openapi.json`).
// test/e2e/openapi-contract.test.ts checks every endpoint in ./endpoints.ts against the document
// a real server serves, so a renamed route fails the suite instead of the console at run time.

export const roleNames = ['project_admin', 'workspace_admin', 'operator', 'viewer'] as const;
export type Role = (typeof roleNames)[number];

/** SPEC §1's closed permission list. */
export const permissionNames = [
  'project.manage',
  'member.manage',
  'token.manage',
  'source.manage',
  'source.secret.reveal',
  'reach.webhook.manage',
  'reach.webhook.use',
  'channel.authorize',
  'audience.manage',
  'campaign.edit',
  'campaign.operate',
  'campaign.approve',
  'delivery.replay',
  'audit.read',
] as const;
export type Permission = (typeof permissionNames)[number];

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly is_instance_admin: boolean;
  readonly must_change_password: boolean;
}

export interface Membership {
  readonly project_id: number;
  readonly project_name: string;
  readonly role: Role;
  readonly workspace_ids: readonly string[];
}

export interface LoginAnswer {
  readonly account: Account;
  readonly csrf_token: string;
}

export interface SessionAnswer extends LoginAnswer {
  readonly memberships: readonly Membership[];
}

export interface RoleInfo {
  readonly role: Role;
  readonly permissions: readonly Permission[];
}

export interface Project {
  readonly id: number;
  readonly name: string;
  readonly time_zone: string;
  readonly created_at: string;
}

export interface Workspace {
  readonly id: string;
  readonly project_id: number;
  readonly name: string;
  readonly require_approval: boolean;
  readonly created_at: string;
}

export interface Member {
  readonly account_id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly workspace_ids: readonly string[];
  readonly created_at: string;
}

export interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly workspace_ids: readonly string[];
  readonly invited_by: { readonly account_id: string; readonly email: string };
  readonly created_at: string;
  readonly expires_at: string;
}

/** The answer to adding a member: the same for known and unknown e-mails. */
export interface MemberAdded {
  readonly invitation: Invitation;
  /** The one-time link the invitee accepts with. */
  readonly invite_url: string;
}

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly Permission[];
  readonly created_by: { readonly account_id: string; readonly email: string };
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
}

export interface TokenCreated {
  readonly token: ApiToken;
  /** `tp_…`, shown once. */
  readonly secret: string;
}

export interface AuditEntry {
  readonly id: number | string;
  readonly at: string;
  readonly actor: { readonly type: string; readonly id: string; readonly label: string };
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string; readonly label: string };
  readonly ip: string | null;
  readonly request_id: string | null;
  readonly details: Record<string, unknown>;
}

export const appTypes = ['app', 'mini_program', 'web'] as const;
export type AppType = (typeof appTypes)[number];

export const platformNames = [
  'android',
  'ios',
  'harmony',
  'wechat_mp',
  'alipay_mp',
  'web',
  'server',
] as const;
export type PlatformName = (typeof platformNames)[number];

/** Which platforms a data source of each app type may report from (the server checks it again). */
export const platformsByAppType: Readonly<Record<AppType, readonly PlatformName[]>> = {
  app: ['android', 'ios', 'harmony', 'server'],
  mini_program: ['wechat_mp', 'alipay_mp', 'server'],
  web: ['web', 'server'],
};

export interface App {
  readonly id: string;
  readonly name: string;
  readonly app_type: AppType;
  readonly created_at: string;
}

export interface PlatformConfig {
  readonly platform: PlatformName;
  /** `web` only: `http(s)://host[:port]`. */
  readonly origins?: readonly string[];
  /** `server` only. */
  readonly require_secret?: boolean;
}

export type SourceStatus = 'enabled' | 'disabled';
export const reportingStatuses = ['never_reported', 'reporting', 'stopped'] as const;
export type ReportingStatus = (typeof reportingStatuses)[number];

export interface IntegrationPrompt {
  readonly platform: PlatformName;
  readonly title: string;
  readonly language: string;
  readonly code: string;
}

export interface DataSource {
  readonly id: string;
  readonly app_id: string;
  readonly name: string;
  readonly platforms: readonly PlatformConfig[];
  /** Null: the project's time zone applies (see effective_time_zone). */
  readonly time_zone: string | null;
  readonly effective_time_zone: string;
  readonly rate_limit: number | null;
  readonly status: SourceStatus;
  readonly reporting_status: ReportingStatus;
  readonly last_event_at: string | null;
  readonly events_24h: number;
  readonly credentials: {
    readonly data_source_id: string;
    readonly app_key: string;
    /** Always masked. */
    readonly master_secret: string;
    readonly scheme: string | null;
  };
  readonly created_at: string;
  readonly updated_at: string;
  /** On GET one and POST only. */
  readonly integration?: readonly IntegrationPrompt[];
}

export interface SourceInput {
  readonly name: string;
  readonly app_id: string;
  readonly platforms: readonly PlatformConfig[];
  readonly time_zone?: string | null;
}

/** `GET/PUT …/id-types`: built-in ID types, the project's declared ones, the TE account switch. */
export interface IdTypeSettings {
  readonly account_id_is_user_id: boolean;
  readonly builtin: readonly string[];
  readonly id_types: readonly { readonly name: string; readonly unique: boolean }[];
}

export interface IdTypeDeclaration {
  readonly name: string;
  readonly unique: boolean;
}

export interface Identity {
  readonly type: string;
  readonly value: string;
}

export interface Profile {
  readonly tp_uid: string;
  readonly identities: readonly Identity[];
  readonly properties: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_event_at: string | null;
  readonly event_count: number;
}

/** One event of a profile's timeline, as stored. */
export interface ProfileEvent {
  readonly id: number;
  readonly source_id: string;
  readonly message_id: string;
  readonly type: string;
  readonly event_name: string | null;
  readonly user_id: string | null;
  readonly anonymous_id: string | null;
  readonly account_id: string | null;
  readonly distinct_id: string | null;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly traits: Readonly<Record<string, unknown>>;
  readonly ops_request_id: string | null;
  readonly event_time: string;
  readonly received_at: string;
}

export interface EventPropertyDefinition {
  readonly name: string;
  /** Observed JSON types: `string`, `number`, `boolean`, `object`, `array`, `null`. */
  readonly types: readonly string[];
  readonly first_seen: string;
  readonly last_seen: string;
}

/** Event management: one event name as discovered from what arrived, or declared. */
export interface EventDefinition {
  readonly name: string;
  readonly event_count: number;
  readonly first_seen: string | null;
  readonly last_seen: string | null;
  readonly declared: boolean;
  readonly description: string | null;
  readonly properties: readonly EventPropertyDefinition[];
}

export const verdicts = ['accepted', 'rejected', 'dry_run', 'warning'] as const;
export type Verdict = (typeof verdicts)[number];

/** One line of a data source's verify view (`GET …/verify`, or `event: entry` of the stream). */
export interface VerifyEntry {
  readonly key: string;
  readonly received_at: string;
  readonly verdict: Verdict;
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
  readonly type: string | null;
  readonly event_name: string | null;
  readonly user_id: string | null;
  readonly anonymous_id: string | null;
  readonly message_id: string | null;
  readonly event: unknown;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}

export interface PageQuery {
  readonly limit?: number;
  readonly cursor?: string | null;
}

export interface ValidationIssue {
  readonly in: 'body' | 'querystring' | 'params' | string;
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: Record<string, unknown> & { readonly issues?: readonly ValidationIssue[] };
    readonly requestId?: string;
  };
}

/** Audit actions the console knows how to name; others are shown as sent. */
export const auditActions = [
  'auth.login',
  'auth.login_failed',
  'auth.password_changed',
  'auth.password_set',
  'account.created',
  'member.added',
  'member.updated',
  'member.removed',
  'token.created',
  'token.revoked',
  'project.created',
  'project.updated',
  'workspace.created',
  'workspace.updated',
  'app.created',
  'app.updated',
  'source.created',
  'source.updated',
  'source.disabled',
  'source.enabled',
  'source.deleted',
  'secret.revealed',
  'secret.reveal.denied',
  'secret.rotated',
  'id_types.updated',
  'event.declared',
  'profiles.rebuilt',
] as const;

// ---- Reach channels (SPEC §3.1) ----------------------------------------------------------------

export const channelCategories = ['notification', 'benefit', 'other'] as const;
export type ChannelCategory = (typeof channelCategories)[number];
export const templateFieldTypes = ['text', 'dynamic_text', 'number', 'date', 'enum', 'array_row'] as const;
export type TemplateFieldType = (typeof templateFieldTypes)[number];
export const columnTypes = ['text', 'number', 'date', 'enum'] as const;
export type ColumnType = (typeof columnTypes)[number];
export type ChannelStatus = 'enabled' | 'disabled';
export type ChannelTestStatus = 'untested' | 'tested';

export interface EnumOption {
  readonly code: string;
  readonly name: string;
}

export interface TemplateColumn {
  readonly key: string;
  readonly label: string;
  readonly type: ColumnType;
  readonly required?: boolean;
  readonly options?: readonly EnumOption[];
}

export interface TemplateField {
  readonly key: string;
  readonly label: string;
  readonly type: TemplateFieldType;
  readonly prompt?: string | null;
  readonly required?: boolean;
  readonly options?: readonly EnumOption[];
  readonly options_url?: string;
  readonly columns?: readonly TemplateColumn[];
}

export interface CustomParam {
  readonly key: string;
  readonly property: string;
  readonly default?: string | null;
}

export interface ReceiptStep {
  readonly label: string;
  readonly event: string;
}

/** The settings a channel form sends (create: all required ones; edit: any). */
export interface ChannelInput {
  readonly name?: string;
  readonly category?: ChannelCategory;
  readonly url?: string;
  readonly send_id_type?: string;
  readonly auth?: 'none' | 'token';
  /** Write-only; omit to keep the current token. */
  readonly token?: string | null;
  readonly batch_size?: number;
  readonly rate_limit?: number;
  readonly timeout_s?: number;
  readonly compression?: boolean;
  readonly strict_response?: boolean;
  readonly retry_failed_items?: boolean;
  readonly template?: readonly TemplateField[];
  readonly custom_params?: readonly CustomParam[];
  readonly receipt_funnel?: readonly ReceiptStep[];
  readonly signature_v2?: boolean;
  readonly description?: string | null;
  readonly app_id?: string | null;
}

export interface Channel {
  readonly id: string;
  readonly kind: 'webhook';
  readonly name: string;
  readonly category: ChannelCategory;
  readonly description: string | null;
  readonly app_id: string | null;
  readonly status: ChannelStatus;
  readonly test_status: ChannelTestStatus;
  readonly tested_at: string | null;
  readonly url: string;
  readonly send_id_type: string;
  readonly auth: 'none' | 'token';
  /** Secrets are never shown, only whether they are set. */
  readonly token: { readonly set: boolean };
  readonly batch_size: number;
  readonly rate_limit: number;
  readonly timeout_s: number;
  readonly compression: boolean;
  readonly strict_response: boolean;
  readonly retry_failed_items: boolean;
  readonly template: readonly TemplateField[];
  readonly custom_params: readonly CustomParam[];
  readonly receipt_funnel: readonly ReceiptStep[];
  readonly signature_v2: {
    readonly enabled: boolean;
    readonly key: { readonly set: boolean };
    readonly previous_key_expires_at: string | null;
    /** The generated `whsec_` key, only in the answer that generated it. */
    readonly new_key?: string;
  };
  readonly workspace_ids: readonly string[];
  readonly created_at: string;
  readonly updated_at: string;
}

export interface ChannelGrant {
  readonly account_id: string;
  readonly granted_by: string;
  readonly created_at: string;
}

export interface EnumOptionList {
  readonly options: readonly EnumOption[];
  readonly stale: boolean;
  readonly fetched_at?: string;
  readonly error?: string | null;
  readonly warning?: string | null;
}

export interface TestSendInput {
  readonly id_type?: string;
  readonly test_id?: string;
  readonly properties?: Record<string, unknown>;
  readonly params: Record<string, unknown>;
}

export interface TestSendResult {
  readonly verdict: {
    readonly result: 'success' | 'partial' | 'failure' | 'sent';
    readonly reason: string | null;
    readonly detail: string;
    readonly status: number | null;
    readonly message_outcome?: {
      readonly state: string;
      readonly reason?: string;
      readonly receiver_message?: string | null;
    };
  };
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Record<string, string>;
    readonly body: string;
    readonly body_bytes: number;
  } | null;
  readonly response: {
    readonly status: number;
    readonly headers: Record<string, string>;
    readonly body: string;
  } | null;
  readonly timing: { readonly total_ms: number; readonly response_start_ms: number | null };
  readonly channel: {
    readonly id: string;
    readonly test_status: ChannelTestStatus;
    readonly tested_at: string | null;
  };
}

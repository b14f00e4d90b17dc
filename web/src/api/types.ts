// The console's names for what the Admin REST API answers and takes, derived from ./openapi.ts,
// which scripts/generate-web-types.ts generates from the OpenAPI document the server serves
// (test/web/api-types.test.ts keeps it in step). What the document leaves open is narrowed here:
// - it lists few answer properties as required, yet the server always sends them (null when
//   empty), so answers are read through `Answered`, and the few that really may be absent are
//   put back as optional with `With`;
// - some closed lists (roles, permissions, app types, platforms, template field types) are plain
//   strings in answers; the console narrows them to SPEC's lists below.
// test/e2e/openapi-contract.test.ts checks every endpoint in ./endpoints.ts against the document.

import type { components, paths } from './openapi.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Json<R> = R extends { readonly content: { readonly 'application/json': infer J } } ? J : never;

/** What `method path` answers with `status`, as the served document describes it. */
type Answer<P extends keyof paths, M extends Method, S extends 200 | 201 | 202 = 200> = paths[P][M] extends {
  readonly responses: infer R;
}
  ? S extends keyof R
    ? Json<R[S]>
    : never
  : never;

/** The JSON body `method path` takes. */
type Body<P extends keyof paths, M extends Method> = paths[P][M] extends { readonly requestBody?: infer B }
  ? Json<NonNullable<B>>
  : never;

/** One item of a list answer. */
type ItemOf<T> = T extends { readonly items?: readonly (infer I)[] } ? I : never;

/** Every property present (deep): how the server answers, whatever `required` the document lists. */
type Answered<T> = T extends readonly (infer E)[]
  ? readonly Answered<E>[]
  : T extends object
    ? { readonly [K in keyof T]-?: Answered<Exclude<T[K], undefined>> }
    : T;

/** `T` with the properties of `U` in place of its own. */
type With<T, U> = Omit<T, keyof U> & U;

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

export type Account = LoginAnswer['account'];

type SessionServed = Answered<Answer<'/api/v1/auth/session', 'get'>>;
export type Membership = With<SessionServed['memberships'][number], { readonly role: Role }>;

export type LoginAnswer = Answered<Answer<'/api/v1/auth/login', 'post'>>;

export type SessionAnswer = With<SessionServed, { readonly memberships: readonly Membership[] }>;

export type RoleInfo = With<
  Answered<ItemOf<Answer<'/api/v1/roles', 'get'>>>,
  { readonly role: Role; readonly permissions: readonly Permission[] }
>;

export type Project = Answered<Answer<'/api/v1/projects/{projectId}', 'get'>>;

type AccountServed = Answered<ItemOf<Answer<'/api/v1/accounts', 'get'>>>;
/** An account as the instance admin's accounts list shows it. */
export type AccountSummary = With<
  AccountServed,
  { readonly memberships: readonly With<AccountServed['memberships'][number], { readonly role: Role }>[] }
>;

/** A new account and its one-time set-password link (shown once). */
export type AccountCreated = With<
  Answered<Answer<'/api/v1/accounts', 'post', 201>>,
  { readonly account: AccountSummary }
>;

/** A project with its member and project admin counts (the instance admin's list). */
export type InstanceProject = Answered<ItemOf<Answer<'/api/v1/instance/projects', 'get'>>>;

export type Workspace = Answered<Answer<'/api/v1/projects/{projectId}/workspaces/{workspaceId}', 'get'>>;

export type Member = With<
  Answered<ItemOf<Answer<'/api/v1/projects/{projectId}/members', 'get'>>>,
  { readonly role: Role }
>;

/** The answer to adding a member: the same for known and unknown e-mails (an invitation). */
export type MemberAdded = Answered<Answer<'/api/v1/projects/{projectId}/members', 'post', 201>>;
export type Invitation = With<MemberAdded['invitation'], { readonly role: Role }>;

/** A new set-password link for a member, shown once. */
export type PasswordLink = Answered<
  Answer<'/api/v1/projects/{projectId}/members/{accountId}/password-link', 'post', 201>
>;

/** What the invitee's page shows of an invitation, by its link token (public). */
export type InvitationView = With<
  Answered<Answer<'/api/v1/invitations/{token}', 'get'>>,
  { readonly role: Role }
>;

export type InvitationAccepted = Answered<Answer<'/api/v1/invitations/{token}/accept', 'post'>>;

export type ApiToken = With<
  Answered<ItemOf<Answer<'/api/v1/projects/{projectId}/tokens', 'get'>>>,
  { readonly permissions: readonly Permission[] }
>;

/** `secret` is the `tp_…` token, shown once. */
export type TokenCreated = With<
  Answered<Answer<'/api/v1/projects/{projectId}/tokens', 'post', 201>>,
  { readonly token: ApiToken }
>;

export type AuditEntry = Answered<ItemOf<Answer<'/api/v1/projects/{projectId}/audit', 'get'>>>;

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

export type App = With<
  Answered<ItemOf<Answer<'/api/v1/projects/{projectId}/apps', 'get'>>>,
  { readonly app_type: AppType }
>;

/** `origins`: `web` only, `http(s)://host[:port]`; `require_secret`: `server` only. */
export type PlatformConfig = SourceInput['platforms'][number];

export type SourceStatus = DataSource['status'];
export const reportingStatuses = ['never_reported', 'reporting', 'stopped'] as const;
export type ReportingStatus = (typeof reportingStatuses)[number];

export type IntegrationPrompt = With<
  NonNullable<Answered<SourceAnswer>['integration']>[number],
  { readonly platform: PlatformName }
>;

type SourceAnswer = Answer<'/api/v1/projects/{projectId}/sources/{sourceId}', 'get'>;

/** `time_zone` null: the project's time zone applies (see `effective_time_zone`). */
export type DataSource = With<
  Answered<Omit<SourceAnswer, 'integration'>>,
  {
    readonly platforms: readonly PlatformConfig[];
    /** On GET one and POST only. */
    readonly integration?: readonly IntegrationPrompt[];
  }
>;

export type SourceInput = Body<'/api/v1/projects/{projectId}/sources', 'post'>;

/** `GET/PUT …/id-types`: built-in ID types, the project's declared ones, the TE account switch. */
/** `GET/PUT …/id-types`: built-in ID types, the project's declared ones, the TE account switch. */
export type IdTypeSettings = Answered<Answer<'/api/v1/projects/{projectId}/id-types', 'get'>>;

export type IdTypeDeclaration = IdTypeSettings['id_types'][number];

export type Identity = Profile['identities'][number];

export type Profile = Answered<Answer<'/api/v1/projects/{projectId}/profiles/{tpUid}', 'get'>>;
/** What erasing one user did (counts only). */
export type ErasureResult = Answered<Answer<'/api/v1/projects/{projectId}/profiles/{tpUid}', 'delete'>>;
/** One result per item of the bulk erasure, in order. */
export type BulkErasureResult = Answered<
  Answer<'/api/v1/projects/{projectId}/profiles/erase', 'post'>
>['results'][number];
export type ErasureItem = Body<'/api/v1/projects/{projectId}/profiles/erase', 'post'>['items'][number];

export type ProfileLag = Answered<Answer<'/api/v1/projects/{projectId}/profile-lag', 'get'>>;

/** One event of a profile's timeline, as stored. */
export type ProfileEvent = Answered<
  ItemOf<Answer<'/api/v1/projects/{projectId}/profiles/{tpUid}/events', 'get'>>
>;

/** `types`: observed JSON types: `string`, `number`, `boolean`, `object`, `array`, `null`. */
export type EventPropertyDefinition = EventDefinition['properties'][number];

/** Event management: one event name as discovered from what arrived, or declared. */
export type EventDefinition = Answered<ItemOf<Answer<'/api/v1/projects/{projectId}/events', 'get'>>>;

export const verdicts = ['accepted', 'rejected', 'dry_run', 'warning', 'refused'] as const;
export type Verdict = (typeof verdicts)[number];

/** One line of a data source's verify view (`GET …/verify`, or `event: entry` of the stream). */
/** One line of a data source's verify view (`GET …/verify`, or `event: entry` of the stream). */
export type VerifyEntry = Answered<
  ItemOf<Answer<'/api/v1/projects/{projectId}/sources/{sourceId}/verify', 'get'>>
>;

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

export type ErrorBody = With<
  components['schemas']['ErrorBody'],
  {
    readonly error: With<
      components['schemas']['ErrorBody']['error'],
      { readonly details?: Record<string, unknown> & { readonly issues?: readonly ValidationIssue[] } }
    >;
  }
>;

/** Audit actions the console knows how to name; others are shown as sent. */
/** Every action the server writes to the audit log (test/web/audit-labels.test.ts checks it). */
export const auditActions = [
  'auth.login',
  'auth.login_failed',
  'auth.password_changed',
  'auth.password_set',
  'account.created',
  'account.password_link_issued',
  'account.instance_admin_granted',
  'account.instance_admin_withdrawn',
  'account.unlocked',
  'member.invited',
  'member.invitation_revoked',
  'member.added',
  'member.updated',
  'member.removed',
  'member.password_link_issued',
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
  'profile.erased',
  'channel.created',
  'channel.updated',
  'channel.disabled',
  'channel.enabled',
  'channel.deleted',
  'channel.authorized',
  'channel.deauthorized',
  'channel.grant.added',
  'channel.grant.removed',
  'channel.resumed',
  'delivery.replayed',
  'audience.created',
  'audience.updated',
  'audience.deleted',
  'campaign.created',
  'campaign.updated',
  'campaign.deleted',
  'campaign.submitted',
  'campaign.approved',
  'campaign.rejected',
  'campaign.published',
  'campaign.paused',
  'campaign.resumed',
  'campaign.stopped',
  'campaign.completed',
  'campaign.run_fired',
  'suppression.added',
  'suppression.removed',
  'unsubscribe.added',
  'unsubscribe.removed',
  'delivery_rules.updated',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** What an audit entry is about, and who acted. */
export const auditTargetTypes = [
  'account',
  'app',
  'audience',
  'campaign',
  'channel',
  'event',
  'invitation',
  'message',
  'profile',
  'project',
  'source',
  'suppression',
  'token',
  'unsubscribe',
  'workspace',
] as const;
export const auditActorTypes = ['account', 'token', 'cli', 'system'] as const;

// ---- Reach channels (SPEC §3.1) ----------------------------------------------------------------

export const channelCategories = ['notification', 'benefit', 'other'] as const;
export type ChannelCategory = (typeof channelCategories)[number];
export const templateFieldTypes = ['text', 'dynamic_text', 'number', 'date', 'enum', 'array_row'] as const;
export type TemplateFieldType = (typeof templateFieldTypes)[number];
export const columnTypes = ['text', 'number', 'date', 'enum'] as const;
export type ColumnType = (typeof columnTypes)[number];
export type ChannelStatus = Channel['status'];
export type ChannelTestStatus = Answered<
  Answer<'/api/v1/projects/{projectId}/channels/{channelId}', 'get'>
>['test_status'];

export type EnumOption = NonNullable<TemplateField['options']>[number];

export type TemplateColumn = NonNullable<TemplateField['columns']>[number];

export type TemplateField = NonNullable<
  Body<'/api/v1/projects/{projectId}/channels', 'post'>['template']
>[number];

export type CustomParam = NonNullable<
  Body<'/api/v1/projects/{projectId}/channels', 'post'>['custom_params']
>[number];

export type ReceiptStep = NonNullable<
  Body<'/api/v1/projects/{projectId}/channels', 'post'>['receipt_funnel']
>[number];

/** The settings a channel form sends (create: all required ones; edit: any). */
export type ChannelInput = Omit<Body<'/api/v1/projects/{projectId}/channels/{channelId}', 'patch'>, 'kind'>;

type ChannelAnswer = Answered<
  Omit<Answer<'/api/v1/projects/{projectId}/channels/{channelId}', 'get'>, 'signature_v2'>
>;
type SignatureV2Answer = NonNullable<
  Answer<'/api/v1/projects/{projectId}/channels/{channelId}', 'get'>['signature_v2']
>;

/** Secrets are never shown, only whether they are set. */
export type Channel = With<
  ChannelAnswer,
  {
    readonly template: readonly TemplateField[];
    readonly custom_params: readonly CustomParam[];
    readonly receipt_funnel: readonly ReceiptStep[];
    readonly signature_v2: With<
      Answered<Omit<SignatureV2Answer, 'new_key'>>,
      {
        /** The generated `whsec_` key, only in the answer that generated it. */
        readonly new_key?: string;
      }
    >;
  }
>;

export type ChannelGrant = Answered<
  ItemOf<Answer<'/api/v1/projects/{projectId}/channels/{channelId}/grants', 'get'>>
>;

export type EnumOptionList = Answered<
  Answer<'/api/v1/projects/{projectId}/channels/{channelId}/fields/{fieldKey}/options', 'get'>
>;

/** The document types `params` and `properties` as objects without properties (no `additionalProperties`). */
export type TestSendInput = With<
  Body<'/api/v1/projects/{projectId}/channels/{channelId}/test-send', 'post'>,
  { readonly properties?: Record<string, unknown>; readonly params: Record<string, unknown> }
>;

type TestSendAnswer = Answered<Answer<'/api/v1/projects/{projectId}/channels/{channelId}/test-send', 'post'>>;
export type TestSendResult = With<
  TestSendAnswer,
  { readonly channel: With<TestSendAnswer['channel'], { readonly test_status: ChannelTestStatus }> }
>;

// ---- Delivery (SPEC §4) ------------------------------------------------------------------------

/** SPEC §4's message states, in the order a message goes through them. */
export const messageStates = ['queued', 'sending', 'delivered', 'failed', 'dead', 'sent', 'held'] as const;
export type MessageState = (typeof messageStates)[number];

/** One message of the log (`GET …/messages`). */
export type Message = Answered<ItemOf<Answer<'/api/v1/projects/{projectId}/messages', 'get'>>>;

/** Messages counted by state (`GET …/messages-counts`, and a send's `counts`). */
export type MessageCounts = Record<MessageState, number>;

/** The query both the list and the counts take (`limit`/`cursor` only for the list). */
export type MessageQuery = Partial<
  Record<
    | 'channel_id'
    | 'ops_request_id'
    | 'push_id'
    | 'profile'
    | 'send_id'
    | 'campaign_id'
    | 'id_type'
    | 'id_value',
    string
  >
> & {
  readonly state?: MessageState;
  readonly since?: string;
  readonly until?: string;
  /** Finished since: the selection of "replay everything failed since T". */
  readonly finished_since?: string;
};

type MessageDetailAnswer = Answered<Answer<'/api/v1/projects/{projectId}/messages/{opsRequestId}', 'get'>>;

/** One message as sent (`params`, `custom_params`, receipt properties) with every attempt. */
export type MessageDetail = With<
  MessageDetailAnswer,
  {
    readonly message: With<
      MessageDetailAnswer['message'],
      {
        readonly params: Record<string, unknown>;
        readonly custom_params: Record<string, string | null>;
      }
    >;
  }
>;

export type MessageAttempt = MessageDetail['attempts'][number];

/** `GET …/channels/{channelId}/health`. */
export type ChannelHealth = Answered<
  Answer<'/api/v1/projects/{projectId}/channels/{channelId}/health', 'get'>
>;

/** `GET …/channels/{channelId}/delivery-stats`: a channel's charts over the last hour or day. */
export type DeliveryStats = Answered<
  Answer<'/api/v1/projects/{projectId}/channels/{channelId}/delivery-stats', 'get'>
>;
export type DeliveryStatsRange = DeliveryStats['range'];
export type DeliveryStatsPoint = DeliveryStats['points'][number];

export type ReplayResult = Answered<Answer<'/api/v1/projects/{projectId}/messages/replay', 'post'>>;

/** The request an attempt travelled in: each message's outcome (ids for project admins only). */
export type MessageBatch = With<
  Answered<Answer<'/api/v1/projects/{projectId}/messages/{opsRequestId}/batches/{batchId}', 'get'>>,
  { readonly outcomes: Record<string, number> }
>;

type SendsPath = '/api/v1/projects/{projectId}/workspaces/{workspaceId}/sends';

/** The send API's body (SPEC §4.1): recipients by any ID type, values, variables, a key. */
export type SendInput = With<
  Body<SendsPath, 'post'>,
  {
    readonly template_values: Record<string, unknown>;
    readonly recipients: readonly {
      readonly id_type: string;
      readonly id: string;
      readonly values?: Record<string, unknown>;
    }[];
  }
>;

/** What the send API answers (202): the send's id, how many messages it queued, who it skipped. */
export type SendAccepted = Answered<Answer<SendsPath, 'post', 202>>;

/** A send with its messages counted by state (`GET …/sends/{sendId}`). */
export type SendProgress = With<
  Answered<Answer<'/api/v1/projects/{projectId}/workspaces/{workspaceId}/sends/{sendId}', 'get'>>,
  { readonly counts: MessageCounts }
>;

type AudiencePath = '/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/{audienceId}';
/** A condition group as the audience builder edits it (validated by the server). */
export interface AudienceGroup {
  readonly type: 'group';
  readonly combinator: 'and' | 'or';
  readonly conditions: readonly AudienceCondition[];
}
export type AudienceCondition = AudienceGroup | Readonly<Record<string, unknown>>;
export type Audience = With<Answered<Answer<AudiencePath, 'get'>>, { readonly conditions: AudienceGroup }>;
export type AudienceCatalog = Answered<
  Answer<'/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/catalog', 'get'>
>;
export type AudienceEstimate = Answered<
  Answer<'/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/estimate', 'post'>
>;
export type AudiencePreview = Answered<
  Answer<'/api/v1/projects/{projectId}/workspaces/{workspaceId}/audiences/preview', 'post'>
>;

// ---- Campaigns (SPEC §5, issue 19) -------------------------------------------------------------

type CampaignsPath = '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns';
type CampaignPath = '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns/{campaignId}';

/** SPEC §5's states, in the order a campaign goes through them. */
export const campaignStates = [
  'draft',
  'pending_approval',
  'pending_publish',
  'scheduled',
  'running',
  'paused',
  'completed',
  'stopped',
] as const;
export type CampaignState = (typeof campaignStates)[number];

/** The transitions `POST …/campaigns/{campaignId}/{action}` takes, in the order an operator meets them. */
export const campaignActions = ['submit', 'approve', 'reject', 'publish', 'pause', 'resume', 'stop'] as const;
export type CampaignAction = (typeof campaignActions)[number];

/**
 * "Only if the user did not do `event` within `within_minutes` after the trigger", with the same
 * values of the `same` properties as the triggering event (e.g. `cart_id`).
 */
export interface EventTriggerUnless {
  readonly event: string;
  readonly within_minutes: number;
  readonly same: readonly string[];
  /** Property conditions on the "unless" event (the audience builder's `property` conditions). */
  readonly filters: readonly Readonly<Record<string, unknown>>[];
}

/** Once per matching event (decision 128): the event, its property filters, a delay, a window. */
export interface EventTrigger {
  readonly type: 'event';
  readonly event: string;
  readonly filters: readonly Readonly<Record<string, unknown>>[];
  readonly delay_minutes: number;
  readonly start_at: string | null;
  readonly end_at: string | null;
  readonly unless: EventTriggerUnless | null;
}

/** The document leaves the trigger an open object (a oneOf in the request): its four forms. */
export type CampaignTrigger =
  | { readonly type: 'now' }
  | { readonly type: 'at'; readonly at: string }
  | { readonly type: 'cron'; readonly cron: string; readonly end_at: string | null }
  | EventTrigger;

/**
 * `${name}` in a dynamic text takes the profile property `source` (`user.<property>`), or in an
 * event campaign the triggering event's property (`event.<property>`).
 */
export interface CampaignVariable {
  readonly name: string;
  readonly source: string;
  readonly default?: string | null;
}

/** A campaign with what the caller may do with it now (`allowed_actions`). */
export type Campaign = With<
  Answered<Answer<CampaignPath, 'get'>>,
  {
    readonly state: CampaignState;
    readonly trigger: CampaignTrigger;
    readonly template_values: Record<string, unknown>;
    readonly variables: readonly CampaignVariable[];
    readonly allowed_actions: readonly CampaignAction[];
  }
>;

/** What create and update take: an incomplete draft may be saved; submit checks it whole. */
export type CampaignInput = With<
  Partial<Body<CampaignsPath, 'post'>>,
  {
    readonly trigger?: CampaignTrigger;
    readonly template_values?: Record<string, unknown>;
    readonly variables?: readonly CampaignVariable[];
  }
>;

export const runStates = [
  'rendering',
  'listening',
  'paused',
  'delivering',
  'completed',
  'stopped',
  'failed',
] as const;
export type RunState = (typeof runStates)[number];

/** One run (task instance): its progress (processed of reachable) and its messages by state. */
export type CampaignRun = With<
  Answered<ItemOf<Answer<`${CampaignPath}/runs`, 'get'>>>,
  { readonly state: RunState; readonly counts: MessageCounts }
>;

type PreviewPath = `${CampaignsPath}/preview`;
export type CampaignPreviewInput = With<
  Body<PreviewPath, 'post'>,
  { readonly template_values: Record<string, unknown>; readonly variables: readonly CampaignVariable[] }
>;

type PreviewAnswer = Answered<Answer<PreviewPath, 'post'>>;
/** The audience's estimate for the channel and its first recipients with their rendered messages. */
export type CampaignPreview = With<
  PreviewAnswer,
  {
    readonly recipients: readonly With<
      PreviewAnswer['recipients'][number],
      {
        readonly messages: readonly {
          readonly push_id: string;
          readonly params: Record<string, unknown>;
          readonly custom_params: Record<string, unknown>;
        }[];
      }
    >[];
  }
>;

// ---- The user's say: suppressions and unsubscribes (SPEC §5) ------------------------------------

/** The project's frequency cap and quiet hours (`GET/PUT …/delivery-rules`), applied to every send. */
export type DeliveryRules = Answered<Answer<'/api/v1/projects/{projectId}/delivery-rules', 'get'>>;
export type DeliveryRulesInput = Body<'/api/v1/projects/{projectId}/delivery-rules', 'put'>;

type SuppressionsPath = '/api/v1/projects/{projectId}/suppressions';

/**
 * One suppression (project-wide, `channel_id` null) or unsubscribe (one channel): an ID value,
 * or a profile itself when `id_type` is {@link PROFILE_ID_TYPE}.
 */
export type ConsentEntry = Answered<ItemOf<Answer<SuppressionsPath, 'get'>>>;
export type ConsentSource = ConsentEntry['source'];
export const consentSources = ['api', 'console', 'event'] as const satisfies readonly ConsentSource[];

/** The ID type of an entry naming a profile by its tp_uid. */
export const PROFILE_ID_TYPE = '$tp_uid';

/** What the console adds: an ID value or a profile (the document's `oneOf` is not typed). */
export type ConsentInput = Pick<Body<SuppressionsPath, 'post'>, 'reason' | 'source'> &
  ({ readonly id_type: string; readonly value: string } | { readonly tp_uid: string });

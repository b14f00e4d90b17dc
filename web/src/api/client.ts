import { endpoints, type Endpoint } from './endpoints.ts';
import type {
  AccountCreated,
  AccountSummary,
  ApiToken,
  Channel,
  InstanceProject,
  ChannelGrant,
  ChannelHealth,
  DeliveryStats,
  DeliveryStatsRange,
  ChannelInput,
  ChannelStatus,
  EnumOptionList,
  TestSendInput,
  TestSendResult,
  App,
  AppType,
  DataSource,
  PlatformConfig,
  ReportingStatus,
  SourceInput,
  SourceStatus,
  AuditEntry,
  Audience,
  Campaign,
  CampaignAction,
  CampaignInput,
  CampaignPreview,
  CampaignPreviewInput,
  CampaignRun,
  CampaignState,
  ConsentEntry,
  DeliveryRules,
  DeliveryRulesInput,
  ConsentInput,
  AudienceCatalog,
  AudienceEstimate,
  AudienceGroup,
  AudiencePreview,
  ErrorBody,
  EventDefinition,
  IdTypeDeclaration,
  IdTypeSettings,
  Profile,
  ProfileEvent,
  ProfileLag,
  VerifyEntry,
  LoginAnswer,
  Invitation,
  InvitationAccepted,
  InvitationView,
  Member,
  MemberAdded,
  Message,
  MessageBatch,
  MessageCounts,
  MessageDetail,
  MessageQuery,
  ReplayResult,
  SendAccepted,
  SendInput,
  SendProgress,
  PasswordLink,
  Page,
  PageQuery,
  Permission,
  Project,
  Role,
  RoleInfo,
  SessionAnswer,
  TokenCreated,
  ValidationIssue,
  Workspace,
  BulkErasureResult,
  ErasureItem,
  ErasureResult,
} from './types.ts';

/** A `TP_ERR_*` answer (or a network failure, code `TP_ERR_NETWORK`) as the console handles it. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, body: ErrorBody['error'], retryAfterSeconds: number | undefined = undefined) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? {};
    this.requestId = body.requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Validation issues of the body, keyed by field (`/email` → `email`, `/a/0` → `a`). */
  get issues(): readonly ValidationIssue[] {
    const issues = this.details.issues;
    return Array.isArray(issues) ? (issues as ValidationIssue[]) : [];
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The session's CSRF token, sent on every write (the session cookie itself is httpOnly). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when an authenticated call answers 401: the session ended elsewhere. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type Params = Record<string, string | number>;
type Query = Record<string, string | number | null | undefined>;

function pathOf(endpoint: Endpoint, params: Params): string {
  return endpoint.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${endpoint.path}`);
    return encodeURIComponent(String(value));
  });
}

type CallOptions = { params?: Params; query?: Query; body?: unknown; quiet401?: boolean };

async function call<T>(endpoint: Endpoint, options: CallOptions = {}): Promise<T> {
  return (await answer<T>(endpoint, options)).body;
}

/** The answer with its status, for the few calls whose success codes differ in meaning (201/200). */
async function answer<T>(
  endpoint: Endpoint,
  options: CallOptions = {},
): Promise<{ status: number; body: T }> {
  let url = pathOf(endpoint, options.params ?? {});
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {}))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  if (search.size > 0) url += `?${search.toString()}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (endpoint.method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(url, {
      method: endpoint.method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    throw new ApiError(0, { code: 'TP_ERR_NETWORK', message: (error as Error).message });
  }
  if (response.status === 204) return { status: 204, body: undefined as T };
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return { status: response.status, body: parsed as T };
  const retryAfter = Number(response.headers.get('retry-after'));
  const body = (parsed as ErrorBody | undefined)?.error ?? {
    code: response.status >= 500 ? 'TP_ERR_INTERNAL' : 'TP_ERR_HTTP',
    message: `HTTP ${response.status}`,
  };
  const error = new ApiError(response.status, body, Number.isFinite(retryAfter) ? retryAfter : undefined);
  // A wrong password typed into a form (change password) is a validation error of that form,
  // not the end of the session: only other 401 answers sign the console out.
  const sessionEnded = response.status === 401 && error.code !== 'TP_ERR_AUTH_INVALID_CREDENTIALS';
  if (sessionEnded && !options.quiet401 && onUnauthorized) onUnauthorized();
  throw error;
}

type ProjectParams = { projectId: number };
type WorkspaceParams = { projectId: number; workspaceId: string };
type SourceParams = ProjectParams & { sourceId: string };
type ProfileParams = ProjectParams & { tpUid: string };
type ChannelParams = ProjectParams & { channelId: string };
type CampaignParams = WorkspaceParams & { campaignId: string };

const campaignActionEndpoints: Record<CampaignAction, Endpoint> = {
  submit: endpoints.submitCampaign,
  approve: endpoints.approveCampaign,
  reject: endpoints.rejectCampaign,
  publish: endpoints.publishCampaign,
  pause: endpoints.pauseCampaign,
  resume: endpoints.resumeCampaign,
  stop: endpoints.stopCampaign,
};

const consentAdded = (a: { status: number; body: ConsentEntry }) => ({
  entry: a.body,
  created: a.status === 201,
});

/** The Admin API as the console uses it. Every path comes from ./endpoints.ts. */
export const api = {
  login: (body: { email: string; password: string }) =>
    call<LoginAnswer>(endpoints.login, { body, quiet401: true }),
  session: () => call<SessionAnswer>(endpoints.session, { quiet401: true }),
  logout: () => call<void>(endpoints.logout, { quiet401: true }),
  changePassword: (body: { current_password: string; new_password: string }) =>
    call<void>(endpoints.changePassword, { body }),
  setPassword: (body: { token: string; password: string }) =>
    call<void>(endpoints.setPassword, { body, quiet401: true }),
  listRoles: () => call<{ items: RoleInfo[] }>(endpoints.listRoles),
  listAccounts: (query: PageQuery & { q?: string } = {}) =>
    call<Page<AccountSummary>>(endpoints.listAccounts, { query: { ...query } }),
  createAccount: (body: { email: string; name?: string; is_instance_admin?: boolean }) =>
    call<AccountCreated>(endpoints.createAccount, { body }),
  updateAccount: (p: { accountId: string }, body: { is_instance_admin?: boolean; locked?: false }) =>
    call<AccountSummary>(endpoints.updateAccount, { params: p, body }),
  issueAccountPasswordLink: (p: { accountId: string }) =>
    call<PasswordLink>(endpoints.issueAccountPasswordLink, { params: p }),
  listInstanceProjects: (query: PageQuery = {}) =>
    call<Page<InstanceProject>>(endpoints.listInstanceProjects, { query: { ...query } }),
  listProjects: (query: PageQuery = {}) =>
    call<Page<Project>>(endpoints.listProjects, { query: { ...query } }),
  createProject: (body: { name: string; time_zone?: string; admin_email?: string }) =>
    call<Project>(endpoints.createProject, { body }),
  getProject: (p: ProjectParams) => call<Project>(endpoints.getProject, { params: p }),
  updateProject: (p: ProjectParams, body: { name?: string; time_zone?: string }) =>
    call<Project>(endpoints.updateProject, { params: p, body }),
  listWorkspaces: (p: ProjectParams, query: PageQuery = {}) =>
    call<Page<Workspace>>(endpoints.listWorkspaces, { params: p, query: { ...query } }),
  createWorkspace: (p: ProjectParams, body: { name: string; require_approval?: boolean }) =>
    call<Workspace>(endpoints.createWorkspace, { params: p, body }),
  updateWorkspace: (
    p: ProjectParams & { workspaceId: string },
    body: { name?: string; require_approval?: boolean },
  ) => call<Workspace>(endpoints.updateWorkspace, { params: p, body }),
  listMembers: (p: ProjectParams, query: PageQuery = {}) =>
    call<Page<Member>>(endpoints.listMembers, { params: p, query: { ...query } }),
  addMember: (
    p: ProjectParams,
    body: { email: string; role: Role; workspace_ids?: string[]; name?: string },
  ) => call<MemberAdded>(endpoints.addMember, { params: p, body }),
  updateMember: (p: ProjectParams & { accountId: string }, body: { role?: Role; workspace_ids?: string[] }) =>
    call<Member>(endpoints.updateMember, { params: p, body }),
  removeMember: (p: ProjectParams & { accountId: string }) =>
    call<void>(endpoints.removeMember, { params: p }),
  issuePasswordLink: (p: ProjectParams & { accountId: string }) =>
    call<PasswordLink>(endpoints.issuePasswordLink, { params: p }),
  listInvitations: (p: ProjectParams, query: PageQuery = {}) =>
    call<Page<Invitation>>(endpoints.listInvitations, { params: p, query: { ...query } }),
  revokeInvitation: (p: ProjectParams & { invitationId: string }) =>
    call<void>(endpoints.revokeInvitation, { params: p }),
  /** Public: what an invitation link offers (project, e-mail, role). */
  getInvitation: (token: string) =>
    call<InvitationView>(endpoints.getInvitation, { params: { token }, quiet401: true }),
  /** As the signed-in invitee (a console session). */
  acceptInvitation: (token: string) =>
    call<InvitationAccepted>(endpoints.acceptInvitation, { params: { token } }),
  listTokens: (p: ProjectParams, query: PageQuery = {}) =>
    call<Page<ApiToken>>(endpoints.listTokens, { params: p, query: { ...query } }),
  createToken: (
    p: ProjectParams,
    body: { name: string; permissions: Permission[]; expires_in_days?: number },
  ) => call<TokenCreated>(endpoints.createToken, { params: p, body }),
  revokeToken: (p: ProjectParams & { tokenId: string }) => call<void>(endpoints.revokeToken, { params: p }),
  listAudit: (p: ProjectParams, query: PageQuery & { action?: string } = {}) =>
    call<Page<AuditEntry>>(endpoints.listAudit, { params: p, query: { ...query } }),
  listApps: (p: ProjectParams) => call<Page<App>>(endpoints.listApps, { params: p }),
  createApp: (p: ProjectParams, body: { name: string; app_type: AppType }) =>
    call<App>(endpoints.createApp, { params: p, body }),
  updateApp: (p: ProjectParams & { appId: string }, body: { name?: string; app_type?: string }) =>
    call<App>(endpoints.updateApp, { params: p, body }),
  listSources: (
    p: ProjectParams,
    query: PageQuery & { status?: SourceStatus | ''; reporting_status?: ReportingStatus | '' } = {},
  ) => call<Page<DataSource>>(endpoints.listSources, { params: p, query: { ...query } }),
  createSource: (p: ProjectParams, body: SourceInput) =>
    call<DataSource>(endpoints.createSource, { params: p, body }),
  getSource: (p: SourceParams) => call<DataSource>(endpoints.getSource, { params: p }),
  updateSource: (
    p: SourceParams,
    body: { name?: string; platforms?: readonly PlatformConfig[]; time_zone?: string | null },
  ) => call<DataSource>(endpoints.updateSource, { params: p, body }),
  disableSource: (p: SourceParams) => call<void>(endpoints.disableSource, { params: p }),
  enableSource: (p: SourceParams) => call<void>(endpoints.enableSource, { params: p }),
  deleteSource: (p: SourceParams) => call<void>(endpoints.deleteSource, { params: p }),
  revealSourceSecret: (p: SourceParams) =>
    call<{ master_secret: string }>(endpoints.revealSourceSecret, { params: p }),
  rotateSourceSecret: (p: SourceParams) =>
    call<{ master_secret: string }>(endpoints.rotateSourceSecret, { params: p }),
  getIdTypes: (p: ProjectParams) => call<IdTypeSettings>(endpoints.getIdTypes, { params: p }),
  updateIdTypes: (
    p: ProjectParams,
    body: { account_id_is_user_id?: boolean; id_types?: readonly IdTypeDeclaration[] },
  ) => call<IdTypeSettings>(endpoints.updateIdTypes, { params: p, body }),
  /** With `id_type` and `value`: the profile holding that identity (zero or one item). */
  listProfiles: (p: ProjectParams, query: PageQuery & { id_type?: string; value?: string } = {}) =>
    call<Page<Profile>>(endpoints.listProfiles, { params: p, query: { ...query } }),
  /** A merged-away tp_uid answers the profile it was merged into (compare `tp_uid`). */
  getProfile: (p: ProfileParams) => call<Profile>(endpoints.getProfile, { params: p }),
  /** How far profiles lag behind the events received (the notice beyond 5 s). */
  getProfileLag: (p: ProjectParams) => call<ProfileLag>(endpoints.getProfileLag, { params: p }),
  /** Erases the user (and every profile merged into them): project.manage. */
  eraseProfile: (p: ProfileParams) => call<ErasureResult>(endpoints.eraseProfile, { params: p }),
  /** Erases up to 1,000 users (tp_uids or identities), one result per item. */
  eraseProfiles: (p: ProjectParams, items: readonly ErasureItem[]) =>
    call<{ results: BulkErasureResult[] }>(endpoints.eraseProfiles, { params: p, body: { items } }),
  listProfileEvents: (p: ProfileParams, query: PageQuery = {}) =>
    call<Page<ProfileEvent>>(endpoints.listProfileEvents, { params: p, query: { ...query } }),
  listEvents: (p: ProjectParams) => call<Page<EventDefinition>>(endpoints.listEvents, { params: p }),
  audienceCatalog: (p: WorkspaceParams) => call<AudienceCatalog>(endpoints.audienceCatalog, { params: p }),
  estimateAudience: (p: WorkspaceParams, body: { conditions: AudienceGroup; channel_id?: string }) =>
    call<AudienceEstimate>(endpoints.estimateAudience, { params: p, body }),
  previewAudience: (p: WorkspaceParams, body: { conditions: AudienceGroup; limit?: number }) =>
    call<AudiencePreview>(endpoints.previewAudience, { params: p, body }),
  listAudiences: (p: WorkspaceParams, query: PageQuery = {}) =>
    call<Page<Audience>>(endpoints.listAudiences, { params: p, query: { ...query } }),
  createAudience: (
    p: WorkspaceParams,
    body: { name: string; description?: string | null; conditions: AudienceGroup },
  ) => call<Audience>(endpoints.createAudience, { params: p, body }),
  getAudience: (p: WorkspaceParams & { audienceId: string }) =>
    call<Audience>(endpoints.getAudience, { params: p }),
  updateAudience: (
    p: WorkspaceParams & { audienceId: string },
    body: { name?: string; description?: string | null; conditions?: AudienceGroup },
  ) => call<Audience>(endpoints.updateAudience, { params: p, body }),
  deleteAudience: (p: WorkspaceParams & { audienceId: string }) =>
    call<void>(endpoints.deleteAudience, { params: p }),
  listCampaigns: (p: WorkspaceParams, query: PageQuery & { state?: CampaignState | '' } = {}) =>
    call<Page<Campaign>>(endpoints.listCampaigns, { params: p, query: { ...query } }),
  createCampaign: (p: WorkspaceParams, body: CampaignInput & { name: string }) =>
    call<Campaign>(endpoints.createCampaign, { params: p, body }),
  getCampaign: (p: CampaignParams) => call<Campaign>(endpoints.getCampaign, { params: p }),
  updateCampaign: (p: CampaignParams, body: CampaignInput) =>
    call<Campaign>(endpoints.updateCampaign, { params: p, body }),
  deleteCampaign: (p: CampaignParams) => call<void>(endpoints.deleteCampaign, { params: p }),
  /** A transition; `reject` takes `{reason}`. A forbidden one answers TP_ERR_CAMPAIGN_STATE. */
  campaignAction: (p: CampaignParams, action: CampaignAction, body: { reason?: string } = {}) =>
    call<Campaign>(campaignActionEndpoints[action], { params: p, body }),
  listCampaignRuns: (p: CampaignParams, query: PageQuery = {}) =>
    call<Page<CampaignRun>>(endpoints.listCampaignRuns, { params: p, query: { ...query } }),
  /** The audience's estimate on the channel and up to `limit` recipients with their rendered messages. */
  previewCampaign: (p: WorkspaceParams, body: CampaignPreviewInput) =>
    call<CampaignPreview>(endpoints.previewCampaign, { params: p, body }),
  getDeliveryRules: (p: ProjectParams) => call<DeliveryRules>(endpoints.getDeliveryRules, { params: p }),
  /** `project.manage`; null turns the cap or the quiet hours off. */
  setDeliveryRules: (p: ProjectParams, body: DeliveryRulesInput) =>
    call<DeliveryRules>(endpoints.setDeliveryRules, { params: p, body }),
  /** With `id_type` and/or `value`: the entries of that ID value (`$tp_uid`: a profile itself). */
  listSuppressions: (p: ProjectParams, query: PageQuery & { id_type?: string; value?: string } = {}) =>
    call<Page<ConsentEntry>>(endpoints.listSuppressions, { params: p, query: { ...query } }),
  /** `created` false: the value was already listed (200), `entry` is the existing one. */
  addSuppression: (p: ProjectParams, body: ConsentInput) =>
    answer<ConsentEntry>(endpoints.addSuppression, { params: p, body }).then(consentAdded),
  removeSuppression: (p: ProjectParams & { suppressionId: string }) =>
    call<void>(endpoints.removeSuppression, { params: p }),
  listUnsubscribes: (p: ChannelParams, query: PageQuery & { id_type?: string; value?: string } = {}) =>
    call<Page<ConsentEntry>>(endpoints.listUnsubscribes, { params: p, query: { ...query } }),
  addUnsubscribe: (p: ChannelParams, body: ConsentInput) =>
    answer<ConsentEntry>(endpoints.addUnsubscribe, { params: p, body }).then(consentAdded),
  removeUnsubscribe: (p: ChannelParams & { unsubscribeId: string }) =>
    call<void>(endpoints.removeUnsubscribe, { params: p }),
  declareEvent: (p: ProjectParams, body: { name: string; description?: string | null }) =>
    call<void>(endpoints.declareEvent, { params: p, body }),
  recentVerify: (p: SourceParams) => call<{ items: VerifyEntry[] }>(endpoints.recentVerify, { params: p }),
  listChannels: (p: ProjectParams, query: PageQuery & { status?: ChannelStatus | '' } = {}) =>
    call<Page<Channel>>(endpoints.listChannels, { params: p, query: { ...query } }),
  createChannel: (p: ProjectParams, body: ChannelInput & { kind: 'webhook' }) =>
    call<Channel>(endpoints.createChannel, { params: p, body }),
  getChannel: (p: ChannelParams) => call<Channel>(endpoints.getChannel, { params: p }),
  updateChannel: (p: ChannelParams, body: ChannelInput) =>
    call<Channel>(endpoints.updateChannel, { params: p, body }),
  deleteChannel: (p: ChannelParams) => call<void>(endpoints.deleteChannel, { params: p }),
  disableChannel: (p: ChannelParams) => call<Channel>(endpoints.disableChannel, { params: p }),
  enableChannel: (p: ChannelParams) => call<Channel>(endpoints.enableChannel, { params: p }),
  rotateChannelKey: (p: ChannelParams, body: { force?: boolean } = {}) =>
    call<Channel>(endpoints.rotateChannelKey, { params: p, body }),
  updateChannelCredentials: (p: ChannelParams, body: { token: string }) =>
    call<Channel>(endpoints.updateChannelCredentials, { params: p, body }),
  authorizeChannel: (p: ChannelParams & { workspaceId: string }) =>
    call<Channel>(endpoints.authorizeChannel, { params: p }),
  deauthorizeChannel: (p: ChannelParams & { workspaceId: string }) =>
    call<Channel>(endpoints.deauthorizeChannel, { params: p }),
  listChannelGrants: (p: ChannelParams) =>
    call<Page<ChannelGrant>>(endpoints.listChannelGrants, { params: p }),
  grantChannel: (p: ChannelParams & { accountId: string }) =>
    call<void>(endpoints.grantChannel, { params: p }),
  revokeChannelGrant: (p: ChannelParams & { accountId: string }) =>
    call<void>(endpoints.revokeChannelGrant, { params: p }),
  channelFieldOptions: (p: ChannelParams & { fieldKey: string }) =>
    call<EnumOptionList>(endpoints.channelFieldOptions, { params: p }),
  previewEnumOptions: (p: ProjectParams, body: { url: string; token?: string }) =>
    call<EnumOptionList>(endpoints.previewEnumOptions, { params: p, body }),
  testSendChannel: (p: ChannelParams, body: TestSendInput) =>
    call<TestSendResult>(endpoints.testSendChannel, { params: p, body }),
  testSendWorkspaceChannel: (p: ChannelParams & { workspaceId: string }, body: TestSendInput) =>
    call<TestSendResult>(endpoints.testSendWorkspaceChannel, { params: p, body }),
  /** The send API (SPEC §4.1): 202 with the send's id; skipped recipients listed with reasons. */
  createSend: (p: ProjectParams & { workspaceId: string }, body: SendInput) =>
    call<SendAccepted>(endpoints.createSend, { params: p, body }),
  getSend: (p: ProjectParams & { workspaceId: string; sendId: string }) =>
    call<SendProgress>(endpoints.getSend, { params: p }),
  listMessages: (p: ProjectParams, query: PageQuery & MessageQuery = {}) =>
    call<Page<Message>>(endpoints.listMessages, { params: p, query: { ...query } }),
  messageCounts: (p: ProjectParams, query: MessageQuery = {}) =>
    call<MessageCounts>(endpoints.messageCounts, { params: p, query: { ...query } }),
  getMessage: (p: ProjectParams & { opsRequestId: string }) =>
    call<MessageDetail>(endpoints.getMessage, { params: p }),
  messageBatch: (p: ProjectParams & { opsRequestId: string; batchId: string }) =>
    call<MessageBatch>(endpoints.messageBatch, { params: p }),
  /** Re-queues with the same ops_request_id: the listed messages, or a channel's failed/dead since a time. */
  replayMessages: (
    p: ProjectParams,
    body: { ops_request_ids: readonly string[] } | { channel_id: string; since: string },
  ) => call<ReplayResult>(endpoints.replayMessages, { params: p, body }),
  channelHealth: (p: ChannelParams) => call<ChannelHealth>(endpoints.channelHealth, { params: p }),
  channelDeliveryStats: (p: ChannelParams, range: DeliveryStatsRange) =>
    call<DeliveryStats>(endpoints.channelDeliveryStats, { params: p, query: { range } }),
  resumeChannel: (p: ChannelParams) => call<{ resumed: number }>(endpoints.resumeChannel, { params: p }),
};

/** The verify stream's URL for an EventSource (same origin: the session cookie goes with it). */
export function verifyStreamUrl(p: SourceParams): string {
  return pathOf(endpoints.verifyStream, p);
}

/** Fetches every page of a list (for small lists such as workspaces in a picker). */
export async function fetchAll<T>(
  fetchPage: (query: PageQuery) => Promise<Page<T>>,
  maxPages = 20,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await fetchPage({ limit: 100, cursor });
    all.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return all;
}

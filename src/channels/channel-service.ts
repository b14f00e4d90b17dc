import { type Caller, type ProjectAccess, auditContextOf, type WorkspaceGate } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import type { Cidr } from '../config/cidr.ts';
import { TouchpointError } from '../errors.ts';
import type { GuardedClient } from '../net/guarded-client.ts';
import type { ProfileLookup } from '../profiles/profile-lookup.ts';
import { looksMasked, type SecretBox } from '../secrets/secret-box.ts';
import type { ChannelPatch as RowPatch } from '../store/repositories/channels-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { ProjectScope } from '../access/scope.ts';
import type { AuditLog } from '../access/audit-log.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import type { ChannelSecrets, DeliveryResult } from './channel-driver.ts';
import { channelDrivers } from './channel-drivers.ts';
import { EnumOptionsSource, type EnumOptionList } from './enum-options.ts';
import {
  DEFAULT_V2_OVERLAP_MS,
  type Channel,
  type ChannelCategory,
  type ChannelKind,
  type ChannelStatus,
  type EnumOption,
  type TemplateField,
  type WebhookConfig,
} from './model.ts';
import { renderMessages, type Recipient } from './render-messages.ts';
import { checkTemplateValues, type EnumCodes } from './template.ts';
import { defaultTestSendLimits, TestSendLimiter, type TestSendLimits } from './test-send-limiter.ts';
import { Issues } from '../issues.ts';
import { checkChannelName, checkChannelUrl } from './channel-checks.ts';
import { checkVariables, type VariableJson } from './variables.ts';

/** A campaign that keeps a channel from being disabled. */
export interface BlockingCampaign {
  readonly id: string;
  readonly name: string;
  readonly state: string;
}

/**
 * Which campaigns use a channel (SPEC §3.1: a channel cannot be disabled while a `running`,
 * `paused`, `scheduled`, `pending_publish` or `pending_approval` campaign uses it). Implemented
 * by the campaigns module; until it exists no campaign uses any channel.
 */
export interface ChannelUsage {
  blockingCampaigns(scope: ProjectScope, channelId: string): Promise<readonly BlockingCampaign[]>;
}

export const noCampaigns: ChannelUsage = { blockingCampaigns: async () => [] };

/** A member acting with a channel: who, and their access to the channel's project. */
export interface ChannelUser {
  readonly accountId: string;
  readonly access: ProjectAccess;
}

export interface ChannelInput {
  readonly kind: ChannelKind;
  readonly name: string;
  readonly category: ChannelCategory;
  readonly description: string | null;
  readonly appId: string | null;
  readonly config: WebhookConfig;
  readonly token: string | null | undefined;
}

export interface ChannelEdit {
  readonly kind?: string;
  readonly name?: string;
  readonly category?: ChannelCategory;
  readonly description?: string | null;
  readonly appId?: string | null;
  readonly config?: Partial<WebhookConfig>;
  /** undefined: keep; null: clear (only with auth none); text: replace. */
  readonly token?: string | null;
}

/** A create, edit or rotation; `newV2Key` is the generated signature-v2 key, shown this once. */
export interface ChannelChange {
  readonly channel: Channel;
  readonly newV2Key?: string;
}

/** Who receives a test send: a profile by ID, or properties typed by hand. */
export type TestRecipient =
  | { readonly idType: string; readonly testId: string }
  | { readonly properties: Readonly<Record<string, unknown>> };

export interface TestSendOutcome {
  readonly result: DeliveryResult;
  readonly channel: Channel;
}

const context = (channel: { id: string; projectId: number }, column: 'token' | 'v2_key') => ({
  table: 'channels',
  column,
  rowId: channel.id,
  projectId: channel.projectId,
});

const isUniqueViolation = (error: unknown) => error instanceof UniqueViolationError;

/** Messages a lifecycle change re-queues are spread over this long (no burst after a hold). */
const heldResumeSpreadMs = 5000;

/** A test send waits at most this long, whatever the channel's timeout. */
export const testSendMaxTimeoutMs = 30_000;

/**
 * Reach channels (SPEC §3.1): the webhook channel's configuration and every rule of its
 * lifecycle, workspace authorizations, usage grants, encrypted secrets with signature-v2 key
 * rotation, enum options, and test sends through the channel's driver and the guarded client.
 * Every change is audited.
 */
export class ChannelsService {
  readonly #store: Store;
  readonly #secrets: SecretBox;
  readonly #auditLog: AuditLog;
  readonly #access: WorkspaceGate;
  readonly #client: GuardedClient;
  readonly #allowTargets: readonly Cidr[];
  readonly #profiles: ProfileLookup | undefined;
  readonly #usage: ChannelUsage;
  readonly #now: () => number;
  readonly #limiter: TestSendLimiter;
  readonly enumOptions: EnumOptionsSource;

  constructor(deps: {
    store: Store;
    secrets: SecretBox;
    audit: AuditLog;
    access: WorkspaceGate;
    client: GuardedClient;
    allowTargets: readonly Cidr[];
    profiles?: ProfileLookup;
    usage?: ChannelUsage;
    now?: () => number;
    testSendLimits?: TestSendLimits;
  }) {
    this.#store = deps.store;
    this.#secrets = deps.secrets;
    this.#auditLog = deps.audit;
    this.#access = deps.access;
    this.#client = deps.client;
    this.#allowTargets = deps.allowTargets;
    this.#profiles = deps.profiles;
    this.#usage = deps.usage ?? noCampaigns;
    this.#now = deps.now ?? Date.now;
    this.#limiter = new TestSendLimiter(deps.testSendLimits ?? defaultTestSendLimits, this.#now);
    this.enumOptions = new EnumOptionsSource({ client: deps.client, now: this.#now });
  }

  // ---- reading --------------------------------------------------------------------------------

  list(access: ProjectAccess, filter: { status?: ChannelStatus }, page: PageRequest): Promise<Channel[]> {
    return this.#store.channels.list(access.scope, filter, page);
  }

  async get(access: ProjectAccess, id: string, repos: Repositories = this.#store): Promise<Channel> {
    const channel = await repos.channels.get(access.scope, id);
    if (!channel) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
    return channel;
  }

  /** Whether the row holds each secret; the values themselves never leave this module. */
  secretsSet(channel: Channel) {
    const now = this.#now();
    return {
      token: channel.secrets.token !== null,
      v2Key: channel.secrets.v2Key !== null,
      v2PreviousUntil:
        channel.secrets.v2PreviousKey !== null &&
        channel.secrets.v2PreviousUntil !== null &&
        channel.secrets.v2PreviousUntil > now
          ? channel.secrets.v2PreviousUntil
          : null,
    };
  }

  // ---- create and edit ------------------------------------------------------------------------

  #checkToken(auth: 'none' | 'token', token: string | null | undefined, issues: Issues, editing: boolean) {
    if (typeof token === 'string' && looksMasked(token))
      throw new TouchpointError('TP_ERR_SECRET_MASKED_VALUE', { field: 'token' });
    if (auth === 'none' && typeof token === 'string')
      issues.add('/token', 'not_allowed', 'is used only with auth "token"');
    if (auth === 'token') {
      if (token === null || (!editing && token === undefined))
        issues.add('/token', 'required', 'is required while auth is "token"');
      else if (typeof token === 'string' && token.trim() === '')
        issues.add('/token', 'min_length', 'must not be empty');
    }
  }

  async #checkApp(access: ProjectAccess, appId: string | null | undefined): Promise<void> {
    if (appId === null || appId === undefined) return;
    if (!(await this.#store.sources.getApp(access.scope, appId)))
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'app', id: appId });
  }

  async create(caller: Caller, access: ProjectAccess, input: ChannelInput): Promise<ChannelChange> {
    const issues = new Issues();
    const name = checkChannelName(input.name, issues);
    const driver = channelDrivers[input.kind];
    const config = driver.checkConfig(input.config, { allowTargets: this.#allowTargets }, issues);
    this.#checkToken(config.auth, input.token, issues, false);
    issues.throwIfAny();
    await this.#checkApp(access, input.appId);
    const id = newId('chn');
    const ids = { id, projectId: access.scope.projectId };
    const newV2Key = driver.wantsSigningKey(config) ? driver.newSigningKey() : undefined;
    try {
      const channel = await this.#store.transaction(async (tx) => {
        await tx.channels.create(access.scope, {
          id,
          kind: input.kind,
          name,
          category: input.category,
          description: input.description?.trim() || null,
          appId: input.appId,
          config,
          secrets: {
            token:
              config.auth === 'token' && input.token
                ? this.#secrets.encrypt(input.token, context(ids, 'token'))
                : null,
            v2Key: newV2Key ? this.#secrets.encrypt(newV2Key, context(ids, 'v2_key')) : null,
            v2PreviousKey: null,
            v2PreviousUntil: null,
          },
        });
        await this.#audit(
          tx,
          caller,
          access,
          'channel.created',
          { id, name },
          { kind: input.kind, url: config.url },
        );
        return this.get(access, id, tx);
      });
      return { channel, ...(newV2Key ? { newV2Key } : {}) };
    } catch (error) {
      if (isUniqueViolation(error)) throw new TouchpointError('TP_ERR_CHANNEL_NAME_TAKEN', { name });
      throw error;
    }
  }

  /** Edits a disabled channel; its kind never changes (SPEC §3.1). */
  async update(caller: Caller, access: ProjectAccess, id: string, edit: ChannelEdit): Promise<ChannelChange> {
    const before = await this.get(access, id);
    if (edit.kind !== undefined && edit.kind !== before.kind)
      throw new TouchpointError('TP_ERR_CHANNEL_KIND_IMMUTABLE', { kind: before.kind });
    if (before.status === 'enabled')
      throw new TouchpointError('TP_ERR_CHANNEL_EDIT_WHILE_ENABLED', { status: 'enabled' });
    const issues = new Issues();
    const name = edit.name === undefined ? undefined : checkChannelName(edit.name, issues);
    const driver = channelDrivers[before.kind];
    const config = driver.checkConfig(
      { ...before.config, ...edit.config },
      { allowTargets: this.#allowTargets },
      issues,
    );
    const switchedToToken = config.auth === 'token' && before.config.auth !== 'token';
    this.#checkToken(
      config.auth,
      switchedToToken && edit.token === undefined ? null : edit.token,
      issues,
      true,
    );
    issues.throwIfAny();
    await this.#checkApp(access, edit.appId);

    const secrets: {
      -readonly [K in keyof NonNullable<RowPatch['secrets']>]?: NonNullable<RowPatch['secrets']>[K];
    } = {};
    if (config.auth === 'none') secrets.token = null;
    else if (typeof edit.token === 'string')
      secrets.token = this.#secrets.encrypt(edit.token, context(before, 'token'));
    let newV2Key: string | undefined;
    if (driver.wantsSigningKey(config) && !driver.wantsSigningKey(before.config)) {
      newV2Key = driver.newSigningKey();
      Object.assign(secrets, {
        v2Key: this.#secrets.encrypt(newV2Key, context(before, 'v2_key')),
        v2PreviousKey: null,
        v2PreviousUntil: null,
      });
    } else if (!driver.wantsSigningKey(config))
      Object.assign(secrets, { v2Key: null, v2PreviousKey: null, v2PreviousUntil: null });

    // Anything the endpoint sees changed: the last successful test no longer says much.
    const retest =
      config.url !== before.config.url ||
      config.auth !== before.config.auth ||
      secrets.token !== undefined ||
      newV2Key !== undefined ||
      JSON.stringify(config.template) !== JSON.stringify(before.config.template);
    try {
      const channel = await this.#store.transaction(async (tx) => {
        const changed = await tx.channels.update(access.scope, id, {
          name,
          category: edit.category,
          description: edit.description === undefined ? undefined : edit.description?.trim() || null,
          appId: edit.appId,
          config,
          secrets,
          ...(retest ? { testStatus: 'untested' as const, testedAt: null } : {}),
        });
        if (!changed) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
        const fields = Object.keys(edit.config ?? {}).concat(
          (['name', 'category', 'description', 'appId', 'token'] as const).filter(
            (k) => edit[k] !== undefined,
          ),
        );
        await this.#audit(
          tx,
          caller,
          access,
          'channel.updated',
          { id, name: name ?? before.name },
          { fields },
        );
        return this.get(access, id, tx);
      });
      return { channel, ...(newV2Key ? { newV2Key } : {}) };
    } catch (error) {
      if (isUniqueViolation(error)) throw new TouchpointError('TP_ERR_CHANNEL_NAME_TAKEN', { name });
      throw error;
    }
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async #setStatus(
    caller: Caller,
    access: ProjectAccess,
    id: string,
    status: ChannelStatus,
  ): Promise<Channel> {
    const channel = await this.get(access, id);
    if (status === 'disabled') {
      const campaigns = await this.#usage.blockingCampaigns(access.scope, id);
      if (campaigns.length > 0)
        throw new TouchpointError(
          'TP_ERR_CHANNEL_IN_USE',
          { campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, state: c.state })) },
          {
            message: `Campaigns use this channel: ${campaigns.map((c) => `${c.name} (${c.state})`).join(', ')}; stop them first.`,
          },
        );
    }
    if (channel.status === status) return channel;
    return this.#store.transaction(async (tx) => {
      await tx.channels.update(access.scope, id, { status });
      // SPEC §4: a disabled channel's queued messages wait (held); enabling re-queues them.
      if (status === 'disabled') await tx.delivery.hold(access.scope, id, 'disabled');
      else
        await tx.delivery.resume(access.scope, id, ['disabled'], {
          nowMs: this.#now(),
          spreadMs: heldResumeSpreadMs,
        });
      await this.#audit(
        tx,
        caller,
        access,
        status === 'disabled' ? 'channel.disabled' : 'channel.enabled',
        channel,
      );
      return this.get(access, id, tx);
    });
  }

  disable(caller: Caller, access: ProjectAccess, id: string) {
    return this.#setStatus(caller, access, id, 'disabled');
  }
  enable(caller: Caller, access: ProjectAccess, id: string) {
    return this.#setStatus(caller, access, id, 'enabled');
  }

  /** Deletes a disabled channel with its secrets, authorizations and usage grants. */
  async delete(caller: Caller, access: ProjectAccess, id: string): Promise<void> {
    const channel = await this.get(access, id);
    if (channel.status !== 'disabled') throw new TouchpointError('TP_ERR_CHANNEL_DELETE_WHILE_ENABLED');
    await this.#store.transaction(async (tx) => {
      if (!(await tx.channels.delete(access.scope, id, this.#now())))
        throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
      await this.#audit(tx, caller, access, 'channel.deleted', channel);
    });
  }

  // ---- the two audited actions allowed at any time ---------------------------------------------

  /**
   * A new signature-v2 key; the previous one stays valid for `overlapMs` (default 24 h), and both
   * sign every request meanwhile. A second rotation during the overlap is refused unless `force`,
   * which ends the older key's overlap at once.
   */
  async rotateSigningKey(
    caller: Caller,
    access: ProjectAccess,
    id: string,
    options: { force?: boolean; overlapMs?: number } = {},
  ): Promise<ChannelChange & { newV2Key: string }> {
    const channel = await this.get(access, id);
    if (!channel.config.signatureV2 || channel.secrets.v2Key === null)
      throw new TouchpointError('TP_ERR_CHANNEL_SIGNATURE_V2_OFF');
    const now = this.#now();
    const overlapUntil = this.secretsSet(channel).v2PreviousUntil;
    if (overlapUntil !== null && !options.force)
      throw new TouchpointError('TP_ERR_CHANNEL_ROTATION_IN_PROGRESS', {
        previous_key_expires_at: new Date(overlapUntil).toISOString(),
      });
    const newV2Key = channelDrivers[channel.kind].newSigningKey();
    const overlapMs = options.overlapMs ?? DEFAULT_V2_OVERLAP_MS;
    const updated = await this.#store.transaction(async (tx) => {
      await tx.channels.update(access.scope, id, {
        secrets: {
          v2Key: this.#secrets.encrypt(newV2Key, context(channel, 'v2_key')),
          // Same row and column context: the current ciphertext moves over as it is.
          v2PreviousKey: overlapMs > 0 ? channel.secrets.v2Key : null,
          v2PreviousUntil: overlapMs > 0 ? now + overlapMs : null,
        },
      });
      await this.#audit(tx, caller, access, 'secret.rotated', channel, {
        secret: 'signature_v2_key',
        overlap_s: Math.round(overlapMs / 1000),
        forced: overlapUntil !== null,
      });
      return this.get(access, id, tx);
    });
    return { channel: updated, newV2Key };
  }

  /** Replaces the channel token (the endpoint's third-party credential) at any time. */
  async updateCredentials(
    caller: Caller,
    access: ProjectAccess,
    id: string,
    token: string,
  ): Promise<Channel> {
    const channel = await this.get(access, id);
    if (looksMasked(token)) throw new TouchpointError('TP_ERR_SECRET_MASKED_VALUE', { field: 'token' });
    if (channel.config.auth !== 'token') throw new TouchpointError('TP_ERR_CHANNEL_AUTH_NONE');
    if (token.trim() === '') {
      const issues = new Issues();
      issues.add('/token', 'min_length', 'must not be empty');
      issues.throwIfAny();
    }
    return this.#store.transaction(async (tx) => {
      await tx.channels.update(access.scope, id, {
        secrets: { token: this.#secrets.encrypt(token, context(channel, 'token')) },
      });
      await this.#audit(tx, caller, access, 'secret.rotated', channel, { secret: 'token' });
      return this.get(access, id, tx);
    });
  }

  // ---- authorizations and grants ---------------------------------------------------------------

  /** Authorizes a workspace (already checked to be the project's and visible to the caller). */
  async authorize(caller: Caller, access: ProjectAccess, id: string, workspaceId: string): Promise<Channel> {
    const channel = await this.get(access, id);
    if (channel.workspaceIds.includes(workspaceId)) return channel;
    return this.#store.transaction(async (tx) => {
      await tx.channels.authorize(access.scope, id, workspaceId, caller.account.id);
      await tx.delivery.resume(access.scope, id, ['not_authorized'], {
        nowMs: this.#now(),
        spreadMs: heldResumeSpreadMs,
        workspaceId,
      });
      await this.#audit(tx, caller, access, 'channel.authorized', channel, { workspace_id: workspaceId });
      return this.get(access, id, tx);
    });
  }

  async deauthorize(
    caller: Caller,
    access: ProjectAccess,
    id: string,
    workspaceId: string,
  ): Promise<Channel> {
    const channel = await this.get(access, id);
    if (!channel.workspaceIds.includes(workspaceId)) return channel;
    return this.#store.transaction(async (tx) => {
      await tx.channels.deauthorize(access.scope, id, workspaceId);
      // The workspace's sends wait until it is authorized again.
      await tx.delivery.hold(access.scope, id, 'not_authorized', { workspaceId });
      await this.#audit(tx, caller, access, 'channel.deauthorized', channel, { workspace_id: workspaceId });
      return this.get(access, id, tx);
    });
  }

  async #grantee(access: ProjectAccess, accountId: string) {
    const member = await this.#store.members.get(access.scope, accountId);
    // A workspace admin manages only members who share one of its workspaces.
    if (
      !member ||
      (access.workspaceIds !== 'all' &&
        !member.workspaceIds.some((w) => (access.workspaceIds as readonly string[]).includes(w)))
    )
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'member' });
    return member;
  }

  async listGrants(access: ProjectAccess, id: string) {
    await this.get(access, id);
    return this.#store.channels.listGrants(access.scope, id);
  }

  async grant(caller: Caller, access: ProjectAccess, id: string, accountId: string): Promise<void> {
    const channel = await this.get(access, id);
    const member = await this.#grantee(access, accountId);
    await this.#store.transaction(async (tx) => {
      await tx.members.grantUsage(access.scope, accountId, id, caller.account.id);
      await this.#audit(tx, caller, access, 'channel.grant.added', channel, { account: member.email });
    });
  }

  async revokeGrant(caller: Caller, access: ProjectAccess, id: string, accountId: string): Promise<void> {
    const channel = await this.get(access, id);
    const member = await this.#grantee(access, accountId);
    await this.#store.transaction(async (tx) => {
      if (await tx.members.revokeUsage(access.scope, accountId, id))
        await this.#audit(tx, caller, access, 'channel.grant.removed', channel, { account: member.email });
    });
  }

  // ---- use --------------------------------------------------------------------------------------

  /**
   * The one check before a channel is used in a workspace (test sends now; campaigns and sends
   * later): 404 when the channel or workspace is not visible, 403 `TP_ERR_CHANNEL_NOT_AUTHORIZED`
   * when the workspace is not authorized, 403 `TP_ERR_CHANNEL_NO_USAGE_GRANT` for an operator
   * without a grant, 409 `TP_ERR_CHANNEL_DISABLED` for a disabled channel.
   */
  async assertChannelUsable(user: ChannelUser, workspaceId: string, channelId: string): Promise<Channel> {
    await this.#access.requireWorkspace(user.access, workspaceId);
    const channel = await this.get(user.access, channelId);
    if (!channel.workspaceIds.includes(workspaceId))
      throw new TouchpointError('TP_ERR_CHANNEL_NOT_AUTHORIZED', {
        channel_id: channelId,
        workspace_id: workspaceId,
      });
    if (!user.access.permissions.has('reach.webhook.use'))
      throw new TouchpointError('TP_ERR_FORBIDDEN', { permission: 'reach.webhook.use' });
    if (!(await this.#access.hasUsageGrant(user.access, user.accountId, channelId)))
      throw new TouchpointError('TP_ERR_CHANNEL_NO_USAGE_GRANT', { channel_id: channelId });
    if (channel.status !== 'enabled')
      throw new TouchpointError('TP_ERR_CHANNEL_DISABLED', { channel_id: channelId });
    return channel;
  }

  /** The channel picker: enabled channels authorized to the workspace that the user may use. */
  async usableChannels(
    user: ChannelUser,
    workspaceId: string,
    page: PageRequest,
  ): Promise<{ rows: Channel[]; usable: ReadonlySet<string> }> {
    const rows = await this.#store.channels.list(user.access.scope, { status: 'enabled', workspaceId }, page);
    const usable = new Set<string>();
    for (const channel of rows)
      if (await this.#access.hasUsageGrant(user.access, user.accountId, channel.id)) usable.add(channel.id);
    return { rows, usable };
  }

  // ---- enum options -----------------------------------------------------------------------------

  #token(channel: Channel): string | undefined {
    if (channel.config.auth !== 'token' || channel.secrets.token === null) return undefined;
    return this.#secrets.decrypt(channel.secrets.token, context(channel, 'token'));
  }

  /**
   * The options of an enum field (manual list, or the URL's list: cached, stale on failure).
   * `limit` names who pays when a request must leave: a member's fetches are rate-limited like
   * previews and test sends; a render at send time passes none.
   */
  async fieldOptions(
    channel: Channel,
    field: TemplateField,
    limit?: { projectId: number; accountId: string },
  ): Promise<EnumOptionList> {
    if (field.optionsUrl === undefined)
      return { options: field.options ?? [], fetchedAt: channel.updatedAt, stale: false };
    return this.enumOptions.get(
      { projectId: channel.projectId, channelId: channel.id, field: field.key, url: field.optionsUrl },
      channelDrivers[channel.kind].enumOptionsHeaders(this.#token(channel)),
      limit ? () => this.#limiter.take(limit.projectId, limit.accountId) : undefined,
    );
  }

  /**
   * An enum field's options for a member who may manage or use channels (`reach.webhook.manage`
   * or `reach.webhook.use`); fetching the URL counts against the member's outbound limit.
   */
  async optionsOf(user: ChannelUser, id: string, fieldKey: string): Promise<EnumOptionList> {
    const { permissions } = user.access;
    if (!permissions.has('reach.webhook.manage') && !permissions.has('reach.webhook.use'))
      throw new TouchpointError('TP_ERR_FORBIDDEN', { permission: 'reach.webhook.use' });
    const channel = await this.get(user.access, id);
    const field = channel.config.template.find((f) => f.key === fieldKey && f.type === 'enum');
    if (!field) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'enum field' });
    return this.fieldOptions(channel, field, {
      projectId: channel.projectId,
      accountId: user.accountId,
    });
  }

  /** The form's preview of an options URL before it is saved; rate-limited like test sends. */
  async previewOptions(
    user: ChannelUser,
    url: string,
    token: string | undefined,
    kind: ChannelKind = 'webhook',
  ): Promise<EnumOption[]> {
    const checked = checkChannelUrl(url, '/url', this.#allowTargets);
    if (token !== undefined && looksMasked(token))
      throw new TouchpointError('TP_ERR_SECRET_MASKED_VALUE', { field: 'token' });
    this.#limiter.take(user.access.scope.projectId, user.accountId);
    return this.enumOptions.fetchNow(checked, channelDrivers[kind].enumOptionsHeaders(token));
  }

  #codesOf(channel: Channel): EnumCodes {
    return async (field) => {
      const list = await this.fieldOptions(channel, field);
      return new Set(list.options.map((o) => o.code));
    };
  }

  /** Template values checked against the channel's fields (campaign save and render call this too). */
  checkTemplateValues(channel: Channel, values: Readonly<Record<string, unknown>>, pathPrefix = '/params') {
    return checkTemplateValues(channel.config.template, values, this.#codesOf(channel), pathPrefix);
  }

  // ---- test send --------------------------------------------------------------------------------

  /**
   * For the delivery engine: a channel by id in its project (deleted ones included, so held
   * messages can name it) and a reader of its secrets in clear, called only when a request is
   * about to be made.
   */
  async forDelivery(projectId: number, channelId: string) {
    const channel = await this.#store.channels.get({ kind: 'project', projectId }, channelId);
    if (!channel) return undefined;
    return { channel, secrets: () => this.#decryptSecrets(channel) };
  }

  #decryptSecrets(channel: Channel): ChannelSecrets {
    const { v2Key, v2PreviousKey } = channel.secrets;
    const keys: string[] = [];
    if (channel.config.signatureV2 && v2Key !== null) {
      keys.push(this.#secrets.decrypt(v2Key, context(channel, 'v2_key')));
      if (v2PreviousKey !== null && this.secretsSet(channel).v2PreviousUntil !== null)
        keys.push(this.#secrets.decrypt(v2PreviousKey, context(channel, 'v2_key')));
    }
    const token = this.#token(channel);
    return { ...(token !== undefined ? { token } : {}), v2Keys: keys };
  }

  /** The test recipient: the one addressee (a test send is one message) and their properties. */
  async #recipient(channel: Channel, recipient: TestRecipient): Promise<Recipient> {
    const sendIdType = channel.config.sendIdType;
    if ('properties' in recipient) {
      const pushId = recipient.properties[sendIdType];
      if (pushId === undefined || pushId === null || pushId === '' || typeof pushId === 'object')
        throw new TouchpointError('TP_ERR_CHANNEL_TEST_NO_SEND_ID', { send_id_type: sendIdType });
      return { identities: [], properties: recipient.properties };
    }
    if (!this.#profiles) throw new TouchpointError('TP_ERR_CHANNEL_TEST_BY_ID_UNAVAILABLE');
    const profile = await this.#profiles.findByIdentity(
      { kind: 'project', projectId: channel.projectId },
      recipient.idType,
      recipient.testId,
    );
    if (!profile)
      throw new TouchpointError('TP_ERR_CHANNEL_TEST_PROFILE_NOT_FOUND', { id_type: recipient.idType });
    const pushId =
      recipient.idType === sendIdType
        ? recipient.testId
        : profile.identities.find((i) => i.type === sendIdType)?.value;
    if (pushId === undefined)
      throw new TouchpointError('TP_ERR_CHANNEL_TEST_NO_SEND_ID', { send_id_type: sendIdType });
    const identities: Record<string, unknown> = {};
    for (const identity of profile.identities) identities[identity.type] ??= identity.value;
    return {
      identities: [{ type: sendIdType, value: pushId }],
      properties: { ...identities, ...profile.properties },
    };
  }

  /**
   * Sends one real request (SPEC §3.1 "Test send") through the channel's driver and answers what
   * was sent, what came back, the timing and the verdict. The message is rendered by the same
   * renderer as every send (template values, `${name}` variables of SPEC §4.1, custom params,
   * string forms). Rate-limited per member and project; a success (or `sent` with
   * `timeout_s = -1`) marks the channel `tested`.
   */
  async testSend(
    user: ChannelUser,
    channel: Channel,
    input: {
      recipient: TestRecipient;
      params: Readonly<Record<string, unknown>>;
      variables?: readonly VariableJson[];
    },
  ): Promise<TestSendOutcome> {
    const issues = new Issues();
    const variables = checkVariables(
      input.variables ?? [],
      channel.config.template,
      input.params,
      { eventSource: false, valuesPrefix: '/params' },
      issues,
    );
    issues.throwIfAny();
    this.#limiter.take(channel.projectId, user.accountId);
    const recipient = await this.#recipient(channel, input.recipient);
    const values = await this.checkTemplateValues(channel, input.params);
    const project = await this.#store.projects.get(user.access.scope);
    const timeZone = project?.timeZone ?? 'UTC';
    const messages = renderMessages(
      {
        channel: channel.config,
        values,
        variables,
        timeZone,
        receipt: { taskId: 'test', taskInstanceId: 'test', projectId: channel.projectId },
      },
      recipient,
    );
    if (messages.length === 0)
      throw new TouchpointError('TP_ERR_CHANNEL_TEST_NO_SEND_ID', {
        send_id_type: channel.config.sendIdType,
      });
    const result = await channelDrivers[channel.kind].deliver(messages.slice(0, 1), {
      channel,
      secrets: () => this.#decryptSecrets(channel),
      client: this.#client,
      timeZone,
      nowMs: this.#now(),
      maxTimeoutMs: testSendMaxTimeoutMs,
    });
    let after = channel;
    if (result.verdict.result === 'success' || result.verdict.result === 'sent') {
      await this.#store.channels.update(user.access.scope, channel.id, {
        testStatus: 'tested',
        testedAt: this.#now(),
      });
      after = await this.get(user.access, channel.id);
    }
    return { result, channel: after };
  }

  // ---- audit -----------------------------------------------------------------------------------

  #audit(
    tx: Repositories,
    caller: Caller,
    access: ProjectAccess,
    action: string,
    channel: { id: string; name: string },
    details?: Record<string, unknown>,
  ) {
    return this.#auditLog.record(
      access.scope,
      auditContextOf(caller),
      {
        action,
        target: { type: 'channel', id: channel.id, label: channel.name },
        ...(details ? { details } : {}),
      },
      tx,
    );
  }
}

import type { ProjectAccess } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import { projectScope, type ProjectScope } from '../access/scope.ts';
import type { Channel } from '../channels/model.ts';
import { renderMessages } from '../channels/render-messages.ts';
import { checkVariables, type VariableJson } from '../channels/variables.ts';
import type { MessageValue } from '../channels/message.ts';
import { TouchpointError } from '../errors.ts';
import { Issues } from '../issues.ts';
import { identityKey, type RecipientLookup } from '../profiles/profile-lookup.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import type { Store } from '../store/store.ts';
import type { MessageState, NewMessage, SendRecord } from './model.ts';

/** SPEC §4.1: an idempotency key answers the first result again for 24 hours. */
export const idempotencyWindowMs = 24 * 60 * 60 * 1000;

/** What the send API needs of the channels module: the usability check and template checks. */
export interface SendChannels {
  assertChannelUsable(
    user: { accountId: string; access: ProjectAccess },
    workspaceId: string,
    channelId: string,
  ): Promise<Channel>;
  checkTemplateValues(
    channel: Channel,
    values: Readonly<Record<string, unknown>>,
    pathPrefix?: string,
  ): Promise<Record<string, MessageValue>>;
}

export interface SendRequest {
  readonly channelId: string;
  readonly templateValues: Readonly<Record<string, unknown>>;
  readonly variables: readonly VariableJson[];
  readonly recipients: readonly {
    readonly idType: string;
    readonly id: string;
    readonly values?: Readonly<Record<string, unknown>>;
  }[];
  readonly idempotencyKey?: string;
}

/** Why a recipient got no message (SPEC §4.1). */
export type SkipReason =
  'not_found' | 'no_send_id' | 'suppressed' | 'unsubscribed' | 'frequency_capped' | 'quiet_hours';

/** The send gate's question (implemented by the campaigns module's `SendGate`). */
export interface SendGateCheck {
  check(
    scope: ProjectScope,
    send: { readonly channelId: string },
    members: readonly { readonly tpUid: string; readonly properties: Readonly<Record<string, unknown>> }[],
    set: { readonly tpUids: readonly string[] },
  ): Promise<{
    readonly skip: ReadonlyMap<string, Exclude<SkipReason, 'not_found' | 'no_send_id'>>;
    readonly dueAt: ReadonlyMap<string, number>;
  }>;
}

export interface SendAnswer {
  readonly sendId: string;
  readonly queued: number;
  readonly skipped: readonly { readonly index: number; readonly reason: string }[];
  /** True when the idempotency key answered an earlier send (nothing enqueued now). */
  readonly replayed: boolean;
}

/**
 * The send API (SPEC §4.1 CONTRACT, the API trigger of SPEC §5): checks the channel is usable by
 * the caller in the workspace and every template value (per recipient overrides included) before
 * anything is enqueued, resolves each recipient in profiles, renders through the shared renderer
 * (one message per send-ID value), and commits the send and all its messages in one transaction.
 */
export class SendService {
  readonly #store: Store;
  readonly #channels: SendChannels;
  readonly #profiles: RecipientLookup;
  readonly #now: () => number;
  readonly #onEnqueued: (projectId: number, messages: number) => void;
  readonly #gate: SendGateCheck;

  constructor(deps: {
    store: Store;
    channels: SendChannels;
    profiles: RecipientLookup;
    gate: SendGateCheck;
    now?: () => number;
    /** Called after messages commit (wakes the dispatcher in this process). */
    onEnqueued?: (projectId: number, messages: number) => void;
  }) {
    this.#store = deps.store;
    this.#channels = deps.channels;
    this.#profiles = deps.profiles;
    this.#gate = deps.gate;
    this.#now = deps.now ?? Date.now;
    this.#onEnqueued = deps.onEnqueued ?? (() => {});
  }

  async send(
    user: { accountId: string; access: ProjectAccess },
    workspaceId: string,
    request: SendRequest,
  ): Promise<SendAnswer> {
    const scope = user.access.scope;
    const channel = await this.#channels.assertChannelUsable(user, workspaceId, request.channelId);
    const key = request.idempotencyKey;
    if (key !== undefined) {
      const earlier = await this.#earlier(scope.projectId, key);
      if (earlier) return earlier;
    }
    // Every value is checked before anything is enqueued: the shared values once, each
    // recipient's merged values where it overrides some.
    const base = await this.#channels.checkTemplateValues(
      channel,
      request.templateValues,
      '/template_values',
    );
    const issues = new Issues();
    const variables = checkVariables(
      request.variables,
      channel.config.template,
      request.templateValues,
      { eventSource: false },
      issues,
    );
    const perRecipient = new Map<number, Record<string, MessageValue>>();
    for (const [i, r] of request.recipients.entries()) {
      if (!r.values || Object.keys(r.values).length === 0) continue;
      const merged = { ...request.templateValues, ...r.values };
      try {
        perRecipient.set(
          i,
          await this.#channels.checkTemplateValues(channel, merged, `/recipients/${i}/values`),
        );
      } catch (error) {
        if (!(error instanceof TouchpointError) || error.code !== 'TP_ERR_VALIDATION') throw error;
        for (const issue of (error.details?.issues ?? []) as {
          path: string;
          rule: string;
          message: string;
        }[])
          issues.add(issue.path, issue.rule, issue.message);
      }
      checkVariables(
        request.variables,
        channel.config.template,
        merged,
        { eventSource: false, valuesPrefix: `/recipients/${i}/values` },
        issues,
      );
    }
    issues.throwIfAny();

    const project = await this.#store.projects.get(scope);
    const timeZone = project?.timeZone ?? 'UTC';
    const sendId = newId('snd');
    const messages: NewMessage[] = [];
    const skipped: { index: number; reason: SkipReason }[] = [];
    const found = await this.#profiles.findByIdentities(
      scope,
      request.recipients.map((r) => ({ type: r.idType, value: r.id })),
    );
    const members = [...new Map([...found.values()].map((p) => [p.tpUid, p])).values()];
    const verdicts = await this.#gate.check(scope, { channelId: channel.id }, members, {
      tpUids: members.map((p) => p.tpUid),
    });
    for (const [i, r] of request.recipients.entries()) {
      const profile = found.get(identityKey(r.idType, r.id));
      if (!profile) {
        skipped.push({ index: i + 1, reason: 'not_found' });
        continue;
      }
      const gated = verdicts.skip.get(profile.tpUid);
      if (gated) {
        skipped.push({ index: i + 1, reason: gated });
        continue;
      }
      const rendered = renderMessages(
        {
          channel: channel.config,
          values: perRecipient.get(i) ?? base,
          variables,
          timeZone,
          receipt: { taskId: sendId, taskInstanceId: sendId, projectId: scope.projectId },
        },
        { identities: profile.identities, properties: profile.properties },
      );
      if (rendered.length === 0) {
        skipped.push({ index: i + 1, reason: 'no_send_id' });
        continue;
      }
      for (const m of rendered)
        messages.push({
          projectId: scope.projectId,
          channelId: channel.id,
          opsRequestId: m.receipt.requestId,
          pushId: String(m.pushId),
          tpUid: profile.tpUid,
          workspaceId,
          sendId,
          campaignId: null,
          taskId: sendId,
          taskInstanceId: sendId,
          params: m.params as NewMessage['params'],
          customParams: m.customParams as NewMessage['customParams'],
          dueAt: verdicts.dueAt.get(profile.tpUid) ?? null,
        });
    }
    const now = this.#now();
    const record: SendRecord = {
      id: sendId,
      projectId: scope.projectId,
      workspaceId,
      channelId: channel.id,
      idempotencyKey: key ?? null,
      createdBy: user.accountId,
      queued: messages.length,
      skipped,
      createdAt: now,
    };
    try {
      await this.#store.transaction(async (tx) => {
        if (key !== undefined) await tx.delivery.expireKey(scope, key, now - idempotencyWindowMs);
        await tx.delivery.createSend(scope, record);
        await tx.delivery.enqueue(scope, messages, now);
      });
    } catch (error) {
      // Two requests with one key at once: the first commit wins, the second answers it.
      if (key !== undefined && error instanceof UniqueViolationError) {
        const earlier = await this.#earlier(scope.projectId, key);
        if (earlier) return earlier;
      }
      throw error;
    }
    if (messages.length > 0) this.#onEnqueued(scope.projectId, messages.length);
    return { sendId, queued: messages.length, skipped, replayed: false };
  }

  async #earlier(projectId: number, key: string): Promise<SendAnswer | undefined> {
    const send = await this.#store.delivery.sendByKey(projectScope(projectId), key);
    if (!send || send.createdAt < this.#now() - idempotencyWindowMs) return undefined;
    return { sendId: send.id, queued: send.queued, skipped: send.skipped, replayed: true };
  }

  /** A send with its messages counted by state (`GET …/sends/{id}`). */
  async get(
    access: ProjectAccess,
    workspaceId: string,
    sendId: string,
  ): Promise<{ send: SendRecord; counts: Record<MessageState, number> }> {
    const send = await this.#store.delivery.getSend(access.scope, sendId);
    if (!send || send.workspaceId !== workspaceId)
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'send' });
    const counts = await this.#store.delivery.countByState(access.scope, { sendId });
    return { send, counts };
  }
}

import { auditContextOf, type Caller, type ProjectAccess } from '../access/caller.ts';
import type { AuditLog } from '../access/audit-log.ts';
import type { PageRequest } from '../access/paging.ts';
import { TouchpointError } from '../errors.ts';
import type { ProfileLookup } from '../profiles/profile-lookup.ts';
import type { Receipt } from '../store/repositories/receipts-repository.ts';
import type { Store } from '../store/store.ts';
import { resumedHealth } from './channel-health.ts';
import { messageStates } from './plan-outcomes.ts';
import type { ChannelHealth, MessageAttempt, MessageFilter, MessageState, StoredMessage } from './model.ts';

/**
 * A messages filter as the API takes it: `identity` names the profile by any ID type (SPEC §2.2;
 * `tp_uid` the profile itself), resolved through the profile lookup before the store is asked.
 */
export type MessageSearch = MessageFilter & {
  readonly identity?: { readonly type: string; readonly value: string };
};

const noCounts = () => Object.fromEntries(messageStates.map((s) => [s, 0])) as Record<MessageState, number>;

/** Resumed messages are spread over this long so a long hold does not become one burst. */
export const resumeSpreadMs = 5000;

/**
 * The messages API (SPEC §4.2): search, one message with its attempts, replay, and Resume of an
 * unhealthy channel. Members who are not project admins see the messages of their workspaces.
 */
export class MessageService {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #now: () => number;
  readonly #onQueued: (projectId: number, messages: number) => void;
  readonly #profiles: ProfileLookup | undefined;

  constructor(deps: {
    store: Store;
    audit: AuditLog;
    /** Resolves the `identity` filter; without it that filter matches nothing. */
    profiles?: ProfileLookup;
    now?: () => number;
    onQueued?: (projectId: number, messages: number) => void;
  }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#now = deps.now ?? Date.now;
    this.#onQueued = deps.onQueued ?? (() => {});
    this.#profiles = deps.profiles;
  }

  #visible(access: ProjectAccess, filter: MessageFilter): MessageFilter {
    return access.workspaceIds === 'all' ? filter : { ...filter, workspaceIds: access.workspaceIds };
  }

  /**
   * The store filter for a search: an identity becomes the tp_uid of the profile holding it in
   * this project; an identity nobody holds (or held only in another project) matches nothing.
   */
  async #resolve(access: ProjectAccess, search: MessageSearch): Promise<MessageFilter | undefined> {
    const { identity, ...filter } = search;
    if (!identity) return this.#visible(access, filter);
    const profile = await this.#profiles?.findByIdentity(access.scope, identity.type, identity.value);
    if (!profile || (filter.tpUid !== undefined && filter.tpUid !== profile.tpUid)) return undefined;
    return this.#visible(access, { ...filter, tpUid: profile.tpUid });
  }

  async list(access: ProjectAccess, search: MessageSearch, page: PageRequest): Promise<StoredMessage[]> {
    const filter = await this.#resolve(access, search);
    return filter ? this.#store.delivery.list(access.scope, filter, page) : [];
  }

  async counts(access: ProjectAccess, search: MessageSearch): Promise<Record<MessageState, number>> {
    const filter = await this.#resolve(access, search);
    return filter ? this.#store.delivery.countByState(access.scope, filter) : noCounts();
  }

  async get(
    access: ProjectAccess,
    opsRequestId: string,
  ): Promise<{ message: StoredMessage; attempts: MessageAttempt[]; receipts: Receipt[] }> {
    const [message] = await this.#store.delivery.list(access.scope, this.#visible(access, { opsRequestId }), {
      limit: 1,
    });
    if (!message) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'message' });
    return {
      message,
      attempts: await this.#store.delivery.attempts(access.scope, message.id),
      receipts: await this.#store.receipts.ofMessage(access.scope, message.opsRequestId),
    };
  }

  batch(access: ProjectAccess, batchId: string) {
    return this.#store.delivery.batchNeighbours(access.scope, batchId);
  }

  /**
   * Replays messages (SPEC §4, WH-18..WH-20): by ids (any finished message, `delivered` included:
   * a new attempt) or a channel's `failed`/`dead` messages finished since a time, oldest first,
   * each once, with the same `ops_request_id`, flagged as manual replay. Audited.
   */
  async replay(
    caller: Caller,
    access: ProjectAccess,
    selection: { opsRequestIds: readonly string[] } | { channelId: string; since: number },
  ): Promise<string[]> {
    if ('opsRequestIds' in selection && access.workspaceIds !== 'all') {
      // Only messages the caller can see.
      for (const id of selection.opsRequestIds) await this.get(access, id);
    }
    if ('channelId' in selection && !(await this.#store.channels.get(access.scope, selection.channelId)))
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
    const replayed = await this.#store.transaction(async (tx) => {
      const ids = await tx.delivery.replay(access.scope, selection, this.#now());
      if (ids.length > 0)
        await this.#audit.record(
          access.scope,
          auditContextOf(caller),
          {
            action: 'delivery.replayed',
            target:
              'channelId' in selection
                ? { type: 'channel', id: selection.channelId, label: selection.channelId }
                : { type: 'message', id: ids[0] as string, label: `${ids.length} message(s)` },
            details: {
              count: ids.length,
              ...('since' in selection ? { since: new Date(selection.since).toISOString() } : {}),
              ops_request_ids: ids.slice(0, 100),
            },
          },
          tx,
        );
      return ids;
    });
    if (replayed.length > 0) this.#onQueued(access.scope.projectId, replayed.length);
    return replayed;
  }

  async health(access: ProjectAccess, channelId: string): Promise<ChannelHealth> {
    if (!(await this.#store.channels.get(access.scope, channelId)))
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
    return (await this.#store.delivery.health(access.scope, channelId)) ?? resumedHealth(channelId);
  }

  /** Resume (SPEC §4): the channel is healthy again and its held messages are re-queued. */
  async resume(caller: Caller, access: ProjectAccess, channelId: string): Promise<{ resumed: number }> {
    const channel = await this.#store.channels.get(access.scope, channelId);
    if (!channel) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
    const now = this.#now();
    const resumed = await this.#store.transaction(async (tx) => {
      await tx.delivery.saveHealth(access.scope, access.scope.projectId, resumedHealth(channelId), now);
      const n = await tx.delivery.resume(access.scope, channelId, ['unhealthy'], {
        nowMs: now,
        spreadMs: resumeSpreadMs,
      });
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'channel.resumed',
          target: { type: 'channel', id: channel.id, label: channel.name },
          details: { resumed: n },
        },
        tx,
      );
      return n;
    });
    if (resumed > 0) this.#onQueued(access.scope.projectId, resumed);
    return { resumed };
  }
}

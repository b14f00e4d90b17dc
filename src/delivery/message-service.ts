import { auditContextOf, type Caller, type ProjectAccess } from '../access/caller.ts';
import type { AuditLog } from '../access/audit-log.ts';
import type { PageRequest } from '../access/paging.ts';
import { TouchpointError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { resumedHealth } from './channel-health.ts';
import type { ChannelHealth, MessageAttempt, MessageFilter, MessageState, StoredMessage } from './model.ts';

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

  constructor(deps: {
    store: Store;
    audit: AuditLog;
    now?: () => number;
    onQueued?: (projectId: number, messages: number) => void;
  }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#now = deps.now ?? Date.now;
    this.#onQueued = deps.onQueued ?? (() => {});
  }

  #visible(access: ProjectAccess, filter: MessageFilter): MessageFilter {
    return access.workspaceIds === 'all' ? filter : { ...filter, workspaceIds: access.workspaceIds };
  }

  list(access: ProjectAccess, filter: MessageFilter, page: PageRequest): Promise<StoredMessage[]> {
    return this.#store.delivery.list(access.scope, this.#visible(access, filter), page);
  }

  counts(access: ProjectAccess, filter: MessageFilter): Promise<Record<MessageState, number>> {
    return this.#store.delivery.countByState(access.scope, this.#visible(access, filter));
  }

  async get(
    access: ProjectAccess,
    opsRequestId: string,
  ): Promise<{ message: StoredMessage; attempts: MessageAttempt[] }> {
    const [message] = await this.#store.delivery.list(access.scope, this.#visible(access, { opsRequestId }), {
      limit: 1,
    });
    if (!message) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'message' });
    return { message, attempts: await this.#store.delivery.attempts(access.scope, message.id) };
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

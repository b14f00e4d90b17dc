import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type Caller, type ProjectAccess } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import type { ProjectScope } from '../access/scope.ts';
import { TouchpointError } from '../errors.ts';
import type { MemberSet } from '../store/repositories/consent-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import { PROFILE_ID_TYPE, type ConsentEntry, type GateSkip } from './consent-model.ts';

/**
 * The one send gate (SPEC §5: "every send honors suppression and per-channel unsubscribes"):
 * every path that puts messages into the outbox — the send API, campaign runs, journeys —
 * asks it which of its recipients get nothing, and records the reason as a skip.
 */
export class SendGate {
  readonly #store: Store;
  constructor(store: Store) {
    this.#store = store;
  }

  /** Members left out of a send on `channelId`, with why; empty when nothing applies. */
  async blocked(scope: ProjectScope, channelId: string, members: MemberSet): Promise<Map<string, GateSkip>> {
    if ('tpUids' in members && members.tpUids.length === 0) return new Map();
    if (!(await this.#store.consent.any(scope, channelId))) return new Map();
    return this.#store.consent.blocked(scope, channelId, members);
  }
}

/** What a consent entry names: an ID value, or a profile by its tp_uid. */
export type ConsentTarget = { readonly idType: string; readonly value: string } | { readonly tpUid: string };

/** The names of the ingested events that set a user's say (docs/campaigns.md). */
export const consentEvents = { unsubscribe: '$unsubscribe', suppress: '$suppress' } as const;

// Spelled out, not built from parts: the console names every action (test/web/audit-labels.test.ts
// finds them as literals).
const auditActions = {
  suppression: { added: 'suppression.added', removed: 'suppression.removed' },
  unsubscribe: { added: 'unsubscribe.added', removed: 'unsubscribe.removed' },
} as const;

/**
 * Suppressions (project-wide) and unsubscribes (per channel) through the API and the console;
 * ingested `$suppress` / `$unsubscribe` events add them from the profile applier
 * ({@link recordConsentEvents}). Every change is audited.
 */
export class ConsentService {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #now: () => number;

  constructor(deps: { store: Store; audit: AuditLog; now?: () => number }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#now = deps.now ?? Date.now;
  }

  async #channel(scope: ProjectScope, channelId: string | null): Promise<void> {
    if (channelId !== null && !(await this.#store.channels.get(scope, channelId)))
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'channel' });
  }

  async list(
    access: ProjectAccess,
    channelId: string | null,
    filter: { idType?: string; value?: string },
    page: PageRequest,
  ): Promise<ConsentEntry[]> {
    await this.#channel(access.scope, channelId);
    return this.#store.consent.list(access.scope, channelId, filter, page);
  }

  async add(
    caller: Caller,
    access: ProjectAccess,
    channelId: string | null,
    target: ConsentTarget,
    reason: string | null,
    source: 'api' | 'console',
  ): Promise<{ entry: ConsentEntry; created: boolean }> {
    await this.#channel(access.scope, channelId);
    const idType = 'tpUid' in target ? PROFILE_ID_TYPE : target.idType;
    const value = 'tpUid' in target ? target.tpUid : target.value;
    return this.#store.transaction(async (tx) => {
      const result = await tx.consent.add(access.scope, {
        id: newId(channelId === null ? 'sup' : 'uns'),
        channelId,
        idType,
        value,
        reason,
        source,
        createdBy: caller.account.id,
        createdAt: this.#now(),
      });
      if (result.created) await this.#record(tx, caller, access, 'added', result.entry);
      return result;
    });
  }

  async remove(caller: Caller, access: ProjectAccess, channelId: string | null, id: string): Promise<void> {
    await this.#channel(access.scope, channelId);
    const entry = await this.#store.consent.get(access.scope, channelId, id);
    if (!entry)
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: channelId ? 'unsubscribe' : 'suppression' });
    await this.#store.transaction(async (tx) => {
      if (await tx.consent.remove(access.scope, channelId, id))
        await this.#record(tx, caller, access, 'removed', entry);
    });
  }

  async #record(
    tx: Repositories,
    caller: Caller,
    access: ProjectAccess,
    what: 'added' | 'removed',
    e: ConsentEntry,
  ) {
    // The ID value is personal data: the audit entry names its type only.
    const kind = e.channelId === null ? 'suppression' : 'unsubscribe';
    await this.#audit.record(
      access.scope,
      auditContextOf(caller),
      {
        action: auditActions[kind][what],
        target: { type: kind, id: e.id, label: e.idType },
        details: { id_type: e.idType, ...(e.channelId ? { channel_id: e.channelId } : {}) },
      },
      tx,
    );
  }
}

/**
 * Records the `$unsubscribe` (property `channel_id`) and `$suppress` events of an applied window,
 * inside the applier's transaction (so each is recorded exactly once): one entry per ID value the
 * event carries, which keeps holding after profiles merge.
 */
export async function recordConsentEvents<
  E extends {
    readonly eventName: string | null;
    readonly properties: Readonly<Record<string, unknown>>;
    readonly receivedAt: number;
  },
>(
  tx: Repositories,
  scope: ProjectScope,
  events: readonly E[],
  identitiesOf: (event: E) => readonly { readonly type: string; readonly value: string }[],
): Promise<number> {
  let recorded = 0;
  for (const event of events) {
    const unsubscribe = event.eventName === consentEvents.unsubscribe;
    if (!unsubscribe && event.eventName !== consentEvents.suppress) continue;
    const channelId = unsubscribe ? event.properties.channel_id : null;
    if (unsubscribe && (typeof channelId !== 'string' || channelId === '')) continue;
    const reason = typeof event.properties.reason === 'string' ? event.properties.reason.slice(0, 500) : null;
    for (const identity of identitiesOf(event)) {
      const { created } = await tx.consent.add(scope, {
        id: newId(unsubscribe ? 'uns' : 'sup'),
        channelId: channelId as string | null,
        idType: identity.type,
        value: identity.value,
        reason,
        source: 'event',
        createdBy: null,
        createdAt: event.receivedAt,
      });
      if (created) recorded++;
    }
  }
  return recorded;
}

import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type Caller, type ProjectAccess } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import type { ProjectScope } from '../access/scope.ts';
import { TouchpointError } from '../errors.ts';
import type { MemberSet } from '../store/repositories/consent-repository.ts';
import type { Repositories, Store } from '../store/store.ts';
import { PROFILE_ID_TYPE, type ConsentEntry, type GateSkip } from './consent-model.ts';
import { Issues } from '../issues.ts';
import {
  checkQuietHours,
  noRules,
  quietUntil,
  zoneOf,
  zoneProperties,
  type CampaignRules,
  type DeliveryRules,
} from './delivery-rules.ts';

/** A member as the gate sees it: who, and the properties that may hold their time zone. */
export interface GateMember {
  readonly tpUid: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The gate's answer for a set of members. */
export interface GateVerdicts {
  /** Members who get nothing, with why. */
  readonly skip: ReadonlyMap<string, GateSkip>;
  /** Members whose message waits (queued) until this instant: the end of their quiet hours. */
  readonly dueAt: ReadonlyMap<string, number>;
}

/**
 * The one send gate (SPEC §5: "every send honors suppression and per-channel unsubscribes";
 * "frequency caps and quiet hours per project and per campaign"): every path that puts
 * messages into the outbox — the send API, campaign runs, journeys — asks it about its
 * recipients, set-based, and records each left-out member with its reason. In order: the
 * suppression list, the channel's unsubscribes, the project's frequency cap, the campaign's cap,
 * then the project's quiet hours (in the member's own time zone when a profile property names a
 * valid one, else the project's), which delay the message or, for a campaign set to `drop`,
 * skip it.
 */
export class SendGate {
  readonly #store: Store;
  readonly #now: () => number;
  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  async rules(scope: ProjectScope): Promise<DeliveryRules> {
    return ((await this.#store.consent.rules(scope)) as DeliveryRules | null) ?? noRules;
  }

  async check(
    scope: ProjectScope,
    send: { readonly channelId: string; readonly campaign?: CampaignRules },
    members: readonly GateMember[],
    set: MemberSet,
  ): Promise<GateVerdicts> {
    const skip = new Map<string, GateSkip>();
    const dueAt = new Map<string, number>();
    if (members.length === 0) return { skip, dueAt };
    if (await this.#store.consent.any(scope, send.channelId))
      for (const [tpUid, reason] of await this.#store.consent.blocked(scope, send.channelId, set))
        skip.set(tpUid, reason);
    const rules = await this.rules(scope);
    const now = this.#now();
    const cap = rules.frequencyCap;
    if (cap) {
      const counts = await this.#store.consent.sentCounts(
        scope,
        set,
        now - cap.periodHours * 3_600_000,
        cap.perChannel ? { channelId: send.channelId } : {},
      );
      for (const [tpUid, n] of counts)
        if (n >= cap.count && !skip.has(tpUid)) skip.set(tpUid, 'frequency_capped');
    }
    const own = send.campaign?.frequencyCap;
    if (send.campaign && own) {
      const counts = await this.#store.consent.sentCounts(scope, set, now - own.periodHours * 3_600_000, {
        campaignId: send.campaign.campaignId,
      });
      for (const [tpUid, n] of counts)
        if (n >= own.count && !skip.has(tpUid)) skip.set(tpUid, 'frequency_capped');
    }
    if (rules.quietHours) {
      const projectZone = (await this.#store.projects.get(scope))?.timeZone ?? 'UTC';
      for (const member of members) {
        if (skip.has(member.tpUid)) continue;
        let zone = projectZone;
        for (const property of zoneProperties) {
          const own = zoneOf(member.properties[property]);
          if (own) {
            zone = own;
            break;
          }
        }
        const until = quietUntil(now, rules.quietHours, zone);
        if (until === null) continue;
        if (send.campaign?.quietHours === 'drop') skip.set(member.tpUid, 'quiet_hours');
        else dueAt.set(member.tpUid, until);
      }
    }
    return { skip, dueAt };
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

  /** The project's delivery rules (frequency cap, quiet hours). */
  async rules(access: ProjectAccess): Promise<DeliveryRules> {
    return ((await this.#store.consent.rules(access.scope)) as DeliveryRules | null) ?? noRules;
  }

  async setRules(caller: Caller, access: ProjectAccess, rules: DeliveryRules): Promise<DeliveryRules> {
    const issues = new Issues();
    if (rules.quietHours) checkQuietHours(rules.quietHours, '/quiet_hours', issues);
    issues.throwIfAny();
    await this.#store.transaction(async (tx) => {
      await tx.consent.setRules(access.scope, rules);
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'delivery_rules.updated',
          target: { type: 'project', id: String(access.scope.projectId), label: 'delivery rules' },
          details: { frequency_cap: rules.frequencyCap, quiet_hours: rules.quietHours },
        },
        tx,
      );
    });
    return rules;
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

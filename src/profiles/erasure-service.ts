import { type Caller, type ProjectAccess, auditContextOf } from '../access/caller.ts';
import type { AuditLog } from '../access/audit-log.ts';
import { systemScope, type ProjectScope } from '../access/scope.ts';
import { TouchpointError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { BackgroundJob } from '../runner/worker-runner.ts';
import type { Repositories, Store } from '../store/store.ts';
import { identityDigest } from './identity-digest.ts';
import { builtinIdTypes, builtinPropertyIdTypes } from './model.ts';

/** Whom to erase: a profile by tp_uid, or whoever holds an identity. */
export type ErasureTarget = { readonly tpUid: string } | { readonly idType: string; readonly value: string };

/** What one erasure did: counts only, never a value that names the user. */
export interface ErasureResult {
  /** `not_found`: no profile; an identity target is still blocked (its pending events dropped). */
  readonly status: 'erased' | 'not_found';
  readonly profiles: number;
  readonly identities: number;
  readonly events: number;
  readonly verifyEntries: number;
  /** Suppressions and unsubscribes naming the user (decision 129). */
  readonly consentEntries: number;
  readonly messagesCancelled: number;
  readonly messagesStripped: number;
  readonly attemptsStripped: number;
  /** Identities blocked from re-creating a profile from older events. */
  readonly blockedIdentities: number;
}

/** Targets per bulk request (the API's limit). */
export const MAX_ERASURE_TARGETS = 1000;

const DAY_MS = 86_400_000;

/**
 * Needles for the verify buffer's stored event text: each value as a JSON string, and a
 * number-looking one also as a bare JSON number (an event refused as sent may carry `"userId": 42`).
 */
function verifyNeedles(values: Iterable<string>): string[] {
  const needles = new Set<string>();
  for (const value of values) {
    needles.add(JSON.stringify(value));
    if (/^-?\d+(\.\d+)?$/.test(value)) for (const end of [',', '}', ']']) needles.add(`:${value}${end}`);
  }
  return [...needles];
}

/**
 * Erasure of a user on request (SPEC §5, issue 20 item 4). In one transaction per user, under the
 * profile applier's project lock: the profile and every profile merged into it, their identities,
 * applied events and verify entries are deleted; their queued and held messages are cancelled and
 * every message of theirs is stripped of what names them (counts and states stay); their
 * identities become tombstones (keyed digests) that keep older events — the applier's backlog, an
 * old event sent again — from re-creating them for `blockDays`; an audit entry records counts and
 * a digest of the tp_uid.
 *
 * @example
 *   const result = await erasure.erase(caller, access, { idType: 'email', value: 'ann@example.com' });
 *   result.status; // 'erased'
 */
export class ErasureService {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #key: Buffer;
  readonly #blockMs: number;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;

  constructor(deps: {
    store: Store;
    audit: AuditLog;
    /** The same key the profile applier matches tombstones with. */
    key: Buffer;
    blockDays: number;
    logger?: Logger;
    now?: () => number;
  }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#key = deps.key;
    this.#blockMs = deps.blockDays * DAY_MS;
    this.#logger = deps.logger;
    this.#now = deps.now ?? Date.now;
  }

  /** Erases one user; a tp_uid no profile of the project has answers TP_ERR_NOT_FOUND. */
  async erase(caller: Caller, access: ProjectAccess, target: ErasureTarget): Promise<ErasureResult> {
    await this.#check(access.scope, [target]);
    const result = await this.#eraseOne(caller, access.scope, target);
    if ('tpUid' in target && result.status === 'not_found')
      throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'profile' });
    return result;
  }

  /** Erases each target in its own transaction, in order; one result per target. */
  async eraseMany(
    caller: Caller,
    access: ProjectAccess,
    targets: readonly ErasureTarget[],
  ): Promise<ErasureResult[]> {
    await this.#check(access.scope, targets);
    const results: ErasureResult[] = [];
    for (const target of targets) results.push(await this.#eraseOne(caller, access.scope, target));
    return results;
  }

  /** Prunes expired tombstones (worker role). */
  job(intervalMs = 3_600_000): BackgroundJob {
    return {
      name: 'erasure-tombstones',
      intervalMs,
      run: async () => {
        const pruned = await this.#store.erasure.pruneTombstones(
          systemScope('retention prunes expired erasure tombstones of every project'),
          this.#now(),
        );
        if (pruned > 0) this.#logger?.info({ pruned }, 'expired erasure tombstones pruned');
      },
    };
  }

  /** Every identity target names an ID type the project knows (or `tp_uid`). */
  async #check(scope: ProjectScope, targets: readonly ErasureTarget[]): Promise<void> {
    if (!targets.some((t) => 'idType' in t)) return;
    const settings = await this.#store.profiles.identitySettings(scope);
    const known = new Set<string>([
      'tp_uid',
      ...builtinIdTypes,
      ...builtinPropertyIdTypes,
      ...settings.declared.map((d) => d.name),
    ]);
    for (const [index, target] of targets.entries())
      if ('idType' in target && !known.has(target.idType))
        throw new TouchpointError(
          'TP_ERR_ERASURE_ID_TYPE_UNKNOWN',
          { index, id_type: target.idType },
          { message: `item ${index}: ${target.idType} is not an ID type of this project` },
        );
  }

  async #root(tx: Repositories, scope: ProjectScope, target: ErasureTarget): Promise<string | undefined> {
    if ('tpUid' in target) return tx.profiles.resolveTpUid(scope, target.tpUid);
    if (target.idType === 'tp_uid') return tx.profiles.resolveTpUid(scope, target.value);
    const owner = (
      await tx.profiles.findIdentities(scope, [{ type: target.idType, value: target.value }])
    ).get(`${target.idType}:${target.value}`);
    return owner === undefined ? undefined : tx.profiles.resolveTpUid(scope, owner);
  }

  #eraseOne(caller: Caller, scope: ProjectScope, target: ErasureTarget): Promise<ErasureResult> {
    return this.#store.transaction(async (tx) => {
      // The applier's lock: no window of this project commits while the user is erased, and
      // `invalidateWindows` below makes a window read before this commit be read again.
      await tx.profiles.lockProject(scope);
      const now = this.#now();
      const root = await this.#root(tx, scope, target);
      const family = root === undefined ? [] : await tx.erasure.profileFamily(scope, root);
      const identities = new Map<string, { type: string; value: string }>();
      for (const i of family.length > 0 ? await tx.erasure.identitiesOf(scope, family) : [])
        identities.set(`${i.type}\u0000${i.value}`, i);
      if ('idType' in target && target.idType !== 'tp_uid')
        identities.set(`${target.idType}\u0000${target.value}`, { type: target.idType, value: target.value });
      if (family.length === 0 && identities.size === 0) return notFound;

      const deleted = await tx.erasure.deleteProfiles(scope, family);
      // Fires of event campaigns hold the triggering event's properties; a worker holding one
      // loses its lease and rolls back (decision 128).
      await tx.fires.deleteForProfiles(scope, family);
      const consentEntries = await tx.consent.removeNaming(scope, [...identities.values()], family);
      const values = new Set([...[...identities.values()].map((i) => i.value), ...family]);
      const verifyEntries = await tx.erasure.deleteVerifyEntries(scope, verifyNeedles(values));
      const messages = await tx.erasure.eraseMessages(scope, { tpUids: family, pushIds: [...values] }, now);
      await tx.erasure.moveRunCursors(scope, family);
      await tx.erasure.interruptRenderingRuns(scope, now);
      const digests = [...identities.values()].map((i) =>
        identityDigest(this.#key, scope.projectId, i.type, i.value),
      );
      await tx.erasure.putTombstones(scope, digests, now, now + this.#blockMs);
      await tx.erasure.invalidateWindows(scope, now);
      const result: ErasureResult = {
        status: family.length > 0 ? 'erased' : 'not_found',
        profiles: deleted.profiles,
        identities: deleted.identities,
        events: deleted.events,
        verifyEntries,
        consentEntries,
        messagesCancelled: messages.cancelled,
        messagesStripped: messages.stripped,
        attemptsStripped: messages.attempts,
        blockedIdentities: digests.length,
      };
      // No value that names the user: a digest of the tp_uid (or of the identity) and counts.
      const named =
        root ?? `${(target as { idType: string }).idType}\u0000${(target as { value: string }).value}`;
      const digest = identityDigest(this.#key, scope.projectId, 'tp_uid', named).slice(0, 22);
      await this.#audit.record(
        scope,
        auditContextOf(caller),
        {
          action: 'profile.erased',
          target: { type: 'profile', id: `erased:${digest}`, label: 'erased user' },
          details: {
            status: result.status,
            profiles: result.profiles,
            identities: result.identities,
            events: result.events,
            verify_entries: result.verifyEntries,
            consent_entries: result.consentEntries,
            messages_cancelled: result.messagesCancelled,
            messages_stripped: result.messagesStripped,
            attempts_stripped: result.attemptsStripped,
            blocked_identities: result.blockedIdentities,
            block_days: this.#blockMs / DAY_MS,
          },
        },
        tx,
      );
      return result;
    });
  }
}

const notFound: ErasureResult = {
  status: 'not_found',
  profiles: 0,
  identities: 0,
  events: 0,
  verifyEntries: 0,
  consentEntries: 0,
  messagesCancelled: 0,
  messagesStripped: 0,
  attemptsStripped: 0,
  blockedIdentities: 0,
};

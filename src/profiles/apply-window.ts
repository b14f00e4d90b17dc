import { createHash } from 'node:crypto';
import type {
  EventStats,
  ProfileEvent,
  StoredProfileState,
  WindowState,
  WindowWrite,
} from '../store/repositories/profiles-repository.ts';
import { applyOperation, mergeStates } from './apply-operations.ts';
import { eventIdentities, eventOperations, jsonType, type EventIdentity } from './event-operations.ts';
import { uniqueTypes, type IdentitySettings } from './model.ts';

export interface MergeConflict {
  readonly eventId: number;
  readonly sourceId: string;
  readonly messageId: string;
  readonly identity: { type: string; value: string };
}

/**
 * A profile's id derives from the event that created it, so rebuilding from the event log gives
 * every profile the same id again.
 */
export const tpUidFor = (projectId: number, eventId: number): string =>
  `tpu_${createHash('sha256').update(`${projectId}:${eventId}`).digest('base64url').slice(0, 20)}`;

const key = (type: string, value: string): string => `${type}\u0000${value}`;

interface WorkingProfile extends StoredProfileState {
  /** type → values held, in attachment order. */
  readonly identities: Map<string, string[]>;
}

/** The events' identities and alias lookups: what `loadForWindow` must find owners for. */
function lookupsOf(event: ProfileEvent, settings: IdentitySettings) {
  const identities = eventIdentities(event, settings);
  const lookups: { type: string; value: string; unique: boolean }[] = [...identities];
  // Alias: the previous id names the profile to fold in (as a user id, else an anonymous id).
  if (event.type === 'alias' && event.previousId) {
    lookups.push(
      { type: 'user_id', value: event.previousId, unique: true },
      { type: 'anonymous_id', value: event.previousId, unique: false },
    );
  }
  return { identities, lookups };
}

/**
 * Applies a window of the event log in memory (SPEC §2.2), exactly as applying its events one by
 * one against the database would: the same identity resolution, merges and property operations in
 * log order. `prepare` names every identity the window looks up; the applier loads their owners,
 * those profiles' identities and states in a few multi-row reads (`WindowState`); `apply` then
 * runs without a query, and `result` is what to write back in one transaction.
 */
export class WindowApplication {
  readonly #projectId: number;
  readonly #unique: ReadonlySet<string>;
  readonly #at: number;
  readonly #events: readonly ProfileEvent[];
  readonly #prepared: {
    identities: EventIdentity[];
    lookups: { type: string; value: string; unique: boolean }[];
  }[];
  readonly #owners = new Map<string, string>();
  readonly #profiles = new Map<string, WorkingProfile>();
  readonly #touched = new Set<string>();
  readonly #identityWrites = new Map<
    string,
    { type: string; value: string; tpUid: string; createdAt: number }
  >();
  readonly #mergedInto = new Map<string, string>();
  readonly #applied: { eventId: number; eventTime: number; tpUid: string }[] = [];
  readonly #stats = new Map<
    string,
    EventStats & { properties: Map<string, { types: Set<string>; firstSeen: number; lastSeen: number }> }
  >();
  readonly conflicts: MergeConflict[] = [];
  #erased: ReadonlyMap<string, number> = new Map();
  readonly #dropped: number[] = [];

  constructor(projectId: number, settings: IdentitySettings, events: readonly ProfileEvent[], at: number) {
    this.#projectId = projectId;
    this.#unique = uniqueTypes(settings);
    this.#at = at;
    this.#events = events;
    this.#prepared = events.map((e) => lookupsOf(e, settings));
  }

  /** Identity values to look up, by type. */
  lookups(): Map<string, string[]> {
    const byType = new Map<string, Set<string>>();
    for (const { lookups } of this.#prepared)
      for (const l of lookups) {
        let values = byType.get(l.type);
        if (!values) byType.set(l.type, (values = new Set()));
        values.add(l.value);
      }
    return new Map([...byType].map(([type, values]) => [type, [...values]]));
  }

  /**
   * Identities of erased users (type NUL value → erasure time). An event that names one and is
   * older than its erasure — received before it (the applier's backlog) or happened before it
   * (an old event sent again) — is dropped: not applied, not counted, deleted from the log.
   */
  dropErased(erased: ReadonlyMap<string, number>): void {
    this.#erased = erased;
  }

  #isErased(event: ProfileEvent, lookups: readonly { type: string; value: string }[]): boolean {
    if (this.#erased.size === 0) return false;
    return lookups.some((l) => {
      const at = this.#erased.get(key(l.type, l.value));
      return at !== undefined && (event.receivedAt <= at || event.eventTime <= at);
    });
  }

  /**
   * Applies every event of the window against the loaded state, letting other work of the
   * process (ingest requests) run every `yieldEvery` events.
   */
  async apply(loaded: WindowState, yieldEvery = 1000): Promise<void> {
    for (const o of loaded.owners) this.#owners.set(key(o.type, o.value), o.tpUid);
    for (const [tpUid, state] of loaded.states)
      this.#profiles.set(tpUid, { ...state, identities: new Map() });
    for (const i of loaded.identities) {
      const profile = this.#profiles.get(i.tpUid);
      if (!profile) continue;
      this.#owners.set(key(i.type, i.value), i.tpUid);
      const values = profile.identities.get(i.type);
      if (values) values.push(i.value);
      else profile.identities.set(i.type, [i.value]);
    }
    for (let index = 0; index < this.#events.length; index++) {
      const event = this.#events[index]!;
      if (this.#isErased(event, this.#prepared[index]!.lookups)) {
        this.#dropped.push(event.id);
        continue;
      }
      const tpUid = this.#applyEvent(event, this.#prepared[index]!);
      if (tpUid !== null) this.#applied.push({ eventId: event.id, eventTime: event.eventTime, tpUid });
      if (event.eventName) this.#count(event);
      if (index % yieldEvery === yieldEvery - 1) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** What to write back (the cursor moves to the window's last event). */
  result(): WindowWrite {
    const survivor = (tpUid: string): string => {
      let current = tpUid;
      for (let next = this.#mergedInto.get(current); next !== undefined; next = this.#mergedInto.get(current))
        current = next;
      return current;
    };
    const survivorOf = new Map([...this.#mergedInto.keys()].map((loser) => [loser, survivor(loser)]));
    return {
      at: this.#at,
      profiles: [...this.#touched].map((tpUid) => {
        const p = this.#profiles.get(tpUid)!;
        return {
          tpUid,
          properties: p.properties,
          meta: p.meta,
          createdAt: p.createdAt,
          lastEventAt: p.lastEventAt,
          eventCount: p.eventCount,
          mergedInto: survivorOf.get(tpUid) ?? null,
        };
      }),
      identities: [...this.#identityWrites.values()],
      events: this.#applied.map((a) => ({ ...a, tpUid: survivor(a.tpUid) })),
      survivorOf,
      stats: [...this.#stats.values()],
      dropped: [...this.#dropped],
      throughId: this.#events.length > 0 ? this.#events[this.#events.length - 1]!.id : 0,
    };
  }

  #profile(tpUid: string): WorkingProfile {
    const p = this.#profiles.get(tpUid);
    if (!p) throw new Error(`profile ${tpUid} was not loaded for its window`);
    return p;
  }

  #save(tpUid: string, next: Omit<WorkingProfile, 'identities' | 'createdAt'>): void {
    const p = this.#profile(tpUid);
    this.#profiles.set(tpUid, { ...next, createdAt: p.createdAt, identities: p.identities });
    this.#touched.add(tpUid);
  }

  #attach(type: string, value: string, tpUid: string): void {
    const k = key(type, value);
    this.#owners.set(k, tpUid);
    const p = this.#profile(tpUid);
    const values = p.identities.get(type);
    if (values) values.push(value);
    else p.identities.set(type, [value]);
    const previous = this.#identityWrites.get(k);
    this.#identityWrites.set(k, { type, value, tpUid, createdAt: previous?.createdAt ?? this.#at });
  }

  /** Whether `tpUid` holds another value of the identity's type. */
  #holdsOther(tpUid: string, identity: { type: string; value: string }): boolean {
    const values = this.#profile(tpUid).identities.get(identity.type);
    return values !== undefined && values.some((v) => v !== identity.value);
  }

  /** Whether two profiles hold different values of some unique ID type (then they never merge). */
  #conflicts(a: string, b: string): boolean {
    const ia = this.#profile(a).identities;
    const ib = this.#profile(b).identities;
    for (const type of this.#unique) {
      const va = ia.get(type) ?? [];
      const vb = ib.get(type) ?? [];
      if (va.length > 0 && vb.length > 0 && !va.some((v) => vb.includes(v))) return true;
    }
    return false;
  }

  #merge(winner: string, loser: string): void {
    const w = this.#profile(winner);
    const l = this.#profile(loser);
    const merged = mergeStates(w, l);
    const last = Math.max(w.lastEventAt ?? 0, l.lastEventAt ?? 0) || null;
    // The loser's identities (and, when written, its events and merged-away profiles) move over.
    for (const [type, values] of l.identities) for (const value of values) this.#attach(type, value, winner);
    l.identities.clear();
    this.#mergedInto.set(loser, winner);
    this.#save(loser, { properties: {}, meta: {}, lastEventAt: l.lastEventAt, eventCount: 0 });
    this.#save(winner, { ...merged, lastEventAt: last, eventCount: w.eventCount + l.eventCount });
  }

  /** Resolves the event's profile (creating or merging as SPEC §2.2 says) and applies it. */
  #applyEvent(
    event: ProfileEvent,
    prepared: { identities: EventIdentity[]; lookups: { type: string; value: string; unique: boolean }[] },
  ): string | null {
    const { identities, lookups } = prepared;
    if (identities.length === 0) return null;
    // The owners as the event found them; a merge below re-points the loser's entries.
    const owners = new Map<string, string>();
    for (const l of lookups) {
      const k = key(l.type, l.value);
      const owner = this.#owners.get(k);
      if (owner !== undefined) owners.set(k, owner);
    }
    const ownerOf = (i: { type: string; value: string }) => owners.get(key(i.type, i.value));

    // The profile of the highest-priority known identity — unless a higher unique identity of the
    // event is new and that profile already holds another value of its type.
    let target: string | undefined;
    for (let k = 0; k < identities.length && target === undefined; k++) {
      const owner = ownerOf(identities[k]!);
      if (!owner) continue;
      const clash = identities.slice(0, k).some((i) => i.unique && !ownerOf(i) && this.#holdsOther(owner, i));
      if (clash) break;
      target = owner;
    }
    if (target === undefined) {
      target = tpUidFor(this.#projectId, event.id);
      this.#profiles.set(target, {
        properties: {},
        meta: {},
        createdAt: this.#at,
        lastEventAt: null,
        eventCount: 0,
        identities: new Map(),
      });
      this.#touched.add(target);
    }

    const conflict = (identity: { type: string; value: string }) =>
      this.conflicts.push({
        eventId: event.id,
        sourceId: event.sourceId,
        messageId: event.messageId,
        identity: { type: identity.type, value: identity.value },
      });
    for (const identity of lookups) {
      const owner = ownerOf(identity);
      if (owner === target) continue;
      if (owner === undefined) {
        // Alias lookups only find; they never attach.
        if (!identities.includes(identity as EventIdentity)) continue;
        if (identity.unique && this.#holdsOther(target, identity)) {
          conflict(identity);
          continue;
        }
        // An identity attached earlier in this event stays where it is (insert-or-ignore).
        if (!this.#owners.has(key(identity.type, identity.value)))
          this.#attach(identity.type, identity.value, target);
        continue;
      }
      if (this.#conflicts(target, owner)) {
        conflict(identity);
        continue;
      }
      this.#merge(target, owner);
      for (const [k, value] of owners) if (value === owner) owners.set(k, target);
    }

    const state = this.#profile(target);
    let next = { properties: state.properties, meta: state.meta };
    for (const operation of eventOperations(event)) next = applyOperation(next, operation, event.eventTime);
    this.#save(target, {
      ...next,
      lastEventAt: Math.max(state.lastEventAt ?? 0, event.eventTime),
      eventCount: state.eventCount + 1,
    });
    return target;
  }

  #count(event: ProfileEvent): void {
    const name = event.eventName as string;
    let entry = this.#stats.get(name);
    if (!entry) {
      entry = {
        name,
        count: 0,
        firstSeen: event.receivedAt,
        lastSeen: event.receivedAt,
        properties: new Map(),
      };
      this.#stats.set(name, entry);
    }
    this.#stats.set(name, {
      ...entry,
      count: entry.count + 1,
      firstSeen: Math.min(entry.firstSeen, event.receivedAt),
      lastSeen: Math.max(entry.lastSeen, event.receivedAt),
    });
    for (const [k, value] of Object.entries(event.properties)) {
      if (k.startsWith('#')) continue;
      let p = entry.properties.get(k);
      if (!p)
        entry.properties.set(
          k,
          (p = { types: new Set(), firstSeen: event.receivedAt, lastSeen: event.receivedAt }),
        );
      p.types.add(jsonType(value));
      p.firstSeen = Math.min(p.firstSeen, event.receivedAt);
      p.lastSeen = Math.max(p.lastSeen, event.receivedAt);
    }
  }
}

// Seeding profiles and events straight through the repositories (no ingest, no applier), for the
// audience store tests, the differential test and the API tests.
import { projectScope, systemScope, type ProjectScope } from '../../src/access/scope.ts';
import type { NormalizedEvent } from '../../src/ingest/event.ts';
import type { Store } from '../../src/store/store.ts';

const system = systemScope('test seed');

export async function seedProject(store: Store, timeZone = 'UTC'): Promise<ProjectScope> {
  const project = await store.projects.create(system, {
    name: `p-${Math.random().toString(36).slice(2)}`,
    timeZone,
  });
  return projectScope(project.id);
}

export interface SeedProfile {
  readonly tpUid: string;
  readonly properties: Record<string, unknown>;
  readonly identities?: readonly { type: string; value: string }[];
}

export interface SeedEvent {
  readonly tpUid: string;
  readonly name: string;
  readonly time: number;
  readonly properties?: Record<string, unknown>;
}

export async function seedProfiles(store: Store, scope: ProjectScope, profiles: readonly SeedProfile[]) {
  const at = Date.now();
  await store.transaction(async (tx) => {
    for (const p of profiles) {
      await tx.profiles.createProfile(scope, p.tpUid, at);
      await tx.profiles.saveState(scope, p.tpUid, { properties: p.properties, meta: {} }, null, 0, at);
      for (const i of p.identities ?? [])
        await tx.profiles.attachIdentity(scope, i.type, i.value, p.tpUid, at);
    }
  });
}

let sequence = 0;

/** Stores the events and marks them applied to their profile, as the applier would. */
export async function seedEvents(store: Store, scope: ProjectScope, events: readonly SeedEvent[]) {
  const owner = new Map<string, string>();
  const rows = events.map((e) => {
    const messageId = `m-${++sequence}-${Math.random().toString(36).slice(2)}`;
    owner.set(messageId, e.tpUid);
    const event: NormalizedEvent = {
      format: 'segment',
      type: 'track',
      messageId,
      messageIdGenerated: false,
      eventName: e.name,
      userId: e.tpUid,
      anonymousId: null,
      accountId: null,
      distinctId: null,
      previousId: null,
      groupId: null,
      identities: {},
      properties: (e.properties ?? {}) as NormalizedEvent['properties'],
      traits: {},
      context: {},
      extra: {},
      receiptProperties: null,
      opsRequestId: null,
      eventTime: e.time,
      sentAt: null,
      receivedAt: e.time,
    };
    return { projectId: scope.projectId, sourceId: 'src_seed', event };
  });
  for (let i = 0; i < rows.length; i += 500) await store.events.insertNew(system, rows.slice(i, i + 500));
  for (;;) {
    const pending = await store.profiles.pendingEvents(scope, Number.MAX_SAFE_INTEGER, 1000);
    if (pending.length === 0) break;
    await store.profiles.markApplied(
      scope,
      pending.map((p) => ({ eventId: p.id, tpUid: owner.get(p.messageId) ?? null })),
      Date.now(),
    );
  }
}

/** Event definitions and their property types, as the applier records them. */
export async function seedEventStats(store: Store, scope: ProjectScope, events: readonly SeedEvent[]) {
  const stats = new Map<string, { types: Map<string, Set<string>> }>();
  for (const e of events) {
    const s = stats.get(e.name) ?? { types: new Map() };
    for (const [k, v] of Object.entries(e.properties ?? {})) {
      const t = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
      s.types.set(k, (s.types.get(k) ?? new Set()).add(t));
    }
    stats.set(e.name, s);
  }
  await store.profiles.recordEventStats(
    scope,
    [...stats].map(([name, s]) => ({
      name,
      count: 1,
      firstSeen: 1,
      lastSeen: 1,
      properties: new Map([...s.types].map(([k, types]) => [k, { types, firstSeen: 1, lastSeen: 1 }])),
    })),
  );
}

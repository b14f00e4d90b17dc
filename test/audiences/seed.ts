// Seeding profiles and events straight through the repositories (no ingest, no applier), for the
// audience store tests, the differential test and the API tests.
import pg from 'pg';
import type { TestDatabase } from '../support/stores.ts';
import { projectScope, systemScope, type ProjectScope } from '../../src/access/scope.ts';
import type { NormalizedEvent } from '../../src/ingest/event.ts';
import type { EventStats, WindowWrite } from '../../src/store/repositories/profiles-repository.ts';
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

const window = (at: number, throughId: number): WindowWrite => ({
  at,
  profiles: [],
  identities: [],
  events: [],
  survivorOf: new Map(),
  dropped: [],
  stats: [],
  throughId,
});

export async function seedProfiles(store: Store, scope: ProjectScope, profiles: readonly SeedProfile[]) {
  const at = Date.now();
  await store.transaction(async (tx) =>
    tx.profiles.writeWindow(scope, {
      ...window(at, await tx.profiles.appliedThrough(scope)),
      profiles: profiles.map((p) => ({
        tpUid: p.tpUid,
        properties: p.properties,
        meta: {},
        createdAt: at,
        lastEventAt: null,
        eventCount: 0,
        mergedInto: null,
      })),
      identities: profiles.flatMap((p) =>
        (p.identities ?? []).map((i) => ({ type: i.type, value: i.value, tpUid: p.tpUid, createdAt: at })),
      ),
    }),
  );
}

/** Merges `loser` into `winner` as the applier does: its events and identities move to the winner. */
export async function seedMerge(
  store: Store,
  scope: ProjectScope,
  winner: string,
  loser: string,
  identities: readonly { type: string; value: string }[] = [],
) {
  const at = Date.now();
  await store.transaction(async (tx) =>
    tx.profiles.writeWindow(scope, {
      ...window(at, await tx.profiles.appliedThrough(scope)),
      profiles: [
        {
          tpUid: loser,
          properties: {},
          meta: {},
          createdAt: at,
          lastEventAt: null,
          eventCount: 0,
          mergedInto: winner,
        },
      ],
      identities: identities.map((i) => ({ ...i, tpUid: winner, createdAt: at })),
      survivorOf: new Map([[loser, winner]]),
    }),
  );
}

let sequence = 0;

/** Stores the events and applies each to its profile (`profile_events`), as the applier would. */
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
    const afterId = await store.profiles.appliedThrough(scope);
    const pending = await store.profiles.pendingWindow(scope, {
      afterId,
      throughId: Number.MAX_SAFE_INTEGER,
      before: Number.MAX_SAFE_INTEGER,
      limit: 1000,
    });
    if (pending.length === 0) break;
    await store.transaction(async (tx) =>
      tx.profiles.writeWindow(scope, {
        ...window(Date.now(), Math.max(...pending.map((p) => p.id))),
        events: pending.map((p) => ({
          eventId: p.id,
          eventTime: p.eventTime,
          tpUid: owner.get(p.messageId) ?? '',
        })),
      }),
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
  const list: EventStats[] = [...stats].map(([name, s]) => ({
    name,
    count: 1,
    firstSeen: 1,
    lastSeen: 1,
    properties: new Map([...s.types].map(([k, types]) => [k, { types, firstSeen: 1, lastSeen: 1 }])),
  }));
  await store.transaction(async (tx) =>
    tx.profiles.writeWindow(scope, {
      ...window(Date.now(), await tx.profiles.appliedThrough(scope)),
      stats: list,
    }),
  );
}

/**
 * Gives PostgreSQL's planner statistics, as autovacuum does for any database in use: without
 * them a freshly filled test schema gets nested-loop plans that rescan the events per profile.
 */
export async function analyzeTestDatabase(db: TestDatabase): Promise<void> {
  if (db.kind !== 'postgres') return;
  const client = new pg.Client({
    connectionString: (db.options as { url: string }).url,
    options: `-c search_path=${db.schema}`,
  });
  await client.connect();
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

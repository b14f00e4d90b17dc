import type { PageRequest } from '../../access/paging.ts';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { IdentitySettings, Profile, ProfileState, PropertyMeta } from '../../profiles/model.ts';
import { systemScope, type ProjectScope } from '../../access/scope.ts';
import type { Database, ProfilesTable } from '../schema.ts';
import { fromJson } from '../json.ts';
import { advanceProfileCursor } from '../sql/advance-profile-cursor.ts';
import { findIdentityOwners, identitiesOfProfiles, profileStates } from '../sql/find-identity-owners.ts';
import { deleteEvents } from '../sql/delete-events.ts';
import { insertProfileEvents } from '../sql/insert-profile-events.ts';
import { moveMergedProfiles } from '../sql/move-merged-profiles.ts';
import {
  appliedEventColumns,
  pendingEvents,
  type PendingEventRow,
  type PendingWindowRow,
} from '../sql/pending-events.ts';
import { writeIdentities } from '../sql/write-identities.ts';
import { writeProfiles } from '../sql/write-profiles.ts';
import { profileBacklog } from '../sql/profile-backlog.ts';
import { projectsWithPendingEvents } from '../sql/projects-with-pending-events.ts';
import { bool, scoped } from './scoped.ts';

/** An event as the profile applier and the explorer see it. */
export interface ProfileEvent {
  readonly id: number;
  readonly projectId: number;
  readonly sourceId: string;
  readonly messageId: string;
  readonly format: string;
  readonly type: string;
  readonly eventName: string | null;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  readonly accountId: string | null;
  readonly distinctId: string | null;
  readonly previousId: string | null;
  readonly identities: Readonly<Record<string, string>>;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly traits: Readonly<Record<string, unknown>>;
  readonly context: Readonly<Record<string, unknown>>;
  readonly opsRequestId: string | null;
  readonly eventTime: number;
  readonly receivedAt: number;
  readonly tpUid: string | null;
}

export interface EventDefinition {
  readonly name: string;
  readonly eventCount: number;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  readonly declared: boolean;
  readonly description: string | null;
  readonly properties: readonly { name: string; types: string[]; firstSeen: number; lastSeen: number }[];
}

export interface StoredProfileState extends ProfileState {
  readonly createdAt: number;
  readonly lastEventAt: number | null;
  readonly eventCount: number;
}

export interface WindowState {
  readonly owners: readonly { type: string; value: string; tpUid: string }[];
  readonly identities: readonly { type: string; value: string; tpUid: string }[];
  readonly states: ReadonlyMap<string, StoredProfileState>;
}

export interface WindowWrite {
  readonly at: number;
  /** Every profile the window created, changed or merged away. */
  readonly profiles: readonly (StoredProfileState & { tpUid: string; mergedInto: string | null })[];
  /** Identities attached or moved by a merge. */
  readonly identities: readonly { type: string; value: string; tpUid: string; createdAt: number }[];
  /** The window's events with the profile each ended in. */
  readonly events: readonly { eventId: number; eventTime: number; tpUid: string }[];
  /** Profiles merged away in the window → their survivor. */
  readonly survivorOf: ReadonlyMap<string, string>;
  readonly stats: readonly EventStats[];
  /** Events of erased users the window dropped: deleted from the log. */
  readonly dropped: readonly number[];
  readonly throughId: number;
}

export interface EventStats {
  readonly name: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly properties: ReadonlyMap<string, { types: Set<string>; firstSeen: number; lastSeen: number }>;
}

/** Profiles, their identities, ID type settings and event definitions. */
export interface ProfilesRepository {
  /** Projects with events not yet applied (received before `before`), oldest first. */
  projectsWithPendingEvents(before: number, limit: number): Promise<number[]>;
  /**
   * The id up to which every event is committed or never will be (call on the store, outside a
   * transaction); the applier applies no further.
   */
  committedEventHorizon(): Promise<number>;
  /** Serializes appliers of one project across processes (inside the applier's transaction). */
  lockProject(scope: ProjectScope): Promise<void>;
  /** The id through which the project's event log is applied (0: nothing yet). */
  appliedThrough(scope: ProjectScope): Promise<number>;
  /** Events not applied yet (counted up to a cap) and when the oldest was received. */
  backlog(scope: ProjectScope): Promise<{ events: number; oldestReceivedAt: number | null }>;
  /** The cursor and when it last moved: the applier's check that no one applied in between. */
  cursor(scope: ProjectScope): Promise<{ appliedThrough: number; movedAt: number }>;
  /** Events not yet applied, received before `before`, oldest first. */
  pendingEvents(scope: ProjectScope, before: number, limit: number): Promise<ProfileEvent[]>;
  /** A window of the log: events after `afterId` up to `throughId`, received before `before`. */
  pendingWindow(
    scope: ProjectScope,
    window: { afterId: number; throughId: number; before: number; limit: number },
  ): Promise<ProfileEvent[]>;
  /**
   * What applying a window needs, in a few multi-row reads: the owners of the given identities,
   * and every identity and the state of each profile found.
   */
  loadForWindow(
    scope: ProjectScope,
    identities: ReadonlyMap<string, readonly string[]>,
  ): Promise<WindowState>;
  /**
   * Writes a window's outcome with multi-row statements and advances the project's cursor to
   * `throughId`, in the caller's transaction (exactly once: the cursor moves with the changes).
   */
  writeWindow(scope: ProjectScope, write: WindowWrite): Promise<void>;

  identitySettings(scope: ProjectScope): Promise<IdentitySettings>;
  setAccountIdIsUserId(scope: ProjectScope, value: boolean): Promise<void>;
  putIdType(scope: ProjectScope, name: string, unique: boolean): Promise<void>;
  deleteIdType(scope: ProjectScope, name: string): Promise<boolean>;

  /** `type:value` → tp_uid for the identities that exist. */
  findIdentities(
    scope: ProjectScope,
    identities: readonly { type: string; value: string }[],
  ): Promise<Map<string, string>>;
  /** Forgets every profile of the project and marks its events unapplied (rebuild). */
  resetProject(scope: ProjectScope): Promise<void>;

  getProfile(scope: ProjectScope, tpUid: string): Promise<Profile | undefined>;
  /** The current (not merged-away) profiles among `tpUids`, in no particular order. */
  getProfiles(scope: ProjectScope, tpUids: readonly string[]): Promise<Profile[]>;
  /** Resolves a merged tp_uid to the profile it was merged into. */
  resolveTpUid(scope: ProjectScope, tpUid: string): Promise<string | undefined>;
  /** `resolveTpUid` for many: each known tp_uid → the profile it is now (absent: no profile). */
  resolveTpUids(scope: ProjectScope, tpUids: readonly string[]): Promise<Map<string, string>>;
  /** The profile's events, newest first; `after` is `[eventTime, id]`. */
  profileEvents(scope: ProjectScope, tpUid: string, page: PageRequest): Promise<ProfileEvent[]>;
  listProfiles(scope: ProjectScope, page: PageRequest): Promise<Profile[]>;
  allProfiles(scope: ProjectScope): Promise<Profile[]>;

  eventDefinitions(scope: ProjectScope): Promise<EventDefinition[]>;
  declareEvent(scope: ProjectScope, name: string, description: string | null): Promise<void>;
}

const json = <T>(value: unknown, fallback: T): T =>
  value === null || value === undefined ? fallback : fromJson<T>(value);

function toEvent(r: (PendingEventRow | PendingWindowRow) & { tp_uid?: string | null }): ProfileEvent {
  return {
    id: Number(r.id),
    projectId: Number(r.project_id),
    sourceId: r.source_id,
    messageId: r.message_id,
    format: r.format,
    type: r.type,
    eventName: r.event_name,
    userId: r.user_id,
    anonymousId: r.anonymous_id,
    accountId: r.account_id,
    distinctId: r.distinct_id,
    previousId: r.previous_id,
    identities: json(r.identities, {}),
    properties: json(r.properties, {}),
    traits: json(r.traits, {}),
    context:
      'context' in r
        ? json(r.context, {})
        : r.context_traits === null || r.context_traits === undefined
          ? {}
          : { traits: fromJson<unknown>(r.context_traits) },
    opsRequestId: r.ops_request_id,
    eventTime: Number(r.event_time),
    receivedAt: Number(r.received_at),
    tpUid: r.tp_uid ?? null,
  };
}

export function profilesRepository(
  root: Kysely<Database>,
  lock: (db: Kysely<Database>, key: string) => Promise<void>,
  horizon: (db: Kysely<Database>) => Promise<number>,
  /** The database binds a list as one array parameter (StoreCapabilities.arrayParameters). */
  arrays = false,
): ProfilesRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);

  async function cursor(scope: ProjectScope): Promise<{ appliedThrough: number; movedAt: number }> {
    const row = await q(scope)
      .selectFrom('profile_cursors')
      .select(['applied_through', 'updated_at'])
      .where('project_id', '=', scope.projectId)
      .executeTakeFirst();
    return row
      ? { appliedThrough: Number(row.applied_through), movedAt: Number(row.updated_at) }
      : { appliedThrough: 0, movedAt: 0 };
  }
  const appliedThrough = async (scope: ProjectScope) => (await cursor(scope)).appliedThrough;

  /** Event management for a window: one upsert of the names, one read and one upsert of properties. */
  async function recordEventStats(scope: ProjectScope, stats: readonly EventStats[]): Promise<void> {
    if (stats.length === 0) return;
    const db = q(scope);
    await db
      .insertInto('event_definitions')
      .values(
        stats.map((s) => ({
          project_id: scope.projectId,
          name: s.name,
          event_count: s.count,
          first_seen: s.firstSeen,
          last_seen: s.lastSeen,
          declared: false,
          description: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['project_id', 'name']).doUpdateSet((eb) => ({
          event_count: eb('event_definitions.event_count', '+', eb.ref('excluded.event_count')),
          first_seen: sql<number>`CASE WHEN event_definitions.first_seen IS NULL OR excluded.first_seen < event_definitions.first_seen THEN excluded.first_seen ELSE event_definitions.first_seen END`,
          last_seen: sql<number>`CASE WHEN event_definitions.last_seen IS NULL OR excluded.last_seen > event_definitions.last_seen THEN excluded.last_seen ELSE event_definitions.last_seen END`,
        })),
      )
      .execute();
    const observed = stats.flatMap((s) => [...s.properties].map(([name, p]) => ({ event: s.name, name, p })));
    if (observed.length === 0) return;
    const existing = new Map<string, { types: string[]; first: number; last: number }>();
    const rows = await db
      .selectFrom('event_properties')
      .select(['event_name', 'name', 'types', 'first_seen', 'last_seen'])
      .where('project_id', '=', scope.projectId)
      .where(
        'event_name',
        'in',
        stats.map((s) => s.name),
      )
      .execute();
    for (const r of rows)
      existing.set(`${r.event_name}\u0000${r.name}`, {
        types: JSON.parse(r.types) as string[],
        first: Number(r.first_seen),
        last: Number(r.last_seen),
      });
    const values = observed.map(({ event, name, p }) => {
      const old = existing.get(`${event}\u0000${name}`);
      return {
        project_id: scope.projectId,
        event_name: event,
        name,
        types: JSON.stringify([...new Set([...(old?.types ?? []), ...p.types])].sort()),
        first_seen: Math.min(p.firstSeen, old ? old.first : p.firstSeen),
        last_seen: Math.max(p.lastSeen, old ? old.last : p.lastSeen),
      };
    });
    for (let start = 0; start < values.length; start += 200)
      await db
        .insertInto('event_properties')
        .values(values.slice(start, start + 200))
        .onConflict((oc) =>
          oc.columns(['project_id', 'event_name', 'name']).doUpdateSet((eb) => ({
            types: eb.ref('excluded.types'),
            first_seen: eb.ref('excluded.first_seen'),
            last_seen: eb.ref('excluded.last_seen'),
          })),
        )
        .execute();
  }

  async function identitiesFor(scope: ProjectScope, tpUids: string[]) {
    if (tpUids.length === 0) return new Map<string, { type: string; value: string }[]>();
    const rows = await q(scope)
      .selectFrom('profile_identities')
      .select(['id_type', 'value', 'tp_uid'])
      .where('project_id', '=', scope.projectId)
      .where('tp_uid', 'in', tpUids)
      .orderBy('id_type')
      .orderBy('value')
      .execute();
    const map = new Map<string, { type: string; value: string }[]>();
    for (const r of rows)
      map.set(r.tp_uid, [...(map.get(r.tp_uid) ?? []), { type: r.id_type, value: r.value }]);
    return map;
  }

  async function toProfiles(scope: ProjectScope, rows: Selectable<ProfilesTable>[]): Promise<Profile[]> {
    const identities = await identitiesFor(
      scope,
      rows.map((r) => r.tp_uid),
    );
    return rows.map((r) => ({
      tpUid: r.tp_uid,
      projectId: Number(r.project_id),
      properties: JSON.parse(r.properties) as Record<string, unknown>,
      meta: JSON.parse(r.meta) as Record<string, PropertyMeta>,
      identities: identities.get(r.tp_uid) ?? [],
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
      lastEventAt: r.last_event_at === null ? null : Number(r.last_event_at),
      eventCount: Number(r.event_count),
    }));
  }

  return {
    projectsWithPendingEvents: (before, limit) =>
      projectsWithPendingEvents(
        scoped(root, systemScope('the profile applier finds projects with pending events')),
        before,
        limit,
      ),
    committedEventHorizon: () => horizon(root),
    async lockProject(scope) {
      await lock(root, `profiles:${scope.projectId}`);
    },
    appliedThrough,
    cursor,
    async backlog(scope) {
      return profileBacklog(q(scope), scope.projectId, await appliedThrough(scope));
    },
    async pendingEvents(scope, before, limit) {
      const afterId = await appliedThrough(scope);
      return (
        await pendingEvents(q(scope), scope.projectId, afterId, Number.MAX_SAFE_INTEGER, before, limit)
      ).map(toEvent);
    },
    async pendingWindow(scope, w) {
      return (await pendingEvents(q(scope), scope.projectId, w.afterId, w.throughId, w.before, w.limit)).map(
        toEvent,
      );
    },
    async loadForWindow(scope, identities) {
      const db = q(scope);
      const owners = await findIdentityOwners(db, scope.projectId, identities, arrays);
      const uids = [...new Set(owners.map((o) => o.tp_uid))];
      const [held, states] = [
        await identitiesOfProfiles(db, scope.projectId, uids, arrays),
        await profileStates(db, scope.projectId, uids, arrays),
      ];
      return {
        owners: owners.map((o) => ({ type: o.id_type, value: o.value, tpUid: o.tp_uid })),
        identities: held.map((o) => ({ type: o.id_type, value: o.value, tpUid: o.tp_uid })),
        states: new Map(
          states.map((r) => [
            r.tp_uid,
            {
              properties: JSON.parse(r.properties) as Record<string, unknown>,
              meta: JSON.parse(r.meta) as Record<string, PropertyMeta>,
              createdAt: Number(r.created_at),
              lastEventAt: r.last_event_at === null ? null : Number(r.last_event_at),
              eventCount: Number(r.event_count),
            },
          ]),
        ),
      };
    },
    async writeWindow(scope, w) {
      const db = q(scope);
      const { projectId } = scope;
      await writeProfiles(
        db,
        projectId,
        w.profiles.map((p) => ({
          tp_uid: p.tpUid,
          properties: JSON.stringify(p.properties),
          meta: JSON.stringify(p.meta),
          created_at: p.createdAt,
          updated_at: w.at,
          last_event_at: p.lastEventAt,
          event_count: p.eventCount,
          merged_into: p.mergedInto,
        })),
      );
      await writeIdentities(
        db,
        projectId,
        w.identities.map((i) => ({
          id_type: i.type,
          value: i.value,
          tp_uid: i.tpUid,
          created_at: i.createdAt,
        })),
      );
      if (w.survivorOf.size > 0) await moveMergedProfiles(db, projectId, w.survivorOf, w.at);
      await insertProfileEvents(
        db,
        projectId,
        w.events.map((e) => ({ tp_uid: e.tpUid, event_time: e.eventTime, event_id: e.eventId })),
      );
      await recordEventStats(scope, w.stats);
      await deleteEvents(db, projectId, w.dropped);
      await advanceProfileCursor(db, projectId, w.throughId, w.at);
    },

    async identitySettings(scope) {
      const declared = await q(scope)
        .selectFrom('id_types')
        .select(['name', 'is_unique'])
        .where('project_id', '=', scope.projectId)
        .orderBy('name')
        .execute();
      const setting = await q(scope)
        .selectFrom('project_settings')
        .select('value')
        .where('project_id', '=', scope.projectId)
        .where('key', '=', 'account_id_is_user_id')
        .executeTakeFirst();
      return {
        accountIdIsUserId: setting ? setting.value === 'true' : true,
        declared: declared.map((d) => ({ name: d.name, unique: bool(d.is_unique) })),
      };
    },
    async setAccountIdIsUserId(scope, value) {
      await q(scope)
        .insertInto('project_settings')
        .values({ project_id: scope.projectId, key: 'account_id_is_user_id', value: String(value) })
        .onConflict((oc) => oc.columns(['project_id', 'key']).doUpdateSet({ value: String(value) }))
        .execute();
    },
    async putIdType(scope, name, unique) {
      await q(scope)
        .insertInto('id_types')
        .values({ project_id: scope.projectId, name, is_unique: unique, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['project_id', 'name']).doUpdateSet({ is_unique: unique }))
        .execute();
    },
    async deleteIdType(scope, name) {
      const result = await q(scope)
        .deleteFrom('id_types')
        .where('project_id', '=', scope.projectId)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async findIdentities(scope, identities) {
      const map = new Map<string, string>();
      if (identities.length === 0) return map;
      const byType = new Map<string, string[]>();
      for (const i of identities) {
        const values = byType.get(i.type) ?? [];
        values.push(i.value);
        byType.set(i.type, values);
      }
      const rows = await q(scope)
        .selectFrom('profile_identities')
        .select(['id_type', 'value', 'tp_uid'])
        .where('project_id', '=', scope.projectId)
        // `id_type = ? AND value IN (…)` per type: SQLite plans an OR of 500 pairs as a scan.
        .where((eb) =>
          eb.or(
            [...byType].map(([type, values]) =>
              eb.and([eb('id_type', '=', type), eb('value', 'in', values)]),
            ),
          ),
        )
        .execute();
      for (const r of rows) map.set(`${r.id_type}:${r.value}`, r.tp_uid);
      return map;
    },
    async resetProject(scope) {
      await q(scope).deleteFrom('profile_identities').where('project_id', '=', scope.projectId).execute();
      await q(scope).deleteFrom('profiles').where('project_id', '=', scope.projectId).execute();
      await q(scope).deleteFrom('event_properties').where('project_id', '=', scope.projectId).execute();
      await q(scope)
        .updateTable('event_definitions')
        .set({ event_count: 0, first_seen: null, last_seen: null })
        .where('project_id', '=', scope.projectId)
        .execute();
      await q(scope)
        .deleteFrom('event_definitions')
        .where('project_id', '=', scope.projectId)
        .where('declared', '=', false)
        .execute();
      await q(scope).deleteFrom('profile_events').where('project_id', '=', scope.projectId).execute();
      await q(scope).deleteFrom('profile_cursors').where('project_id', '=', scope.projectId).execute();
      // Rows applied before the cursor existed (0013) carry applied_at; the cursor alone marks the rest.
      await q(scope)
        .updateTable('events')
        .set({ applied_at: null, tp_uid: null })
        .where('project_id', '=', scope.projectId)
        .where((eb) => eb.or([eb('applied_at', 'is not', null), eb('tp_uid', 'is not', null)]))
        .execute();
    },

    async getProfile(scope, tpUid) {
      const row = await q(scope)
        .selectFrom('profiles')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', '=', tpUid)
        .where('merged_into', 'is', null)
        .executeTakeFirst();
      return row ? (await toProfiles(scope, [row]))[0] : undefined;
    },
    async getProfiles(scope, tpUids) {
      if (tpUids.length === 0) return [];
      const rows = await q(scope)
        .selectFrom('profiles')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', 'in', tpUids)
        .where('merged_into', 'is', null)
        .execute();
      return toProfiles(scope, rows);
    },
    async resolveTpUid(scope, tpUid) {
      const row = await q(scope)
        .selectFrom('profiles')
        .select(['tp_uid', 'merged_into'])
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', '=', tpUid)
        .executeTakeFirst();
      return row ? (row.merged_into ?? row.tp_uid) : undefined;
    },
    async resolveTpUids(scope, tpUids) {
      const resolved = new Map<string, string>();
      for (let i = 0; i < tpUids.length; i += 500) {
        const rows = await q(scope)
          .selectFrom('profiles')
          .select(['tp_uid', 'merged_into'])
          .where('project_id', '=', scope.projectId)
          .where('tp_uid', 'in', tpUids.slice(i, i + 500))
          .execute();
        for (const r of rows) resolved.set(r.tp_uid, r.merged_into ?? r.tp_uid);
      }
      return resolved;
    },
    async profileEvents(scope, tpUid, page) {
      let query = q(scope)
        .selectFrom('profile_events as pe')
        .innerJoin('events as e', 'e.id', 'pe.event_id')
        .select(appliedEventColumns.map((c) => `e.${c}` as const))
        .select('pe.tp_uid')
        .where('pe.project_id', '=', scope.projectId)
        .where('e.project_id', '=', scope.projectId)
        .where('pe.tp_uid', '=', tpUid);
      if (page.after) {
        const [time, id] = page.after;
        query = query.where((eb) =>
          eb.or([
            eb('pe.event_time', '<', Number(time)),
            eb.and([eb('pe.event_time', '=', Number(time)), eb('pe.event_id', '<', Number(id))]),
          ]),
        );
      }
      const rows = await query
        .orderBy('pe.event_time', 'desc')
        .orderBy('pe.event_id', 'desc')
        .limit(page.limit)
        .execute();
      return rows.map(toEvent);
    },
    async listProfiles(scope, page) {
      let query = q(scope)
        .selectFrom('profiles')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('merged_into', 'is', null);
      if (page.after) query = query.where('tp_uid', '>', String(page.after[0]));
      return toProfiles(scope, await query.orderBy('tp_uid').limit(page.limit).execute());
    },
    async allProfiles(scope) {
      const rows = await q(scope)
        .selectFrom('profiles')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('merged_into', 'is', null)
        .orderBy('tp_uid')
        .execute();
      return toProfiles(scope, rows);
    },

    async eventDefinitions(scope) {
      const defs = await q(scope)
        .selectFrom('event_definitions')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .orderBy('name')
        .execute();
      const props = await q(scope)
        .selectFrom('event_properties')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .orderBy('event_name')
        .orderBy('name')
        .execute();
      return defs.map((d) => ({
        name: d.name,
        eventCount: Number(d.event_count),
        firstSeen: d.first_seen === null ? null : Number(d.first_seen),
        lastSeen: d.last_seen === null ? null : Number(d.last_seen),
        declared: bool(d.declared),
        description: d.description,
        properties: props
          .filter((p) => p.event_name === d.name)
          .map((p) => ({
            name: p.name,
            types: JSON.parse(p.types) as string[],
            firstSeen: Number(p.first_seen),
            lastSeen: Number(p.last_seen),
          })),
      }));
    },
    async declareEvent(scope, name, description) {
      await q(scope)
        .insertInto('event_definitions')
        .values({
          project_id: scope.projectId,
          name,
          event_count: 0,
          first_seen: null,
          last_seen: null,
          declared: true,
          description,
        })
        .onConflict((oc) => oc.columns(['project_id', 'name']).doUpdateSet({ declared: true, description }))
        .execute();
    },
  };
}

import type { PageRequest } from '../../access/paging.ts';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { IdentitySettings, Profile, ProfileState, PropertyMeta } from '../../profiles/model.ts';
import { systemScope, type ProjectScope } from '../../access/scope.ts';
import type { Database, EventsTable, ProfilesTable } from '../schema.ts';
import { fromJson } from '../json.ts';
import { markEventsApplied } from '../sql/mark-events-applied.ts';
import { pendingEvents } from '../sql/pending-events.ts';
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
  /** Serializes appliers of one project across processes (inside the applier's transaction). */
  lockProject(scope: ProjectScope): Promise<void>;
  pendingEvents(scope: ProjectScope, before: number, limit: number): Promise<ProfileEvent[]>;
  markApplied(
    scope: ProjectScope,
    applied: readonly { eventId: number; tpUid: string | null }[],
    at: number,
  ): Promise<void>;

  identitySettings(scope: ProjectScope): Promise<IdentitySettings>;
  setAccountIdIsUserId(scope: ProjectScope, value: boolean): Promise<void>;
  putIdType(scope: ProjectScope, name: string, unique: boolean): Promise<void>;
  deleteIdType(scope: ProjectScope, name: string): Promise<boolean>;

  /** `type:value` → tp_uid for the identities that exist. */
  findIdentities(
    scope: ProjectScope,
    identities: readonly { type: string; value: string }[],
  ): Promise<Map<string, string>>;
  identitiesOf(scope: ProjectScope, tpUid: string): Promise<{ type: string; value: string }[]>;
  attachIdentity(scope: ProjectScope, type: string, value: string, tpUid: string, at: number): Promise<void>;
  createProfile(scope: ProjectScope, tpUid: string, at: number): Promise<void>;
  getState(
    scope: ProjectScope,
    tpUid: string,
  ): Promise<(ProfileState & { lastEventAt: number | null; eventCount: number }) | undefined>;
  saveState(
    scope: ProjectScope,
    tpUid: string,
    state: ProfileState,
    lastEventAt: number | null,
    eventCount: number,
    at: number,
  ): Promise<void>;
  /** Moves the loser's identities and events to the winner and marks the loser merged. */
  mergeInto(scope: ProjectScope, winner: string, loser: string, at: number): Promise<void>;
  recordEventStats(scope: ProjectScope, stats: readonly EventStats[]): Promise<void>;
  /** Forgets every profile of the project and marks its events unapplied (rebuild). */
  resetProject(scope: ProjectScope): Promise<void>;

  getProfile(scope: ProjectScope, tpUid: string): Promise<Profile | undefined>;
  /** The current (not merged-away) profiles among `tpUids`, in no particular order. */
  getProfiles(scope: ProjectScope, tpUids: readonly string[]): Promise<Profile[]>;
  /** Resolves a merged tp_uid to the profile it was merged into. */
  resolveTpUid(scope: ProjectScope, tpUid: string): Promise<string | undefined>;
  /** The profile's events, newest first; `after` is `[eventTime, id]`. */
  profileEvents(scope: ProjectScope, tpUid: string, page: PageRequest): Promise<ProfileEvent[]>;
  listProfiles(scope: ProjectScope, page: PageRequest): Promise<Profile[]>;
  allProfiles(scope: ProjectScope): Promise<Profile[]>;

  eventDefinitions(scope: ProjectScope): Promise<EventDefinition[]>;
  declareEvent(scope: ProjectScope, name: string, description: string | null): Promise<void>;
}

const json = <T>(value: unknown, fallback: T): T =>
  value === null || value === undefined ? fallback : fromJson<T>(value);

function toEvent(r: Selectable<EventsTable>): ProfileEvent {
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
    context: json(r.context, {}),
    opsRequestId: r.ops_request_id,
    eventTime: Number(r.event_time),
    receivedAt: Number(r.received_at),
    tpUid: r.tp_uid,
  };
}

export function profilesRepository(
  root: Kysely<Database>,
  lock: (db: Kysely<Database>, key: string) => Promise<void>,
): ProfilesRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);

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
    async lockProject(scope) {
      await lock(root, `profiles:${scope.projectId}`);
    },
    async pendingEvents(scope, before, limit) {
      return (await pendingEvents(q(scope), scope.projectId, before, limit)).map(toEvent);
    },
    markApplied: (scope, applied, at) => markEventsApplied(q(scope), scope.projectId, applied, at),

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
      const rows = await q(scope)
        .selectFrom('profile_identities')
        .select(['id_type', 'value', 'tp_uid'])
        .where('project_id', '=', scope.projectId)
        .where((eb) =>
          eb.or(identities.map((i) => eb.and([eb('id_type', '=', i.type), eb('value', '=', i.value)]))),
        )
        .execute();
      for (const r of rows) map.set(`${r.id_type}:${r.value}`, r.tp_uid);
      return map;
    },
    async identitiesOf(scope, tpUid) {
      return (await identitiesFor(scope, [tpUid])).get(tpUid) ?? [];
    },
    async attachIdentity(scope, type, value, tpUid, at) {
      await q(scope)
        .insertInto('profile_identities')
        .values({ project_id: scope.projectId, id_type: type, value, tp_uid: tpUid, created_at: at })
        .onConflict((oc) => oc.columns(['project_id', 'id_type', 'value']).doNothing())
        .execute();
    },
    async createProfile(scope, tpUid, at) {
      await q(scope)
        .insertInto('profiles')
        .values({
          project_id: scope.projectId,
          tp_uid: tpUid,
          properties: '{}',
          meta: '{}',
          created_at: at,
          updated_at: at,
          last_event_at: null,
          event_count: 0,
          merged_into: null,
        })
        .execute();
    },
    async getState(scope, tpUid) {
      const row = await q(scope)
        .selectFrom('profiles')
        .select(['properties', 'meta', 'last_event_at', 'event_count'])
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', '=', tpUid)
        .executeTakeFirst();
      return (
        row && {
          properties: JSON.parse(row.properties) as Record<string, unknown>,
          meta: JSON.parse(row.meta) as Record<string, PropertyMeta>,
          lastEventAt: row.last_event_at === null ? null : Number(row.last_event_at),
          eventCount: Number(row.event_count),
        }
      );
    },
    async saveState(scope, tpUid, state, lastEventAt, eventCount, at) {
      await q(scope)
        .updateTable('profiles')
        .set({
          properties: JSON.stringify(state.properties),
          meta: JSON.stringify(state.meta),
          last_event_at: lastEventAt,
          event_count: eventCount,
          updated_at: at,
        })
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', '=', tpUid)
        .execute();
    },
    async mergeInto(scope, winner, loser, at) {
      await q(scope)
        .updateTable('profile_identities')
        .set({ tp_uid: winner })
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', '=', loser)
        .execute();
      await q(scope)
        .updateTable('events')
        .set({ tp_uid: winner })
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', '=', loser)
        .execute();
      await q(scope)
        .updateTable('profiles')
        .set({ merged_into: winner, properties: '{}', meta: '{}', event_count: 0, updated_at: at })
        .where('project_id', '=', scope.projectId)
        .where((eb) => eb.or([eb('tp_uid', '=', loser), eb('merged_into', '=', loser)]))
        .execute();
    },
    async recordEventStats(scope, stats) {
      for (const s of stats) {
        await q(scope)
          .insertInto('event_definitions')
          .values({
            project_id: scope.projectId,
            name: s.name,
            event_count: s.count,
            first_seen: s.firstSeen,
            last_seen: s.lastSeen,
            declared: false,
            description: null,
          })
          .onConflict((oc) =>
            oc.columns(['project_id', 'name']).doUpdateSet((eb) => ({
              event_count: eb('event_definitions.event_count', '+', eb.ref('excluded.event_count')),
              first_seen: sql<number>`CASE WHEN event_definitions.first_seen IS NULL OR excluded.first_seen < event_definitions.first_seen THEN excluded.first_seen ELSE event_definitions.first_seen END`,
              last_seen: sql<number>`CASE WHEN event_definitions.last_seen IS NULL OR excluded.last_seen > event_definitions.last_seen THEN excluded.last_seen ELSE event_definitions.last_seen END`,
            })),
          )
          .execute();
        for (const [name, p] of s.properties) {
          const existing = await q(scope)
            .selectFrom('event_properties')
            .select(['types', 'first_seen', 'last_seen'])
            .where('project_id', '=', scope.projectId)
            .where('event_name', '=', s.name)
            .where('name', '=', name)
            .executeTakeFirst();
          const types = [
            ...new Set([...(existing ? (JSON.parse(existing.types) as string[]) : []), ...p.types]),
          ].sort();
          await q(scope)
            .insertInto('event_properties')
            .values({
              project_id: scope.projectId,
              event_name: s.name,
              name,
              types: JSON.stringify(types),
              first_seen: Math.min(p.firstSeen, existing ? Number(existing.first_seen) : p.firstSeen),
              last_seen: Math.max(p.lastSeen, existing ? Number(existing.last_seen) : p.lastSeen),
            })
            .onConflict((oc) =>
              oc.columns(['project_id', 'event_name', 'name']).doUpdateSet((eb) => ({
                types: eb.ref('excluded.types'),
                first_seen: eb.ref('excluded.first_seen'),
                last_seen: eb.ref('excluded.last_seen'),
              })),
            )
            .execute();
        }
      }
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
      await q(scope)
        .updateTable('events')
        .set({ applied_at: null, tp_uid: null })
        .where('project_id', '=', scope.projectId)
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
    async profileEvents(scope, tpUid, page) {
      let query = q(scope)
        .selectFrom('events')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('tp_uid', '=', tpUid);
      if (page.after) {
        const [time, id] = page.after;
        query = query.where((eb) =>
          eb.or([
            eb('event_time', '<', Number(time)),
            eb.and([eb('event_time', '=', Number(time)), eb('id', '<', Number(id))]),
          ]),
        );
      }
      const rows = await query
        .orderBy('event_time', 'desc')
        .orderBy('id', 'desc')
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

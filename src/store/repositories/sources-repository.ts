import type { PageRequest } from '../../access/paging.ts';
import { sql, type Kysely } from 'kysely';
import type {
  App,
  AppType,
  DataSource,
  PlatformConfig,
  ReportingStatus,
  SourceStatus,
} from '../../sources/model.ts';
import { REPORTING_WINDOW_MS } from '../../sources/model.ts';
import { systemScope, type ProjectScope } from '../../access/scope.ts';
import { fromJson } from '../json.ts';
import type { Database } from '../schema.ts';
import { nameKey } from './projects-repository.ts';
import { scoped } from './scoped.ts';

export interface SourceFilter {
  readonly status?: SourceStatus;
  readonly reportingStatus?: ReportingStatus;
  /** "Now" for the reporting window (injected clock). */
  readonly now: number;
}

/** Apps, data sources and their activity record. */
export interface SourcesRepository {
  listApps(scope: ProjectScope): Promise<App[]>;
  getApp(scope: ProjectScope, id: string): Promise<App | undefined>;
  createApp(scope: ProjectScope, app: { id: string; name: string; appType: AppType }): Promise<App>;
  renameApp(scope: ProjectScope, id: string, name: string): Promise<App | undefined>;

  /** Not deleted, oldest first; `after` is `[createdAt, id]`. */
  list(scope: ProjectScope, filter: SourceFilter, page: PageRequest): Promise<DataSource[]>;
  get(scope: ProjectScope, id: string, now: number): Promise<DataSource | undefined>;
  create(
    scope: ProjectScope,
    source: {
      id: string;
      appId: string;
      name: string;
      platforms: readonly PlatformConfig[];
      timeZone: string | null;
      appKey: string;
      masterSecretCiphertext: string;
      scheme: string | null;
      rateLimit: number | null;
    },
  ): Promise<void>;
  /** Applies the patch; `bumpCredentials` invalidates cached ingest verdicts. */
  update(
    scope: ProjectScope,
    id: string,
    patch: {
      name?: string;
      platforms?: readonly PlatformConfig[];
      timeZone?: string | null;
      rateLimit?: number | null;
      status?: SourceStatus;
      masterSecretCiphertext?: string;
      deletedAt?: number;
    },
    bumpCredentials: boolean,
  ): Promise<boolean>;

  /** Ingest key lookup: any project's source by its key, deleted ones included. */
  findByAppKey(appKey: string): Promise<DataSource | undefined>;
  /** Current credentials version, or undefined once deleted (re-checked inside ingest commits). */
  credentialsVersion(sourceId: string): Promise<number | undefined>;
  /** Adds `count` events at `at` to the source's activity record (called by ingest's commit). */
  recordActivity(sourceId: string, projectId: number, count: number, at: number): Promise<void>;
}

const HOUR = 3_600_000;

export function sourcesRepository(db: Kysely<Database>): SourcesRepository {
  const q = (scope: ProjectScope) => scoped(db, scope);

  const toApp = (r: {
    id: string;
    project_id: number;
    name: string;
    app_type: string;
    created_at: number;
  }): App => ({
    id: r.id,
    projectId: Number(r.project_id),
    name: r.name,
    appType: r.app_type as AppType,
    createdAt: Number(r.created_at),
  });

  // Sources with their activity summary, pinned to one project (or, for key lookup, none).
  function sourcesQuery(projectDb: Kysely<Database>, projectId: number | null, now: number) {
    let activity = projectDb
      .selectFrom('source_activity')
      .select((eb) => [
        'source_id',
        eb.fn.max('last_event_at').as('last_event_at'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when('hour_start', '>=', Math.floor((now - REPORTING_WINDOW_MS) / HOUR) * HOUR)
              .then(eb.ref('events'))
              .else(0)
              .end(),
          )
          .as('events_24h'),
      ])
      .groupBy('source_id');
    if (projectId !== null) activity = activity.where('project_id', '=', projectId);
    let query = projectDb
      .selectFrom('data_sources as s')
      .leftJoin(activity.as('a'), 'a.source_id', 's.id')
      .selectAll('s')
      .select(['a.last_event_at', 'a.events_24h']);
    if (projectId !== null) query = query.where('s.project_id', '=', projectId);
    return query;
  }

  type Row = Awaited<ReturnType<ReturnType<typeof sourcesQuery>['execute']>>[number];
  const toSource = (r: Row): DataSource => ({
    id: r.id,
    projectId: Number(r.project_id),
    appId: r.app_id,
    name: r.name,
    platforms: fromJson<PlatformConfig[]>(r.platforms),
    timeZone: r.time_zone,
    appKey: r.app_key,
    scheme: r.scheme,
    status: r.status as SourceStatus,
    rateLimit: r.rate_limit === null ? null : Number(r.rate_limit),
    credentialsVersion: Number(r.credentials_version),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    deletedAt: r.deleted_at === null ? null : Number(r.deleted_at),
    masterSecretCiphertext: r.master_secret,
    lastEventAt: r.last_event_at === null || r.last_event_at === undefined ? null : Number(r.last_event_at),
    events24h: Number(r.events_24h ?? 0),
  });

  return {
    async listApps(scope) {
      const rows = await q(scope)
        .selectFrom('apps')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toApp);
    },
    async getApp(scope, id) {
      const row = await q(scope)
        .selectFrom('apps')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toApp(row);
    },
    async createApp(scope, app) {
      const now = Date.now();
      const row = await q(scope)
        .insertInto('apps')
        .values({
          id: app.id,
          project_id: scope.projectId,
          name: app.name,
          name_key: nameKey(app.name),
          app_type: app.appType,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApp(row);
    },
    async renameApp(scope, id, name) {
      const row = await q(scope)
        .updateTable('apps')
        .set({ name, name_key: nameKey(name), updated_at: Date.now() })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toApp(row);
    },

    async list(scope, filter, page) {
      let query = sourcesQuery(q(scope), scope.projectId, filter.now).where('s.deleted_at', 'is', null);
      if (filter.status) query = query.where('s.status', '=', filter.status);
      const since = filter.now - REPORTING_WINDOW_MS;
      if (filter.reportingStatus === 'never_reported') query = query.where('a.last_event_at', 'is', null);
      if (filter.reportingStatus === 'reporting') query = query.where('a.last_event_at', '>', since);
      if (filter.reportingStatus === 'stopped') query = query.where('a.last_event_at', '<=', since);
      if (page.after) {
        const [createdAt, id] = page.after;
        query = query.where((eb) =>
          eb.or([
            eb('s.created_at', '>', Number(createdAt)),
            eb.and([eb('s.created_at', '=', Number(createdAt)), eb('s.id', '>', String(id))]),
          ]),
        );
      }
      const rows = await query.orderBy('s.created_at').orderBy('s.id').limit(page.limit).execute();
      return rows.map(toSource);
    },
    async get(scope, id, now) {
      const row = await sourcesQuery(q(scope), scope.projectId, now)
        .where('s.id', '=', id)
        .where('s.deleted_at', 'is', null)
        .executeTakeFirst();
      return row && toSource(row);
    },
    async create(scope, s) {
      const now = Date.now();
      await q(scope)
        .insertInto('data_sources')
        .values({
          id: s.id,
          project_id: scope.projectId,
          app_id: s.appId,
          name: s.name,
          name_key: nameKey(s.name),
          platforms: JSON.stringify(s.platforms),
          time_zone: s.timeZone,
          app_key: s.appKey,
          master_secret: s.masterSecretCiphertext,
          scheme: s.scheme,
          status: 'enabled',
          rate_limit: s.rateLimit,
          credentials_version: 1,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .execute();
    },
    async update(scope, id, patch, bumpCredentials) {
      const result = await q(scope)
        .updateTable('data_sources')
        .set((eb) => ({
          ...(patch.name !== undefined ? { name: patch.name, name_key: nameKey(patch.name) } : {}),
          ...(patch.platforms !== undefined ? { platforms: JSON.stringify(patch.platforms) } : {}),
          ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
          ...(patch.rateLimit !== undefined ? { rate_limit: patch.rateLimit } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.masterSecretCiphertext !== undefined
            ? { master_secret: patch.masterSecretCiphertext }
            : {}),
          ...(patch.deletedAt !== undefined ? { deleted_at: patch.deletedAt } : {}),
          ...(bumpCredentials ? { credentials_version: eb('credentials_version', '+', 1) } : {}),
          updated_at: Date.now(),
        }))
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async findByAppKey(appKey) {
      const system = scoped(db, systemScope('ingest key lookup by app_key'));
      const row = await sourcesQuery(system, null, Date.now())
        .where('s.app_key', '=', appKey)
        .executeTakeFirst();
      return row && toSource(row);
    },
    async credentialsVersion(sourceId) {
      const row = await scoped(db, systemScope('ingest re-checks credentials inside its commit'))
        .selectFrom('data_sources')
        .select(['credentials_version', 'deleted_at'])
        .where('id', '=', sourceId)
        .executeTakeFirst();
      return row && row.deleted_at === null ? Number(row.credentials_version) : undefined;
    },
    async recordActivity(sourceId, projectId, count, at) {
      const hourStart = Math.floor(at / HOUR) * HOUR;
      await scoped(db, systemScope('ingest records source activity'))
        .insertInto('source_activity')
        .values({
          source_id: sourceId,
          project_id: projectId,
          hour_start: hourStart,
          events: count,
          last_event_at: at,
        })
        .onConflict((oc) =>
          oc.columns(['source_id', 'hour_start']).doUpdateSet((eb) => ({
            events: eb('source_activity.events', '+', eb.ref('excluded.events')),
            last_event_at: sql<number>`CASE WHEN excluded.last_event_at > source_activity.last_event_at THEN excluded.last_event_at ELSE source_activity.last_event_at END`,
          })),
        )
        .execute();
    },
  };
}

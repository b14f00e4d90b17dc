import type { Kysely, Selectable } from 'kysely';
import type { PageRequest } from '../../access/paging.ts';
import type { ProjectScope } from '../../access/scope.ts';
import type { Audience, AudienceQuery, ConditionGroupJson } from '../../audiences/model.ts';
import type { JsonSql } from '../json-sql.ts';
import { fromJson } from '../json.ts';
import type { AudiencesTable, Database } from '../schema.ts';
import {
  audienceMemberProfilesPage,
  audienceMembersAmong,
  audienceMembersPage,
  estimateAudience,
} from '../sql/audience-query.ts';
import { nameKey } from './projects-repository.ts';
import { olderThan, scoped } from './scoped.ts';

export interface AudienceWrite {
  readonly name: string;
  readonly description: string | null;
  readonly conditions: ConditionGroupJson;
}

/** Saved audiences, and evaluating audience queries over the project's current profiles. */
export interface AudiencesRepository {
  create(
    scope: ProjectScope,
    a: AudienceWrite & { id: string; workspaceId: string; createdBy: string | null; at: number },
  ): Promise<Audience>;
  get(scope: ProjectScope, workspaceId: string, id: string): Promise<Audience | undefined>;
  /** Newest first; `after` is `[createdAt, id]`. */
  list(scope: ProjectScope, workspaceId: string, page: PageRequest): Promise<Audience[]>;
  update(
    scope: ProjectScope,
    workspaceId: string,
    id: string,
    patch: Partial<AudienceWrite>,
    at: number,
  ): Promise<Audience | undefined>;
  delete(scope: ProjectScope, workspaceId: string, id: string): Promise<boolean>;

  /** Observed JSON types of the current profiles' properties (a scan of the project's profiles). */
  profilePropertyTypes(scope: ProjectScope): Promise<{ name: string; types: string[]; profiles: number }[]>;
  estimate(
    scope: ProjectScope,
    query: AudienceQuery,
    sendIdType: string | null,
  ): Promise<{ size: number; reachable: number | null }>;
  /** One keyset page of member tp_uids in tp_uid order. */
  /** Which of `tpUids` are members now. */
  membersAmong(scope: ProjectScope, query: AudienceQuery, tpUids: readonly string[]): Promise<Set<string>>;
  membersPage(
    scope: ProjectScope,
    query: AudienceQuery,
    page: { after: string | null; limit: number; sendIdType: string | null },
  ): Promise<string[]>;
  /** Every member (after `after`, in tp_uid order), page by page: at most `pageSize` ids are held at a time. */
  streamMembers(
    scope: ProjectScope,
    query: AudienceQuery,
    options?: { pageSize?: number; sendIdType?: string | null; after?: string | null },
  ): AsyncGenerator<string[]>;
  /**
   * Every member holding `sendIdType` (after `after`, in tp_uid order) with its properties and
   * its values of that ID type, page by page: what a campaign run renders.
   */
  streamMemberProfiles(
    scope: ProjectScope,
    query: AudienceQuery,
    options: { pageSize: number; sendIdType: string; after: string | null },
  ): AsyncGenerator<AudienceMemberProfile[]>;
}

/** A member as a campaign renders it. */
export interface AudienceMemberProfile {
  readonly tpUid: string;
  readonly properties: Record<string, unknown>;
  readonly identities: { type: string; value: string }[];
}

function toAudience(r: Selectable<AudiencesTable>): Audience {
  return {
    id: r.id,
    projectId: Number(r.project_id),
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    conditions: JSON.parse(r.conditions) as ConditionGroupJson,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function audiencesRepository(root: Kysely<Database>, json: JsonSql): AudiencesRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);
  const repo: AudiencesRepository = {
    async create(scope, a) {
      const row = {
        id: a.id,
        project_id: scope.projectId,
        workspace_id: a.workspaceId,
        name: a.name,
        name_key: nameKey(a.name),
        description: a.description,
        conditions: JSON.stringify(a.conditions),
        created_by: a.createdBy,
        created_at: a.at,
        updated_at: a.at,
      };
      await q(scope).insertInto('audiences').values(row).execute();
      return toAudience(row);
    },
    async get(scope, workspaceId, id) {
      const row = await q(scope)
        .selectFrom('audiences')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toAudience(row);
    },
    async list(scope, workspaceId, page) {
      let query = q(scope)
        .selectFrom('audiences')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('workspace_id', '=', workspaceId);
      if (page.after) query = query.where(olderThan('created_at', page.after));
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .execute();
      return rows.map(toAudience);
    },
    async update(scope, workspaceId, id, patch, at) {
      await q(scope)
        .updateTable('audiences')
        .set({
          ...(patch.name !== undefined ? { name: patch.name, name_key: nameKey(patch.name) } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.conditions !== undefined ? { conditions: JSON.stringify(patch.conditions) } : {}),
          updated_at: at,
        })
        .where('project_id', '=', scope.projectId)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return repo.get(scope, workspaceId, id);
    },
    async delete(scope, workspaceId, id) {
      const result = await q(scope)
        .deleteFrom('audiences')
        .where('project_id', '=', scope.projectId)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async profilePropertyTypes(scope) {
      const result = await json.profilePropertyTypes(scope.projectId).execute(q(scope));
      const byName = new Map<string, { name: string; types: string[]; profiles: number }>();
      for (const r of result.rows) {
        const entry = byName.get(r.key) ?? { name: r.key, types: [], profiles: 0 };
        entry.types.push(r.type);
        entry.profiles += Number(r.n);
        byName.set(r.key, entry);
      }
      return [...byName.values()];
    },
    estimate: (scope, query, sendIdType) =>
      estimateAudience(q(scope), json, scope.projectId, query, sendIdType),
    membersAmong: (scope, query, tpUids) =>
      audienceMembersAmong(q(scope), json, scope.projectId, query, tpUids),
    membersPage: (scope, query, page) => audienceMembersPage(q(scope), json, scope.projectId, query, page),
    async *streamMembers(scope, query, options = {}) {
      const limit = options.pageSize ?? 5000;
      let after: string | null = options.after ?? null;
      for (;;) {
        const ids = await audienceMembersPage(q(scope), json, scope.projectId, query, {
          after,
          limit,
          sendIdType: options.sendIdType ?? null,
        });
        if (ids.length > 0) yield ids;
        if (ids.length < limit) return;
        after = ids[ids.length - 1] ?? null;
      }
    },
    async *streamMemberProfiles(scope, query, options) {
      let after = options.after;
      for (;;) {
        const rows = await audienceMemberProfilesPage(q(scope), json, scope.projectId, query, {
          after,
          limit: options.pageSize,
          sendIdType: options.sendIdType,
        });
        if (rows.length > 0)
          yield rows.map((r) => ({
            tpUid: r.tpUid,
            properties: fromJson<Record<string, unknown>>(r.properties),
            identities: r.identities.map((value) => ({ type: options.sendIdType, value })),
          }));
        if (rows.length < options.pageSize) return;
        after = rows[rows.length - 1]?.tpUid ?? null;
      }
    },
  };
  return repo;
}

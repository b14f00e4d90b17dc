import { sql, type Kysely, type Selectable } from 'kysely';
import type { PageRequest } from '../../access/paging.ts';
import type { ProjectScope } from '../../access/scope.ts';
import {
  PROFILE_ID_TYPE,
  type ConsentEntry,
  type ConsentSource,
  type GateSkip,
} from '../../campaigns/consent-model.ts';
import type { Database, UnsubscribesTable } from '../schema.ts';
import { olderThan, scoped } from './scoped.ts';

/** Which profiles a page of members holds: a list, or every tp_uid in a range (campaign pages). */
export type MemberSet =
  { readonly tpUids: readonly string[] } | { readonly from: string; readonly through: string };

/** Suppressions (project-wide) and unsubscribes (per channel), and the send gate's question. */
export interface ConsentRepository {
  /** Adds an entry; answers the existing one when the value is already listed. */
  add(
    scope: ProjectScope,
    e: Omit<ConsentEntry, 'projectId'>,
  ): Promise<{ entry: ConsentEntry; created: boolean }>;
  get(scope: ProjectScope, channelId: string | null, id: string): Promise<ConsentEntry | undefined>;
  /** Newest first; `after` is `[createdAt, id]`; optionally the entries of one ID value. */
  list(
    scope: ProjectScope,
    channelId: string | null,
    filter: { idType?: string; value?: string },
    page: PageRequest,
  ): Promise<ConsentEntry[]>;
  remove(scope: ProjectScope, channelId: string | null, id: string): Promise<boolean>;
  /**
   * Erasure: suppressions and unsubscribes naming any of these ID values, or the profiles
   * themselves (`$tp_uid`), are deleted; answers how many.
   */
  removeNaming(
    scope: ProjectScope,
    identities: readonly { type: string; value: string }[],
    tpUids: readonly string[],
  ): Promise<number>;
  /** Whether the project has any entry at all (the gate skips its query when not). */
  any(scope: ProjectScope, channelId: string): Promise<boolean>;
  /**
   * The members the gate leaves out for a send on `channelId`, with the reason (suppression
   * first): joins their identities with both lists, plus entries naming the profile itself.
   */
  blocked(scope: ProjectScope, channelId: string, members: MemberSet): Promise<Map<string, GateSkip>>;
  /** Messages of the members created since `since`, optionally of one channel or campaign. */
  sentCounts(
    scope: ProjectScope,
    members: MemberSet,
    since: number,
    only: { channelId?: string; campaignId?: string },
  ): Promise<Map<string, number>>;
  /** The project's delivery rules (frequency cap, quiet hours), as stored JSON. */
  rules(scope: ProjectScope): Promise<unknown>;
  setRules(scope: ProjectScope, rules: unknown): Promise<void>;
}

type Row = Selectable<UnsubscribesTable>;

function toEntry(r: Omit<Row, 'channel_id'> & { channel_id?: string | null }): ConsentEntry {
  return {
    id: r.id,
    projectId: Number(r.project_id),
    channelId: r.channel_id ?? null,
    idType: r.id_type,
    value: r.value,
    reason: r.reason,
    source: r.source as ConsentSource,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  };
}

const CHUNK = 500;

export function consentRepository(root: Kysely<Database>): ConsentRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);

  /**
   * Selects from the suppression list, or one channel's unsubscribes. Typed as the suppression
   * list: the two tables share every column but `channel_id`, which the caller reads as optional.
   */
  function table(scope: ProjectScope, channelId: string | null) {
    const suppressions = q(scope)
      .selectFrom('suppressions')
      .selectAll()
      .where('project_id', '=', scope.projectId);
    if (channelId === null) return suppressions;
    return q(scope)
      .selectFrom('unsubscribes')
      .selectAll()
      .where('project_id', '=', scope.projectId)
      .where('channel_id', '=', channelId) as unknown as typeof suppressions;
  }

  async function blockedBy(
    scope: ProjectScope,
    list: 'suppressions' | 'unsubscribes',
    channelId: string,
    members: MemberSet,
  ): Promise<Set<string>> {
    const out = new Set<string>();
    const chunks =
      'tpUids' in members
        ? Array.from({ length: Math.ceil(members.tpUids.length / CHUNK) }, (_, i) =>
            members.tpUids.slice(i * CHUNK, (i + 1) * CHUNK),
          )
        : [null];
    for (const chunk of chunks) {
      if (chunk !== null && chunk.length === 0) continue;
      const inMembers = (column: string) =>
        chunk !== null
          ? sql<boolean>`${sql.ref(column)} IN (${sql.join(chunk)})`
          : sql<boolean>`${sql.ref(column)} >= ${(members as { from: string }).from} AND ${sql.ref(column)} <= ${(members as { through: string }).through}`;
      const byChannel = list === 'unsubscribes' ? sql`AND l.channel_id = ${channelId}` : sql``;
      // An ID value any member holds (profile_identities_profile walks the page's tp_uids), or
      // the member itself by `$tp_uid`.
      const rows = await sql<{ tp_uid: string }>`
        SELECT i.tp_uid FROM profile_identities i
        JOIN ${sql.table(list)} l ON l.project_id = i.project_id AND l.id_type = i.id_type AND l.value = i.value ${byChannel}
        WHERE i.project_id = ${scope.projectId} AND ${inMembers('i.tp_uid')}
        UNION
        SELECT l.value AS tp_uid FROM ${sql.table(list)} l
        WHERE l.project_id = ${scope.projectId} AND l.id_type = ${PROFILE_ID_TYPE} ${byChannel} AND ${inMembers('l.value')}`.execute(
        q(scope),
      );
      for (const r of rows.rows) out.add(r.tp_uid);
    }
    return out;
  }

  return {
    async add(scope, e) {
      const row = {
        id: e.id,
        project_id: scope.projectId,
        id_type: e.idType,
        value: e.value,
        reason: e.reason,
        source: e.source,
        created_by: e.createdBy,
        created_at: e.createdAt,
      };
      const inserted =
        e.channelId === null
          ? await q(scope)
              .insertInto('suppressions')
              .values(row)
              .onConflict((oc) => oc.columns(['project_id', 'id_type', 'value']).doNothing())
              .executeTakeFirst()
          : await q(scope)
              .insertInto('unsubscribes')
              .values({ ...row, channel_id: e.channelId })
              .onConflict((oc) => oc.columns(['project_id', 'channel_id', 'id_type', 'value']).doNothing())
              .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0)
        return { entry: { ...e, projectId: scope.projectId }, created: true };
      const existing = await table(scope, e.channelId)
        .where('id_type', '=', e.idType)
        .where('value', '=', e.value)
        .executeTakeFirstOrThrow();
      return { entry: toEntry(existing), created: false };
    },
    async get(scope, channelId, id) {
      const row = await table(scope, channelId).where('id', '=', id).executeTakeFirst();
      return row && toEntry(row);
    },
    async list(scope, channelId, filter, page) {
      let query = table(scope, channelId);
      if (filter.idType !== undefined) query = query.where('id_type', '=', filter.idType);
      if (filter.value !== undefined) query = query.where('value', '=', filter.value);
      if (page.after) query = query.where(olderThan('created_at', page.after));
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit)
        .execute();
      return rows.map(toEntry);
    },
    async remove(scope, channelId, id) {
      const result =
        channelId === null
          ? await q(scope)
              .deleteFrom('suppressions')
              .where('project_id', '=', scope.projectId)
              .where('id', '=', id)
              .executeTakeFirst()
          : await q(scope)
              .deleteFrom('unsubscribes')
              .where('project_id', '=', scope.projectId)
              .where('channel_id', '=', channelId)
              .where('id', '=', id)
              .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async removeNaming(scope, identities, tpUids) {
      const byType = new Map<string, string[]>();
      for (const i of [...identities, ...tpUids.map((value) => ({ type: '$tp_uid', value }))])
        byType.set(i.type, [...(byType.get(i.type) ?? []), i.value]);
      let removed = 0;
      for (const table of ['suppressions', 'unsubscribes'] as const)
        for (const [type, values] of byType)
          for (let i = 0; i < values.length; i += 500) {
            const result = await q(scope)
              .deleteFrom(table)
              .where('project_id', '=', scope.projectId)
              .where('id_type', '=', type)
              .where('value', 'in', values.slice(i, i + 500))
              .executeTakeFirst();
            removed += Number(result.numDeletedRows);
          }
      return removed;
    },
    async any(scope, channelId) {
      const [s, u] = await Promise.all([
        q(scope)
          .selectFrom('suppressions')
          .select('id')
          .where('project_id', '=', scope.projectId)
          .limit(1)
          .executeTakeFirst(),
        q(scope)
          .selectFrom('unsubscribes')
          .select('id')
          .where('project_id', '=', scope.projectId)
          .where('channel_id', '=', channelId)
          .limit(1)
          .executeTakeFirst(),
      ]);
      return s !== undefined || u !== undefined;
    },
    async sentCounts(scope, members, since, only) {
      const out = new Map<string, number>();
      const lists =
        'tpUids' in members
          ? Array.from({ length: Math.ceil(members.tpUids.length / CHUNK) }, (_, i) =>
              members.tpUids.slice(i * CHUNK, (i + 1) * CHUNK),
            )
          : [null];
      for (const list of lists) {
        if (list !== null && list.length === 0) continue;
        // messages_profile (project_id, tp_uid) finds each member's messages.
        let query = q(scope)
          .selectFrom('messages')
          .select(['tp_uid', (eb) => eb.fn.countAll<number>().as('n')])
          .where('project_id', '=', scope.projectId)
          .where('created_at', '>=', since);
        query =
          list !== null
            ? query.where('tp_uid', 'in', list)
            : query
                .where('tp_uid', '>=', (members as { from: string }).from)
                .where('tp_uid', '<=', (members as { through: string }).through);
        if (only.channelId !== undefined) query = query.where('channel_id', '=', only.channelId);
        if (only.campaignId !== undefined) query = query.where('campaign_id', '=', only.campaignId);
        for (const r of await query.groupBy('tp_uid').execute())
          if (r.tp_uid !== null) out.set(r.tp_uid, Number(r.n));
      }
      return out;
    },
    async rules(scope) {
      const row = await q(scope)
        .selectFrom('project_settings')
        .select('value')
        .where('project_id', '=', scope.projectId)
        .where('key', '=', 'delivery_rules')
        .executeTakeFirst();
      return row ? (JSON.parse(row.value) as unknown) : null;
    },
    async setRules(scope, rules) {
      const value = JSON.stringify(rules);
      await q(scope)
        .insertInto('project_settings')
        .values({ project_id: scope.projectId, key: 'delivery_rules', value })
        .onConflict((oc) => oc.columns(['project_id', 'key']).doUpdateSet({ value }))
        .execute();
    },
    async blocked(scope, channelId, members) {
      const out = new Map<string, GateSkip>();
      for (const tpUid of await blockedBy(scope, 'unsubscribes', channelId, members))
        out.set(tpUid, 'unsubscribed');
      for (const tpUid of await blockedBy(scope, 'suppressions', channelId, members))
        out.set(tpUid, 'suppressed');
      return out;
    },
  };
}

import { sql, type Kysely } from 'kysely';
import type { ProjectScope, SystemScope } from '../../access/scope.ts';
import type { JsonSql } from '../json-sql.ts';
import type { Database } from '../schema.ts';
import { deleteEvents } from '../sql/delete-events.ts';
import { scoped } from './scoped.ts';

const CHUNK = 500;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < list.length; start += CHUNK) out.push(list.slice(start, start + CHUNK));
  return out;
}

/** What a message keeps after its user's erasure: the push ID no longer names anyone. */
export const ERASED_PUSH_ID = '(erased)';
const EMPTY_BODY = JSON.stringify({ params: {}, customParams: {} });

/**
 * The store side of erasing a user (issue 20 item 4): each method deletes or strips one kind of
 * row that names them, in the caller's transaction, and answers how many rows it touched; the
 * tombstones the profile applier reads so an erased user's older events never come back.
 */
export interface ErasureRepository {
  /** The profile and every profile merged into it (a merge re-points chains; followed anyway). */
  profileFamily(scope: ProjectScope, tpUid: string): Promise<string[]>;
  /** Every identity the profiles hold. */
  identitiesOf(scope: ProjectScope, tpUids: readonly string[]): Promise<{ type: string; value: string }[]>;
  /**
   * Deletes the profiles, their identities, their applied events (through `profile_events`, and
   * older rows through `events.tp_uid`) and the `profile_events` rows.
   */
  deleteProfiles(
    scope: ProjectScope,
    tpUids: readonly string[],
  ): Promise<{ profiles: number; identities: number; events: number }>;
  /** Deletes verify buffer entries whose stored event text contains any of `needles`. */
  deleteVerifyEntries(scope: ProjectScope, needles: readonly string[]): Promise<number>;
  /**
   * Messages of the profiles (by tp_uid) or sent to any of `pushIds`: queued and held ones are
   * cancelled (`failed`, `erased`); every one loses its push ID, tp_uid, rendered values and
   * last error, and its attempts their detail and response excerpt. States, counts, times and
   * `ops_request_id` stay (delivery charts and funnels count them).
   */
  eraseMessages(
    scope: ProjectScope,
    match: { tpUids: readonly string[]; pushIds: readonly string[] },
    nowMs: number,
  ): Promise<{ cancelled: number; stripped: number; attempts: number }>;
  /**
   * Campaign runs whose keyset cursor is one of the profiles move it to the previous remaining
   * profile, which pages the same (nothing between them remains) without naming the user.
   */
  moveRunCursors(scope: ProjectScope, tpUids: readonly string[]): Promise<number>;
  /**
   * Takes the lease of every run of the project being rendered: a page its worker read before
   * the erasure (it may hold the user) fails its checkpoint and rolls back, and the run is
   * claimed again at once and renders that page anew, without the user.
   */
  interruptRenderingRuns(scope: ProjectScope, nowMs: number): Promise<number>;
  putTombstones(
    scope: ProjectScope,
    hashes: readonly string[],
    erasedAt: number,
    expiresAt: number,
  ): Promise<void>;
  /**
   * Moves the profile cursor's timestamp (not its position), in the caller's transaction under
   * the applier's project lock: a window the applier read before this commit is dropped and read
   * again, with the tombstones, instead of writing back a profile that was just erased.
   */
  invalidateWindows(scope: ProjectScope, at: number): Promise<void>;
  /** Whether the project has live tombstones (the applier's cheap check before a lookup). */
  hasTombstones(scope: ProjectScope, nowMs: number): Promise<boolean>;
  /** Live tombstones among `hashes`: hash → erasure time. */
  tombstones(scope: ProjectScope, hashes: readonly string[], nowMs: number): Promise<Map<string, number>>;
  /** Deletes expired tombstones of every project. */
  pruneTombstones(scope: SystemScope, nowMs: number): Promise<number>;
}

export function erasureRepository(root: Kysely<Database>, json: JsonSql): ErasureRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);
  return {
    async profileFamily(scope, tpUid) {
      const family = new Set([tpUid]);
      let frontier = [tpUid];
      while (frontier.length > 0) {
        const next: string[] = [];
        for (const chunk of chunks(frontier)) {
          const rows = await q(scope)
            .selectFrom('profiles')
            .select('tp_uid')
            .where('project_id', '=', scope.projectId)
            .where('merged_into', 'in', chunk)
            .execute();
          for (const r of rows)
            if (!family.has(r.tp_uid)) {
              family.add(r.tp_uid);
              next.push(r.tp_uid);
            }
        }
        frontier = next;
      }
      return [...family];
    },

    async identitiesOf(scope, tpUids) {
      const found: { type: string; value: string }[] = [];
      for (const chunk of chunks(tpUids)) {
        const rows = await q(scope)
          .selectFrom('profile_identities')
          .select(['id_type', 'value'])
          .where('project_id', '=', scope.projectId)
          .where('tp_uid', 'in', chunk)
          .execute();
        for (const r of rows) found.push({ type: r.id_type, value: r.value });
      }
      return found;
    },

    async deleteProfiles(scope, tpUids) {
      const db = q(scope);
      const { projectId } = scope;
      let profiles = 0;
      let identities = 0;
      let events = 0;
      for (const chunk of chunks(tpUids)) {
        // The events first, while profile_events still says which they are; rows applied before
        // profile_events existed (0013) carry their profile themselves.
        const mapped = await db
          .selectFrom('profile_events')
          .select('event_id as id')
          .where('project_id', '=', projectId)
          .where('tp_uid', 'in', chunk)
          .execute();
        const legacy = await db
          .selectFrom('events')
          .select('id')
          .where('project_id', '=', projectId)
          .where('tp_uid', 'in', chunk)
          .execute();
        events += await deleteEvents(db, projectId, [
          ...new Set([...mapped, ...legacy].map((r) => Number(r.id))),
        ]);
        await db
          .deleteFrom('profile_events')
          .where('project_id', '=', projectId)
          .where('tp_uid', 'in', chunk)
          .execute();
        const ids = await db
          .deleteFrom('profile_identities')
          .where('project_id', '=', projectId)
          .where('tp_uid', 'in', chunk)
          .executeTakeFirst();
        identities += Number(ids.numDeletedRows);
        const rows = await db
          .deleteFrom('profiles')
          .where('project_id', '=', projectId)
          .where('tp_uid', 'in', chunk)
          .executeTakeFirst();
        profiles += Number(rows.numDeletedRows);
      }
      return { profiles, identities, events };
    },

    async deleteVerifyEntries(scope, needles) {
      let deleted = 0;
      // A handful of needles per statement: each is a substring test on every entry of the project.
      for (let start = 0; start < needles.length; start += 20) {
        const some = needles.slice(start, start + 20);
        const result = await q(scope)
          .deleteFrom('verify_buffer')
          .where('project_id', '=', scope.projectId)
          .where(
            sql<boolean>`(${sql.join(
              some.map((n) => json.containsText(sql.ref('event'), n)),
              sql` OR `,
            )})`,
          )
          .executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
      return deleted;
    },

    async eraseMessages(scope, match, nowMs) {
      const db = q(scope);
      const { projectId } = scope;
      const ids = new Set<number>();
      for (const [column, list] of [
        ['tp_uid', match.tpUids],
        ['push_id', match.pushIds],
      ] as const)
        for (const chunk of chunks(list)) {
          const rows = await db
            .selectFrom('messages')
            .select('id')
            .where('project_id', '=', projectId)
            .where(column, 'in', chunk)
            .execute();
          for (const r of rows) ids.add(Number(r.id));
        }
      let cancelled = 0;
      let attempts = 0;
      for (const chunk of chunks([...ids])) {
        const cancel = await db
          .updateTable('messages')
          .set({
            state: 'failed',
            last_reason: 'erased',
            held_reason: null,
            lease_token: null,
            leased_until: null,
            leased_by: null,
            finished_at: nowMs,
            updated_at: nowMs,
          })
          .where('project_id', '=', projectId)
          .where('id', 'in', chunk)
          .where('state', 'in', ['queued', 'held'])
          .executeTakeFirst();
        cancelled += Number(cancel.numUpdatedRows);
        // last_error may quote the receiver's answer, which may name the user.
        await db
          .updateTable('messages')
          .set({
            push_id: ERASED_PUSH_ID,
            tp_uid: null,
            body: EMPTY_BODY,
            last_error: sql<
              string | null
            >`CASE WHEN last_reason = 'erased' THEN ${'the user was erased before this message was sent'} ELSE NULL END`,
          })
          .where('project_id', '=', projectId)
          .where('id', 'in', chunk)
          .execute();
        const stripped = await db
          .updateTable('message_attempts')
          .set({ detail: null, response_excerpt: null })
          .where('project_id', '=', projectId)
          .where('message_id', 'in', chunk)
          .executeTakeFirst();
        attempts += Number(stripped.numUpdatedRows);
      }
      return { cancelled, stripped: ids.size, attempts };
    },

    async moveRunCursors(scope, tpUids) {
      const db = q(scope);
      const { projectId } = scope;
      let moved = 0;
      for (const chunk of chunks(tpUids)) {
        const runs = await db
          .selectFrom('campaign_runs')
          .select(['id', 'cursor'])
          .where('project_id', '=', projectId)
          .where('cursor', 'in', chunk)
          .execute();
        for (const run of runs) {
          const previous = await db
            .selectFrom('profiles')
            .select((eb) => eb.fn.max('tp_uid').as('tp_uid'))
            .where('project_id', '=', projectId)
            .where('tp_uid', '<', run.cursor as string)
            .where('tp_uid', 'not in', [...tpUids])
            .executeTakeFirst();
          await db
            .updateTable('campaign_runs')
            .set({ cursor: previous?.tp_uid ?? '' })
            .where('project_id', '=', projectId)
            .where('id', '=', run.id)
            .execute();
          moved++;
        }
      }
      return moved;
    },

    async interruptRenderingRuns(scope, nowMs) {
      const result = await q(scope)
        .updateTable('campaign_runs')
        .set({ lease_token: null, leased_by: null, leased_until: null, updated_at: nowMs })
        .where('project_id', '=', scope.projectId)
        .where('state', '=', 'rendering')
        .where('lease_token', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async putTombstones(scope, hashes, erasedAt, expiresAt) {
      for (const chunk of chunks(hashes))
        await q(scope)
          .insertInto('erasure_tombstones')
          .values(
            chunk.map((id_hash) => ({
              project_id: scope.projectId,
              id_hash,
              erased_at: erasedAt,
              expires_at: expiresAt,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['project_id', 'id_hash']).doUpdateSet({ erased_at: erasedAt, expires_at: expiresAt }),
          )
          .execute();
    },

    async invalidateWindows(scope, at) {
      const row = await q(scope)
        .selectFrom('profile_cursors')
        .select('updated_at')
        .where('project_id', '=', scope.projectId)
        .executeTakeFirst();
      const moved = Math.max(at, row ? Number(row.updated_at) + 1 : at);
      await q(scope)
        .insertInto('profile_cursors')
        .values({ project_id: scope.projectId, applied_through: 0, updated_at: moved })
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ updated_at: moved }))
        .execute();
    },

    async hasTombstones(scope, nowMs) {
      const row = await q(scope)
        .selectFrom('erasure_tombstones')
        .select('id_hash')
        .where('project_id', '=', scope.projectId)
        .where('expires_at', '>', nowMs)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async tombstones(scope, hashes, nowMs) {
      const found = new Map<string, number>();
      for (const chunk of chunks([...new Set(hashes)])) {
        const rows = await q(scope)
          .selectFrom('erasure_tombstones')
          .select(['id_hash', 'erased_at'])
          .where('project_id', '=', scope.projectId)
          .where('id_hash', 'in', chunk)
          .where('expires_at', '>', nowMs)
          .execute();
        for (const r of rows) found.set(r.id_hash, Number(r.erased_at));
      }
      return found;
    },

    async pruneTombstones(scope, nowMs) {
      const result = await scoped(root, scope)
        .deleteFrom('erasure_tombstones')
        .where('expires_at', '<=', nowMs)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

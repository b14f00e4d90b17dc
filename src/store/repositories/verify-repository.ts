import type { Kysely } from 'kysely';
import type { ProjectScope, SystemScope } from '../../access/scope.ts';
import { fromJson } from '../json.ts';
import type { Database } from '../schema.ts';
import { scoped } from './scoped.ts';

/**
 * One line of the verify view: an accepted event, a rejected/dry-run/flagged one, or a whole
 * request refused (`refused`: wrong origin, secret, disabled source, malformed body).
 */
export interface VerifyEntry {
  readonly key: string;
  readonly sourceId: string;
  readonly receivedAt: number;
  readonly verdict: 'accepted' | 'rejected' | 'dry_run' | 'warning' | 'refused';
  readonly reasons: readonly { code: string; message: string }[];
  readonly type: string | null;
  readonly eventName: string | null;
  readonly userId: string | null;
  readonly anonymousId: string | null;
  readonly messageId: string | null;
  /** The event as stored (accepted) or as sent (others), at most a few KB. */
  readonly event: unknown;
}

/** The verify buffer (refused, dry-run and flagged events) and the accepted events it merges with. */
export interface VerifyRepository {
  append(
    scope: ProjectScope,
    entries: readonly {
      entryId: string;
      sourceId: string;
      receivedAt: number;
      verdict: string;
      reasons: readonly { code: string; message: string }[];
      event: string;
    }[],
  ): Promise<void>;
  /** Newest first: accepted events and buffer entries of a source received at or after `since`. */
  recent(scope: ProjectScope, sourceId: string, since: number, limit: number): Promise<VerifyEntry[]>;
  /** Deletes buffer entries older than `before` in every project (retention). */
  prune(scope: SystemScope, before: number): Promise<number>;
}

const MAX_EVENT_TEXT = 4096;

export function verifyRepository(root: Kysely<Database>): VerifyRepository {
  const q = (scope: ProjectScope) => scoped(root, scope);
  return {
    async append(scope, entries) {
      if (entries.length === 0) return;
      await q(scope)
        .insertInto('verify_buffer')
        .values(
          entries.map((e) => ({
            project_id: scope.projectId,
            source_id: e.sourceId,
            entry_id: e.entryId,
            received_at: e.receivedAt,
            verdict: e.verdict,
            reasons: JSON.stringify(e.reasons),
            event: e.event.length > MAX_EVENT_TEXT ? `${e.event.slice(0, MAX_EVENT_TEXT)}…` : e.event,
          })),
        )
        .onConflict((oc) => oc.columns(['project_id', 'entry_id']).doNothing())
        .execute();
    },
    async recent(scope, sourceId, since, limit) {
      const events = await q(scope)
        .selectFrom('events')
        .select([
          'id',
          'source_id',
          'message_id',
          'type',
          'event_name',
          'user_id',
          'anonymous_id',
          'account_id',
          'distinct_id',
          'properties',
          'traits',
          'received_at',
          'event_time',
        ])
        .where('project_id', '=', scope.projectId)
        .where('source_id', '=', sourceId)
        .where('received_at', '>=', since)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      const buffered = await q(scope)
        .selectFrom('verify_buffer')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('source_id', '=', sourceId)
        .where('received_at', '>=', since)
        .orderBy('received_at', 'desc')
        .limit(limit)
        .execute();
      const entries: VerifyEntry[] = [
        ...events.map((e) => ({
          key: `e${e.id}`,
          sourceId: e.source_id,
          receivedAt: Number(e.received_at),
          verdict: 'accepted' as const,
          reasons: [],
          type: e.type,
          eventName: e.event_name,
          userId: e.user_id ?? e.account_id,
          anonymousId: e.anonymous_id ?? e.distinct_id,
          messageId: e.message_id,
          event: {
            properties: fromJson(e.properties),
            traits: fromJson(e.traits),
            event_time: new Date(Number(e.event_time)).toISOString(),
          },
        })),
        ...buffered.map((b) => {
          let event: unknown = b.event;
          try {
            event = JSON.parse(b.event);
          } catch {
            // kept as text: a refused body may not be JSON at all
          }
          const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
          const str = (v: unknown) => (typeof v === 'string' ? v : null);
          return {
            key: `b${b.entry_id}`,
            sourceId: b.source_id,
            receivedAt: Number(b.received_at),
            verdict: b.verdict as VerifyEntry['verdict'],
            reasons: fromJson<{ code: string; message: string }[]>(b.reasons),
            type: str(e.type) ?? str(e['#type']),
            // A refused request has no event: its method and path name the line.
            eventName: str(e.event) ?? str(e['#event_name']) ?? str(e.name) ?? str(e.request),
            userId: str(e.userId) ?? str(e['#account_id']),
            anonymousId: str(e.anonymousId) ?? str(e['#distinct_id']),
            messageId: str(e.messageId) ?? str(e['#uuid']),
            event,
          };
        }),
      ];
      return entries
        .sort((a, b) => b.receivedAt - a.receivedAt || b.key.localeCompare(a.key))
        .slice(0, limit);
    },
    async prune(scope, before) {
      const result = await scoped(root, scope)
        .deleteFrom('verify_buffer')
        .where('received_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

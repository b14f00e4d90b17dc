import { sql, type Kysely, type Selectable } from 'kysely';
import type { ProjectScope, Scope } from '../../access/scope.ts';
import {
  latencyBounds,
  statsOutcomes,
  type StatsIncrement,
  type StatsMinute,
} from '../../delivery/delivery-stats.ts';
import type { Database, DeliveryStatsTable, LatencyColumn } from '../schema.ts';
import { scoped } from './scoped.ts';

/**
 * The per-channel, per-minute delivery aggregate (issue 17, decision 78): added to in the
 * transaction that records a request's attempts, read by the channel charts. Never a scan of
 * `message_attempts`.
 */
export interface DeliveryStatsRepository {
  /** Adds one request's counts to its channel's minute (an upsert that adds, safe across workers). */
  record(scope: Scope, increment: StatsIncrement): Promise<void>;
  /** A channel's stored minutes in `[from, to)`, oldest first. */
  minutes(scope: ProjectScope, channelId: string, from: number, to: number): Promise<StatsMinute[]>;
}

const latencyColumns: readonly LatencyColumn[] = latencyBounds.map(
  (_, i) => `latency_${String(i).padStart(2, '0')}` as LatencyColumn,
);

const counterColumns = [
  'requests',
  'request_errors',
  'request_partial',
  ...statsOutcomes,
  'late',
  'latency_ms_sum',
  ...latencyColumns,
] as const;

function toMinute(row: Selectable<DeliveryStatsTable>): StatsMinute {
  return {
    minute: Number(row.minute),
    requests: Number(row.requests),
    requestErrors: Number(row.request_errors),
    requestPartial: Number(row.request_partial),
    messages: {
      delivered: Number(row.delivered),
      sent: Number(row.sent),
      retry: Number(row.retry),
      failed: Number(row.failed),
      dead: Number(row.dead),
      held: Number(row.held),
    },
    late: Number(row.late),
    latencyMsSum: Number(row.latency_ms_sum),
    latency: latencyColumns.map((c) => Number(row[c])),
  };
}

export function deliveryStatsRepository(db: Kysely<Database>): DeliveryStatsRepository {
  return {
    async record(scope, inc) {
      const counters: Record<(typeof counterColumns)[number], number> = {
        requests: inc.requests,
        request_errors: inc.requestErrors,
        request_partial: inc.requestPartial,
        ...inc.messages,
        late: inc.late,
        latency_ms_sum: inc.latencyMsSum,
        ...(Object.fromEntries(latencyColumns.map((c, i) => [c, inc.latency[i] ?? 0])) as Record<
          LatencyColumn,
          number
        >),
      };
      // One statement: a concurrent worker's increment of the same minute waits on the row (or
      // the unique index) and adds to what committed, so no count is lost or doubled.
      await scoped(db, scope)
        .insertInto('delivery_stats')
        .values({ project_id: inc.projectId, channel_id: inc.channelId, minute: inc.minute, ...counters })
        .onConflict((oc) =>
          oc
            .columns(['channel_id', 'minute'])
            .doUpdateSet(
              Object.fromEntries(
                counterColumns.map((c) => [
                  c,
                  sql<number>`${sql.ref(`delivery_stats.${c}`)} + ${sql.ref(`excluded.${c}`)}`,
                ]),
              ),
            ),
        )
        .execute();
    },

    async minutes(scope, channelId, from, to) {
      const rows = await scoped(db, scope)
        .selectFrom('delivery_stats')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('channel_id', '=', channelId)
        .where('minute', '>=', from)
        .where('minute', '<', to)
        .orderBy('minute')
        .execute();
      return rows.map(toMinute);
    },
  };
}

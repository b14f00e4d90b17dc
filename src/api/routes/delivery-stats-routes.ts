import type { FastifyPluginAsync } from 'fastify';
import { statsOutcomes, type StatsRange, type StatsSeries } from '../../delivery/delivery-stats.ts';
import type { AppDeps } from '../app-deps.ts';
import { accessOf } from '../route-guard.ts';
import { isoTime as iso, pathParams as params } from '../route-params.ts';

const byOutcome = (type: 'integer' | 'number') =>
  ({
    type: 'object',
    required: [...statsOutcomes],
    properties: Object.fromEntries(statsOutcomes.map((o) => [o, { type }])),
  }) as const;

const nullableNumber = { type: ['number', 'null'] } as const;

const statsSchema = {
  type: 'object',
  required: ['channel_id', 'range', 'step_s', 'from', 'to', 'totals', 'points'],
  properties: {
    channel_id: { type: 'string' },
    range: { type: 'string', enum: ['1h', '24h'] },
    step_s: { type: 'integer', description: 'Width of one point in seconds (60 for 1h, 900 for 24h)' },
    from: { type: 'string' },
    to: { type: 'string' },
    totals: {
      type: 'object',
      required: ['requests', 'request_errors', 'request_partial', 'messages', 'late', 'error_rate'],
      properties: {
        requests: { type: 'integer' },
        request_errors: { type: 'integer', description: 'Requests whose result was failure' },
        request_partial: { type: 'integer', description: 'Requests with some items refused' },
        messages: { ...byOutcome('integer'), description: 'Messages by what the attempt meant for them' },
        late: { type: 'integer', description: 'Attempts completed after their lease was lost' },
        error_rate: nullableNumber,
        p50_ms: nullableNumber,
        p99_ms: nullableNumber,
      },
    },
    points: {
      type: 'array',
      items: {
        type: 'object',
        required: ['at', 'requests', 'messages', 'messages_per_s', 'error_rate', 'p50_ms', 'p99_ms'],
        properties: {
          at: { type: 'string', description: 'Start of the point' },
          requests: { type: 'integer' },
          messages: byOutcome('integer'),
          messages_per_s: byOutcome('number'),
          error_rate: nullableNumber,
          p50_ms: nullableNumber,
          p99_ms: nullableNumber,
        },
      },
    },
  },
} as const;

const round = (n: number | null, digits = 3) => (n === null ? null : Number(n.toFixed(digits)));

function statsJson(channelId: string, s: StatsSeries) {
  return {
    channel_id: channelId,
    range: s.range,
    step_s: s.stepMs / 1000,
    from: iso(s.from),
    to: iso(s.to),
    totals: {
      requests: s.totals.requests,
      request_errors: s.totals.requestErrors,
      request_partial: s.totals.requestPartial,
      messages: s.totals.messages,
      late: s.totals.late,
      error_rate: round(s.totals.errorRate, 4),
      p50_ms: round(s.totals.p50Ms, 1),
      p99_ms: round(s.totals.p99Ms, 1),
    },
    points: s.points.map((p) => ({
      at: iso(p.at),
      requests: p.requests,
      messages: p.messages,
      messages_per_s: Object.fromEntries(statsOutcomes.map((o) => [o, round(p.messagesPerSecond[o], 4)])),
      error_rate: round(p.errorRate, 4),
      p50_ms: round(p.p50Ms, 1),
      p99_ms: round(p.p99Ms, 1),
    })),
  };
}

/** A channel's delivery charts (issue 17 item 4) from the per-minute aggregate. */
export function deliveryStatsRoutes(deps: AppDeps): FastifyPluginAsync {
  const { deliveryStats } = deps;
  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/channels/:channelId/delivery-stats',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['delivery'],
          summary:
            'Delivery charts of a channel over the last hour (1-minute points) or day (15-minute points): messages/s by outcome, error rate, p50/p99 latency, from the aggregate the workers keep',
          params: params('channelId'),
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { range: { type: 'string', enum: ['1h', '24h'], default: '1h' } },
          },
          response: { 200: statsSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        const { range } = request.query as { range: StatsRange };
        return statsJson(channelId, await deliveryStats.series(accessOf(request), channelId, range));
      },
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app-deps.ts';

/** Liveness, readiness and Prometheus metrics. */
export function healthRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { scope: { kind: 'public' } },
        schema: {
          tags: ['operations'],
          summary: 'Liveness: the process is up',
          response: { 200: { type: 'object', properties: { status: { type: 'string', const: 'ok' } } } },
        },
      },
      async () => ({ status: 'ok' }),
    );

    app.get(
      '/readyz',
      {
        config: { scope: { kind: 'public' } },
        schema: {
          tags: ['operations'],
          summary: 'Readiness: the database answers; `profiles` tells how far profiles lag behind ingest',
          response: {
            200: {
              type: 'object',
              properties: {
                status: { type: 'string' },
                database: { type: 'string' },
                profiles: {
                  type: 'object',
                  description:
                    'The profile applier across projects: events not applied yet and the age of the oldest (a lag never makes the server unready)',
                  properties: {
                    backlog_events: { type: 'integer' },
                    backlog_seconds: { type: 'number' },
                  },
                },
              },
            },
            503: { $ref: 'ErrorBody#' },
          },
        },
      },
      async () => {
        await deps.store.ping();
        const backlog = await deps.profiles.applier.backlog();
        return {
          status: 'ready',
          database: 'ok',
          profiles: {
            backlog_events: backlog.events,
            backlog_seconds: Math.round(backlog.seconds * 10) / 10,
          },
        };
      },
    );

    app.get(
      '/metrics',
      {
        config: { scope: { kind: 'public' } },
        schema: {
          tags: ['operations'],
          summary: 'Prometheus metrics (text exposition format)',
          produces: ['text/plain'],
          response: { 200: { type: 'string' } },
        },
      },
      async (_request, reply) => {
        reply.type(deps.metrics.registry.contentType);
        return deps.metrics.registry.metrics();
      },
    );
  };
}

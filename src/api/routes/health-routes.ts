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
          summary: 'Readiness: the database answers',
          response: {
            200: {
              type: 'object',
              properties: { status: { type: 'string' }, database: { type: 'string' } },
            },
            503: { $ref: 'ErrorBody#' },
          },
        },
      },
      async () => {
        await deps.store.ping();
        return { status: 'ready', database: 'ok' };
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

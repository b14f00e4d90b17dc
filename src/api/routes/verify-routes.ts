import type { FastifyPluginAsync } from 'fastify';
import type { VerifyEntry } from '../../store/repositories/verify-repository.ts';
import type { AppDeps } from '../app-deps.ts';
import { accessOf } from '../route-guard.ts';
import { isoTime as iso, pathParams } from '../route-params.ts';

const sourceParams = pathParams('sourceId');

const verifyEntrySchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    received_at: { type: 'string' },
    verdict: { type: 'string', enum: ['accepted', 'rejected', 'dry_run', 'warning', 'refused'] },
    reasons: {
      type: 'array',
      items: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
    type: { type: ['string', 'null'] },
    event_name: { type: ['string', 'null'] },
    user_id: { type: ['string', 'null'] },
    anonymous_id: { type: ['string', 'null'] },
    message_id: { type: ['string', 'null'] },
    event: {},
  },
} as const;
const verifyEntryJson = (e: VerifyEntry) => ({
  key: e.key,
  received_at: iso(e.receivedAt),
  verdict: e.verdict,
  reasons: e.reasons,
  type: e.type,
  event_name: e.eventName,
  user_id: e.userId,
  anonymous_id: e.anonymousId,
  message_id: e.messageId,
  event: e.event,
});

/** The verify view of a data source: what it received lately, and a live stream of it. */
export function verifyRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/sources/:sourceId/verify',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['sources'],
          summary: 'What the source received lately, with verdicts (newest first, at most 200)',
          params: sourceParams,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: verifyEntrySchema } } },
          },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { sourceId } = request.params as { sourceId: string };
        await deps.sources.getSource(access, sourceId);
        return { items: (await deps.verify.recent(access.scope, sourceId)).map(verifyEntryJson) };
      },
    );

    app.get(
      '/api/v1/projects/:projectId/sources/:sourceId/verify/stream',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['sources'],
          summary:
            'Server-Sent Events: replays the last 200 entries, then pushes each new one (`event: entry`)',
          params: sourceParams,
          produces: ['text/event-stream'],
          response: { 200: { type: 'string' } },
        },
      },
      async (request, reply) => {
        const access = accessOf(request);
        const { sourceId } = request.params as { sourceId: string };
        await deps.sources.getSource(access, sourceId);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          'x-request-id': String(request.id),
        });
        raw.write(': verify stream\n\n');
        const controller = new AbortController();
        request.raw.on('close', () => controller.abort());
        const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15000);
        try {
          await deps.verify.follow(
            access.scope,
            sourceId,
            (entries) => {
              for (const entry of entries)
                raw.write(
                  `event: entry\nid: ${entry.key}\ndata: ${JSON.stringify(verifyEntryJson(entry))}\n\n`,
                );
            },
            controller.signal,
          );
        } finally {
          clearInterval(heartbeat);
          raw.end();
        }
      },
    );
  };
}

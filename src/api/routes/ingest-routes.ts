import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { TouchpointError } from '../../errors.ts';
import { segmentPaths } from '../../ingest/formats/segment/parse-segment.ts';
import type { IngestHttpInput, IngestResult, IngestService } from '../../ingest/ingest-service.ts';
import type { IngestKeyLookup } from '../../sources/ingest-key.ts';
import type { RouteScope } from '../route-scope.ts';

export interface IngestRouteDeps {
  readonly ingest: IngestService;
  readonly sources: IngestKeyLookup;
  readonly config: { readonly publicUrl: string };
}

const ingestScope: RouteScope = { kind: 'ingest' };

function inputOf(request: FastifyRequest): IngestHttpInput {
  return {
    requestId: String(request.id),
    headers: request.headers,
    // The catch-all parser below hands the body over unread (or nothing for an empty body).
    body: (request.body as Readable | undefined) ?? request.raw,
  };
}

function allowOrigin(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (typeof origin === 'string')
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
}

async function answer<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // The body may be unread (auth, size, overload answers come first): close instead of draining it.
    reply.header('connection', 'close');
    throw error;
  }
}

/**
 * The ingest endpoints of SPEC §2.1 (CONTRACT): Segment-compatible `/v1/*` with its short forms
 * and settings document, ThinkingData `/sync_server` and `/data_debug`. Content-Type is ignored
 * (the SDKs mislabel their bodies); the pipeline reads the body itself, under its caps.
 */
export function ingestRoutes(deps: IngestRouteDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    // Only in this plugin: every body, whatever its Content-Type, reaches the pipeline unread.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    const segmentAnswer = (result: IngestResult) => ({
      accepted: result.accepted,
      rejected: result.rejected,
    });

    app.post<{ Params: { call: string } }>(
      '/v1/:call',
      { config: { scope: ingestScope }, schema: { hide: true } },
      async (request, reply) =>
        answer(reply, async () => {
          const call = segmentPaths[request.params.call];
          if (call === undefined)
            throw new TouchpointError('TP_ERR_NOT_FOUND', { path: request.url.split('?')[0] });
          const result = await deps.ingest.segment(call, inputOf(request));
          allowOrigin(request, reply);
          return segmentAnswer(result);
        }),
    );

    // CORS preflight of the browser library; the origin itself is checked on the POST, per source.
    app.options<{ Params: { call: string } }>(
      '/v1/:call',
      { config: { scope: ingestScope }, schema: { hide: true } },
      async (request, reply) => {
        allowOrigin(request, reply);
        reply
          .header('access-control-allow-methods', 'POST, OPTIONS')
          .header('access-control-allow-headers', 'authorization, content-type, content-encoding')
          .header('access-control-max-age', '600')
          .code(204);
        return reply.send();
      },
    );

    app.get<{ Params: { writeKey: string } }>(
      '/v1/projects/:writeKey/settings',
      { config: { scope: ingestScope }, schema: { hide: true } },
      async (request, reply) => {
        const writeKey = request.params.writeKey;
        const appKey = writeKey.split(':')[0] ?? '';
        const verdict =
          appKey === ''
            ? { status: 'unknown' as const }
            : await deps.sources.lookupIngestKey(appKey, undefined);
        if (verdict.status === 'unknown') throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
        if (verdict.status === 'disabled') throw new TouchpointError('TP_ERR_INGEST_SOURCE_DISABLED');
        allowOrigin(request, reply);
        const host = deps.config.publicUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '');
        return { integrations: { 'Segment.io': { apiKey: appKey, apiHost: `${host}/v1` } } };
      },
    );

    app.post(
      '/sync_server',
      { config: { scope: ingestScope }, schema: { hide: true } },
      async (request, reply) =>
        answer(reply, async () => {
          const result = await deps.ingest.thinkingData(inputOf(request));
          return { code: 0, accepted: result.accepted, rejected: result.rejected };
        }),
    );

    app.post(
      '/data_debug',
      { config: { scope: ingestScope }, schema: { hide: true } },
      async (request, reply) =>
        answer(reply, async () => {
          const result = await deps.ingest.thinkingDataDebug(inputOf(request));
          if (result.rejected.length === 0) return { errorLevel: 0 };
          return {
            errorLevel: 1,
            errorReasons: result.rejected.map((r) => `${r.code}: ${r.message}`),
            rejected: result.rejected,
          };
        }),
    );
  };
}

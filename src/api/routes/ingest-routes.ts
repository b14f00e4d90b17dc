import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { TouchpointError } from '../../errors.ts';
import { segmentPaths } from '../../ingest/formats/segment/parse-segment.ts';
import type { IngestHttpInput, IngestResult, IngestService } from '../../ingest/ingest-service.ts';
import type { IngestKeyLookup } from '../../sources/ingest-key.ts';
import { answerIngestPreflight, ingestCorsHeaders } from '../ingest-cors.ts';
import type { RouteScope } from '../route-scope.ts';

export interface IngestRouteDeps {
  readonly ingest: IngestService;
  readonly sources: IngestKeyLookup;
  readonly config: { readonly publicUrl: string };
}

/** Every ingest path and its methods (each also answers its CORS preflight). */
export const ingestEndpoints: readonly {
  readonly url: string;
  readonly methods: readonly ('GET' | 'POST')[];
}[] = [
  { url: '/v1/:call', methods: ['POST'] },
  { url: '/v1/projects/:writeKey/settings', methods: ['GET'] },
  { url: '/sourceConfig', methods: ['GET'] },
  { url: '/sourceConfig/', methods: ['GET'] },
  { url: '/beacon/v1/batch', methods: ['POST'] },
  { url: '/sync_server', methods: ['POST'] },
  { url: '/sync_js', methods: ['GET', 'POST'] },
  { url: '/data_debug', methods: ['POST'] },
];

const ingestScope: RouteScope = { kind: 'ingest' };

/** A 1×1 transparent GIF: the answer an image request (`<img src>`) can take. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function inputOf(request: FastifyRequest): IngestHttpInput {
  const q = request.url.indexOf('?');
  return {
    requestId: String(request.id),
    headers: request.headers,
    // The catch-all parser below hands the body over unread (or nothing for an empty body).
    body: (request.body as Readable | undefined) ?? request.raw,
    query: q < 0 ? '' : request.url.slice(q + 1),
    request: `${request.method} ${q < 0 ? request.url : request.url.slice(0, q)}`,
  };
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
 * and settings document; RudderStack's JavaScript SDK (`/sourceConfig/`, `/v1/<type>`,
 * `/beacon/v1/batch`); ThinkingData `/sync_server`, `/data_debug` and the web SDK's `/sync_js`.
 * Content-Type is ignored (the SDKs mislabel their bodies) except to find a multipart boundary;
 * the pipeline reads the body itself, under its caps. CORS is set here once for all of them.
 */
export function ingestRoutes(deps: IngestRouteDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    // Only in this plugin: every body, whatever its Content-Type, reaches the pipeline unread.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    // Before any handler, so every answer carries it, errors included (decision 100).
    app.addHook('onRequest', async (request, reply) => ingestCorsHeaders(request, reply));
    const options = { config: { scope: ingestScope }, schema: { hide: true } };
    for (const { url, methods } of ingestEndpoints)
      app.options(url, options, async (request, reply) =>
        answerIngestPreflight(request, reply, [...methods, 'OPTIONS'].join(', ')),
      );

    const segmentAnswer = (result: IngestResult) => ({
      accepted: result.accepted,
      rejected: result.rejected,
    });

    app.post<{ Params: { call: string } }>('/v1/:call', options, async (request, reply) =>
      answer(reply, async () => {
        const call = segmentPaths[request.params.call];
        if (call === undefined)
          throw new TouchpointError('TP_ERR_NOT_FOUND', { path: request.url.split('?')[0] });
        return segmentAnswer(await deps.ingest.segment(call, inputOf(request)));
      }),
    );

    // RudderStack's beacon (`useBeacon`): a batch, its write key in the query string.
    app.post('/beacon/v1/batch', options, async (request, reply) =>
      answer(reply, async () =>
        segmentAnswer(await deps.ingest.segment('batch', inputOf(request), { keyInQuery: true })),
      ),
    );

    app.get<{ Params: { writeKey: string } }>('/v1/projects/:writeKey/settings', options, async (request) => {
      const writeKey = request.params.writeKey;
      const appKey = writeKey.split(':')[0] ?? '';
      const verdict =
        appKey === ''
          ? { status: 'unknown' as const }
          : await deps.sources.lookupIngestKey(appKey, undefined);
      if (verdict.status === 'unknown') throw new TouchpointError('TP_ERR_INGEST_KEY_INVALID');
      if (verdict.status === 'disabled') throw new TouchpointError('TP_ERR_INGEST_SOURCE_DISABLED');
      const host = deps.config.publicUrl.replace(/^https?:\/\//, '').replace(/\/+$/, '');
      return { integrations: { 'Segment.io': { apiKey: appKey, apiHost: `${host}/v1` } } };
    });

    // RudderStack's JavaScript SDK loads its source's configuration first (with a trailing slash;
    // without one when `configUrl` names the path). No destinations: events come here only.
    const sourceConfig = async (request: FastifyRequest) => {
      const { source, writeKey } = await deps.ingest.sourceConfig(inputOf(request));
      return {
        isHosted: false,
        source: {
          id: source.id,
          name: 'Touchpoint',
          writeKey,
          workspaceId: String(source.projectId),
          enabled: true,
          config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
          destinations: [],
        },
      };
    };
    app.get('/sourceConfig', options, sourceConfig);
    app.get('/sourceConfig/', options, sourceConfig);

    app.post('/sync_server', options, async (request, reply) =>
      answer(reply, async () => {
        const result = await deps.ingest.thinkingData(inputOf(request));
        return { code: 0, accepted: result.accepted, rejected: result.rejected };
      }),
    );

    // ThinkingData's web SDK: a form POST (ajax), a multipart POST (beacon), or an image GET that
    // takes a picture as its answer.
    app.post('/sync_js', options, async (request, reply) =>
      answer(reply, async () => {
        const result = await deps.ingest.thinkingDataWeb(inputOf(request));
        return { code: 0, accepted: result.accepted, rejected: result.rejected };
      }),
    );
    app.get('/sync_js', options, async (request, reply) => {
      await deps.ingest.thinkingDataWeb(inputOf(request));
      return reply.type('image/gif').header('cache-control', 'no-store').send(PIXEL);
    });

    app.post('/data_debug', options, async (request, reply) =>
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

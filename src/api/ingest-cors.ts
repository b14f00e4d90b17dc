import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Request headers a page may send to the ingest endpoints: what Segment's analytics-next
 * (`authorization`, `content-type`, `x-retry-count` on retries), RudderStack's analytics-js
 * (`anonymousid`, `sentat`, `rsa-*`) and ThinkingData's SDKs (`appid`, `compress`) send, plus
 * `content-encoding` and a caller's `x-request-id`.
 */
export const INGEST_CORS_HEADERS: readonly string[] = [
  'authorization',
  'content-type',
  'content-encoding',
  'x-retry-count',
  'anonymousid',
  'sentat',
  'appid',
  'compress',
  'x-request-id',
];

/** Headers of an answer a page may read: the wait of a 429 or 503 and the request's id. */
const EXPOSED = 'Retry-After, X-Request-Id';

function allowedHeader(name: string): boolean {
  return INGEST_CORS_HEADERS.includes(name) || /^rsa-[a-z0-9-]{1,60}$/.test(name);
}

/**
 * CORS for every ingest answer (decision 100), set before the handler runs so errors carry it
 * too: a page may read every answer, refusals included (a 403 for its origin, a 401 for its key,
 * a 429's Retry-After), so its SDK stops or waits instead of retrying blind. Reading an answer
 * is not permission to send: whether the request is accepted is judged per data source, by its
 * web origins, in the ingest pipeline. No credentials are ever allowed: the key is in the request.
 */
export function ingestCorsHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return;
  reply
    .header('access-control-allow-origin', origin)
    .header('access-control-expose-headers', EXPOSED)
    .header('vary', 'Origin');
}

/**
 * Answers a preflight. Preflights carry no key, so they are answered for every origin; the
 * requested headers are allowed when they are ones the SDKs send (others are left out, and the
 * browser then refuses to send the request).
 */
export function answerIngestPreflight(request: FastifyRequest, reply: FastifyReply, methods: string) {
  const requested = String(request.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '' && allowedHeader(h));
  reply
    .header('access-control-allow-methods', methods)
    .header('access-control-allow-headers', [...new Set([...INGEST_CORS_HEADERS, ...requested])].join(', '))
    .header('access-control-max-age', '600')
    .header('vary', 'Origin, Access-Control-Request-Headers')
    .code(204);
  return reply.send();
}

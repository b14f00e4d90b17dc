import { existsSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { TouchpointError } from '../../errors.ts';
import type { AppDeps } from '../app-deps.ts';

/** Where `npm run build:web` writes the console (vite build of `web/`). */
export const defaultConsoleDir = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Paths that belong to the server; they never fall back to the console's index.html. */
const serverPrefixes = ['/api', '/healthz', '/readyz', '/metrics', '/v1', '/sync_server', '/data_debug'];

// The console loads only its own hashed assets and calls only this origin. `no-referrer` keeps
// one-time `/set-password?token=…` links out of Referer headers.
const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Touchpoint console not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.55 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f4f6fa;color:#172033}
main{max-width:560px;padding:32px 36px;background:#fff;border:1px solid #e2e7ef;border-radius:10px}
h1{font-size:20px;margin:0 0 8px}code{background:#eef1f6;padding:2px 6px;border-radius:4px}</style></head>
<body><main><h1>The Touchpoint console has not been built</h1>
<p>The API is running, but <code>web/dist</code> is missing. Build the console with</p>
<p><code>npm run build:web</code></p>
<p>(<code>npm install</code> does this too), then reload this page. The API reference is at <a href="/api/docs">/api/docs</a>.</p>
</main></body></html>
`;

function isServerPath(path: string): boolean {
  return serverPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * Whether the client takes HTML: a browser (`text/html`), and also curl or wget (any type, or no
 * Accept), so `curl http://127.0.0.1:8080/` shows the console page rather than a 404. A client
 * asking only for JSON gets the JSON 404 that tells it this is not an API path.
 */
function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) return false;
    return type === 'text/html' || type === 'text/*' || type === '*/*';
  });
}

/**
 * Serves the console (the React app built into `web/dist`) at `/`: files as they are (hashed
 * `/assets/*` cached for a year), and `index.html` for every other GET that takes HTML, so the
 * console's client-side routes survive a reload or a pasted link. Server paths (`/api/*`, health,
 * metrics, ingest) are never answered with the console; an unknown one is the usual JSON 404.
 */
export function consoleRoutes(_deps: AppDeps, options: { dir?: string } = {}): FastifyPluginAsync {
  const root = resolve(options.dir ?? defaultConsoleDir);
  return async (app) => {
    await app.register(fastifyStatic, { root, serve: false });

    const fileIn = (path: string): string | null => {
      const full = resolve(root, `.${path}`);
      if (full !== root && !full.startsWith(`${root}${sep}`)) return null;
      try {
        return statSync(full).isFile() ? full.slice(root.length + 1) : null;
      } catch {
        return null;
      }
    };

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      let path: string;
      try {
        path = decodeURIComponent(request.url.split('?')[0] ?? '/');
      } catch {
        throw new TouchpointError('TP_ERR_NOT_FOUND', { path: request.url.split('?')[0] });
      }
      if (isServerPath(path)) throw new TouchpointError('TP_ERR_NOT_FOUND', { path });
      reply.headers(securityHeaders);
      if (!existsSync(resolve(root, 'index.html'))) {
        return reply
          .code(503)
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(notBuiltPage);
      }
      const file = path === '/' ? null : fileIn(path);
      if (file) {
        const hashed = path.startsWith('/assets/');
        return reply.sendFile(file, { maxAge: hashed ? '365d' : '1h', immutable: hashed });
      }
      // A missing file (`/assets/old.js`) is a 404, not the app: HTML in a script tag helps no one.
      if (extname(path) !== '' || !acceptsHtml(request))
        throw new TouchpointError('TP_ERR_NOT_FOUND', { path });
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    };

    const routeOptions = { config: { scope: { kind: 'public' as const } }, schema: { hide: true } };
    app.get('/', routeOptions, handler);
    app.get('/*', routeOptions, handler);
  };
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build, type Rollup } from 'vite';
import { repoRoot } from './console-build.ts';

/**
 * Bundles `code` (an ES module importing npm packages, as a customer's site would) into one
 * script with Vite's build API: dynamic imports inlined, no CDN, nothing fetched at run time.
 */
export async function bundleModule(name: string, code: string): Promise<string> {
  // Inside the repository, so the packages resolve from its node_modules.
  const dir = join(repoRoot, 'test-artifacts', 'web-sdk-pages');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `${name}.entry.js`);
  writeFileSync(entry, code);
  const result = await build({
    configFile: false,
    root: dir,
    logLevel: 'warn',
    mode: 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      write: false,
      minify: false,
      emptyOutDir: false,
      lib: { entry, formats: ['es'], fileName: name },
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
  if (chunks.length !== 1) throw new Error(`${name}: expected one bundled chunk, got ${chunks.length}`);
  return chunks[0]!.code;
}

export interface PageServer {
  /** `http://127.0.0.1:<port>`: the shop's origin. */
  readonly url: string;
  /** The same pages from another port: an origin the data source does not allow. */
  readonly otherUrl: string;
  close(): Promise<void>;
}

/**
 * A customer's website on loopback: `/<name>.html` loads `/<name>.js`, one of `scripts`. Served
 * on two ports, so the same page can be opened from an allowed and from a disallowed origin.
 */
export async function startPageServer(scripts: Readonly<Record<string, string>>): Promise<PageServer> {
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const html = /^\/([a-z-]+)\.html$/.exec(path)?.[1];
    const js = /^\/([a-z-]+)\.js$/.exec(path)?.[1];
    if (html !== undefined) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(
        `<!doctype html><html><head><meta charset="utf-8"><title>${html}</title></head><body><h1>${html}</h1>` +
          (scripts[html] !== undefined ? `<script type="module" src="/${html}.js"></script>` : '') +
          '</body></html>',
      );
    } else if (js !== undefined && scripts[js] !== undefined) {
      response.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(scripts[js]);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
    }
  };
  const listen = async (): Promise<Server> => {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };
  const [main, other] = [await listen(), await listen()];
  const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return {
    url: url(main),
    otherUrl: url(other),
    async close() {
      await Promise.all([main, other].map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

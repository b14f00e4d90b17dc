// A webhook receiver in its own process (RELIABILITY "Timing in tests": request starts are measured
// where the receiver is, not on the sender's busy event loop). It decompresses and verifies every
// request's signature, counts every ops_request_id (duplicates apart), records each request's
// start time by path, and answers as configured. Used by the rate-limit tests and bench/delivery.
//
//   const r = await startReceiverProcess({ token: 'secret' });
//   await r.configure({ failStatus: 503 });  // an outage
//   (await r.stats()).messages;               // distinct ids received
import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

export interface ReceiverConfig {
  /** Answer every request with this status (an outage); null: answer 200. */
  readonly failStatus?: number | null;
  /** Answer delay by path, ms (DUR-17's slow receiver). */
  readonly delays?: Readonly<Record<string, number>>;
}

export interface ReceiverStats {
  readonly requests: number;
  /** Distinct ops_request_ids answered 200. */
  readonly messages: number;
  /** Ids answered 200 more than once. */
  readonly duplicates: number;
  readonly badSignatures: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

export interface ReceiverProcess {
  readonly url: string;
  readonly pid: number;
  configure(config: ReceiverConfig): Promise<void>;
  /** Forgets every request, id and count. */
  reset(): Promise<void>;
  stats(): Promise<ReceiverStats>;
  /** Start times (epoch ms) of the requests on `path`, in arrival order; `from`: skip that many. */
  starts(path: string, from?: number): Promise<number[]>;
  /** `[start, messages]` of each request on `path` in arrival order. */
  arrivals(path: string, from?: number): Promise<[number, number][]>;
  close(): Promise<void>;
}

const ok = JSON.stringify({ return_code: 0, return_message: 'success', data: { fail_list: [] } });

function serve(token: string): void {
  const gunzipAsync = promisify(gunzip);
  let config: ReceiverConfig = {};
  const starts = new Map<string, number[]>();
  const sizes = new Map<string, number[]>();
  const seen = new Map<string, number>();
  const stats = { requests: 0, duplicates: 0, badSignatures: 0, firstAt: 0, lastAt: 0 };
  const idPattern = /"ops_request_id":"([^"]+)"/g;
  const server = createServer((req, res) => {
    const at = Date.now();
    const path = req.url ?? '/';
    if (path.startsWith('/_')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(path, 'http://x');
        let answer: unknown = {};
        if (url.pathname === '/_reset') {
          starts.clear();
          sizes.clear();
          seen.clear();
          Object.assign(stats, { requests: 0, duplicates: 0, badSignatures: 0, firstAt: 0, lastAt: 0 });
        } else if (url.pathname === '/_config')
          config = JSON.parse(Buffer.concat(chunks).toString()) as ReceiverConfig;
        else if (url.pathname === '/_stats') answer = { ...stats, messages: seen.size };
        else if (url.pathname === '/_starts' || url.pathname === '/_arrivals') {
          const at = url.searchParams.get('path') ?? '/';
          const from = Number(url.searchParams.get('from') ?? 0);
          const times = (starts.get(at) ?? []).slice(from);
          const counts = (sizes.get(at) ?? []).slice(from);
          answer = url.pathname === '/_starts' ? times : times.map((t, i) => [t, counts[i] ?? 0]);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
      return;
    }
    stats.requests += 1;
    if (stats.firstAt === 0) stats.firstAt = at;
    stats.lastAt = at;
    const list = starts.get(path) ?? [];
    list.push(at);
    starts.set(path, list);
    const sized = sizes.get(path) ?? [];
    const slot = sized.length;
    sized.push(0);
    sizes.set(path, sized);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const raw = req.headers['content-encoding'] === 'gzip' ? await gunzipAsync(body) : body;
        sized[slot] = raw.toString('utf8').match(idPattern)?.length ?? 0;
        const signature = createHmac('sha1', token).update(raw).digest('hex');
        const answer = () => {
          if (signature !== req.headers['x-te-ops-signature']) {
            stats.badSignatures += 1;
            return res.writeHead(401).end('bad signature');
          }
          if (config.failStatus) return res.writeHead(config.failStatus).end('down');
          for (const m of raw.toString('utf8').matchAll(idPattern)) {
            const id = m[1] as string;
            const n = seen.get(id) ?? 0;
            if (n > 0) stats.duplicates += 1;
            seen.set(id, n + 1);
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(ok);
        };
        const delay = config.delays?.[path] ?? 0;
        if (delay > 0) setTimeout(answer, delay);
        else answer();
      })();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

/** Starts the receiver in a child process; answers once it listens. */
export async function startReceiverProcess(options: { token: string }): Promise<ReceiverProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', options.token], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  const origin = `http://127.0.0.1:${message.port}`;
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${origin}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  return {
    url: origin,
    pid: child.pid ?? -1,
    configure: async (config) => void (await call('/_config', config)),
    stats: () => call<ReceiverStats>('/_stats'),
    reset: async () => void (await call('/_reset', {})),
    starts: (path, from = 0) => call<number[]>(`/_starts?path=${encodeURIComponent(path)}&from=${from}`),
    arrivals: (path, from = 0) =>
      call<[number, number][]>(`/_arrivals?path=${encodeURIComponent(path)}&from=${from}`),
    close: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (process.argv[2] === '--serve') serve(process.argv[3] as string);

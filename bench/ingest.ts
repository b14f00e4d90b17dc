// bench/ingest: /v1/batch with 100 events per request (unique messageIds, 10,000 users,
// 70/20/10 track/identify/page, ~600 bytes per event) against a real `touchpoint serve` on SQLite
// (synchronous=FULL) and on PostgreSQL, and against a bare Fastify route that only parses the same
// JSON. Prints sustained events/s and the ratio to the bare route, p99 latency at 5,000 events/s,
// the server's peak RSS, and checks stored rows = events acknowledged. Each database runs role `api`
// (ingest alone) and role `all` (the default `npm start`: ingest plus the profile applier in one
// process), each on a fresh database, and reports role all / role api.
//
//   npm run bench -- ingest [--seconds 10] [--connections 32] [--only sqlite|postgres] [--roles api,all]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { loadConfig } from '../src/config/load-config.ts';
import { assemble } from '../src/main.ts';
import { createLogger } from '../src/observability/logger.ts';
import { projectScope } from '../src/access/scope.ts';
import { basic, projectFor, sourceFor } from '../test/ingest/support/ingest-fixture.ts';
import { startServer } from '../test/support/cli.ts';
import { createTestDatabase, type StoreKind } from '../test/support/stores.ts';

const EVENTS_PER_REQUEST = 100;
const USERS = 10_000;
let sequence = 0;

function makeEvent(): Record<string, unknown> {
  const n = ++sequence;
  const user = `user-${n % USERS}`;
  const roll = n % 10;
  const base = {
    userId: user,
    messageId: `bench-${process.pid}-${n}`,
    timestamp: new Date().toISOString(),
    context: {
      ip: '203.0.113.9',
      library: { name: '@segment/analytics-node', version: '3.1.0' },
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0',
      locale: 'en-US',
      page: { path: '/p/mugs', title: 'Mugs and cups', referrer: 'https://search.example.test/?q=mug' },
    },
  };
  if (roll < 7)
    return {
      ...base,
      type: 'track',
      event: 'Product Viewed',
      properties: {
        sku: `SKU-${n % 500}`,
        price: 19.99,
        currency: 'USD',
        category: 'mugs',
        position: n % 20,
        list: 'search results',
      },
    };
  if (roll < 9)
    return {
      ...base,
      type: 'identify',
      traits: { email: `${user}@example.test`, plan: 'pro', name: `User ${n % USERS}`, company: 'Acme' },
    };
  return {
    ...base,
    type: 'page',
    name: 'Product',
    properties: { url: `https://shop.example.test/p/${n % 500}`, referrer: 'https://search.example.test/' },
  };
}

function makeBody(): string {
  return JSON.stringify({ batch: Array.from({ length: EVENTS_PER_REQUEST }, makeEvent) });
}

interface PhaseResult {
  events: number;
  requests: number;
  failures: Record<string, number>;
  seconds: number;
  latencies: number[];
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function send(pool: Pool, authorization: string, result: PhaseResult): Promise<void> {
  const body = makeBody();
  const started = performance.now();
  try {
    const response = await pool.request({
      path: '/v1/batch',
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
    });
    const text = await response.body.text();
    result.latencies.push(performance.now() - started);
    if (response.statusCode === 200) {
      result.requests++;
      result.events += (JSON.parse(text) as { accepted: number }).accepted;
    } else {
      result.failures[response.statusCode] = (result.failures[response.statusCode] ?? 0) + 1;
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    result.failures[code] = (result.failures[code] ?? 0) + 1;
  }
}

/** Closed loop: `connections` clients send back to back for `seconds`. */
async function saturate(
  url: string,
  authorization: string,
  connections: number,
  seconds: number,
): Promise<PhaseResult> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const result: PhaseResult = { events: 0, requests: 0, failures: {}, seconds, latencies: [] };
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await send(pool, authorization, result);
    }),
  );
  result.seconds = (performance.now() - started) / 1000;
  await pool.close();
  return result;
}

/** Open loop: requests started at a fixed rate whatever the answers do. */
async function steadyRate(
  url: string,
  authorization: string,
  eventsPerSecond: number,
  seconds: number,
): Promise<PhaseResult> {
  const pool = new Pool(url, { connections: 64, pipelining: 1 });
  const result: PhaseResult = { events: 0, requests: 0, failures: {}, seconds, latencies: [] };
  const perSecond = eventsPerSecond / EVENTS_PER_REQUEST;
  const total = Math.round(perSecond * seconds);
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(send(pool, authorization, result));
  }
  await Promise.all(inflight);
  await pool.close();
  return result;
}

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function bareServer(): Promise<{ url: string; pid: number | undefined; stop(): void }> {
  const child = spawn(process.execPath, ['bench/bare-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`bare server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

function rate(r: PhaseResult): number {
  return r.events / r.seconds;
}

function describe(r: PhaseResult): string {
  const failures = Object.entries(r.failures)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  return `${Math.round(rate(r)).toLocaleString('en')} events/s (${r.requests} requests, p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${percentile(r.latencies, 99).toFixed(1)} ms${failures ? `, non-200: ${failures}` : ''})`;
}

export async function run(args: string[]): Promise<void> {
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  };
  const seconds = Number(option('seconds', '10'));
  const connections = Number(option('connections', '32'));
  const only = option('only', '');
  const kinds: StoreKind[] = only ? [only as StoreKind] : ['sqlite', 'postgres'];

  console.log(
    `bench/ingest: ${EVENTS_PER_REQUEST} events/request, ${connections} connections, ${seconds} s per phase`,
  );
  console.log(`sample event: ${Buffer.byteLength(JSON.stringify(makeEvent()))} bytes`);

  const bare = await bareServer();
  const bareResult = await saturate(bare.url, basic('unused'), connections, seconds);
  const bareRss = peakRssMb(bare.pid);
  bare.stop();
  console.log(`bare Fastify JSON.parse route: ${describe(bareResult)}, peak RSS ${bareRss.toFixed(0)} MB`);

  let ok = true;
  const roles = option('roles', 'api,all').split(',') as ('api' | 'all')[];
  for (const kind of kinds) {
    const sustainedByRole = new Map<string, number>();
    for (const role of roles) {
      const db = createTestDatabase(kind);
      const env = { ...db.env, TOUCHPOINT_LOG_LEVEL: 'warn', TOUCHPOINT_INGEST_QUEUE_MAX_EVENTS: '200000' };
      const { deps } = await assemble(
        loadConfig({ ...env, TOUCHPOINT_LOG_LEVEL: 'silent' }),
        createLogger('silent'),
      );
      const project = await projectFor(deps, `bench ${kind} ${role}`);
      const source = await sourceFor(deps, project);
      // Role api: ingest alone. Role all (the default `npm start`): ingest with the profile applier
      // and the other background jobs in the same process.
      const server = await startServer(env, ['--role', role]);
      try {
        const authorization = basic(source.appKey);
        const sustained = await saturate(server.url, authorization, connections, seconds);
        const steady = await steadyRate(
          server.url,
          authorization,
          5000,
          Math.max(5, Math.round(seconds / 2)),
        );
        const rss = peakRssMb(server.child.pid);
        const stored = await deps.store.events.count(projectScope(project.projectId), {
          sourceId: source.id,
        });
        const acknowledged = sustained.events + steady.events;
        sustainedByRole.set(role, rate(sustained));
        console.log(`touchpoint on ${kind}, role ${role}:`);
        console.log(`  sustained: ${describe(sustained)}`);
        console.log(`  ratio to the bare route: ${(rate(sustained) / rate(bareResult)).toFixed(3)}`);
        console.log(`  at 5,000 events/s: ${describe(steady)}`);
        console.log(`  peak RSS of the server: ${rss.toFixed(0)} MB`);
        if (role === 'all') {
          const backlog = await deps.profiles.applier.backlog(project.projectId);
          console.log(
            `  profile backlog at the end: ${backlog.events.toLocaleString('en')} events, ${backlog.seconds.toFixed(1)} s`,
          );
        }
        console.log(
          `  stored rows ${stored} = events acknowledged ${acknowledged}: ${stored === acknowledged ? 'yes' : 'NO'}`,
        );
        if (stored !== acknowledged) ok = false;
      } finally {
        await server.stop();
        await deps.store.close();
        await db.drop();
      }
    }
    const api = sustainedByRole.get('api');
    const all = sustainedByRole.get('all');
    if (api && all) console.log(`  ${kind}: role all / role api = ${(all / api).toFixed(2)} (same run)`);
  }
  if (!ok) process.exitCode = 1;
}

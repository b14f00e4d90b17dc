// bench/profiles: the profile applier (issue 14) on SQLite (synchronous=FULL) and PostgreSQL.
//
// 1. Throughput: a pre-filled log of --events events (default 1,000,000) over events/10 users —
//    60 % track (a third of them from a second device's anonymous id), 30 % identify with
//    property operations (Segment identify traits and ThinkingData user_add), 5 % alias (folding
//    the second device's profile in: a merge), 5 % page — applied from scratch, against a bare
//    baseline in the same run: a plain INSERT … SELECT of the same rows into a copy of the table.
// 2. Lag: a `serve` (role all) taking 5,000 events/s for --lag-seconds; the applier's lag
//    histogram (received → profile committed) gives p50 / p99.
// 3. Shutdown: a `serve` (role all) started on a --backlog (default 400,000) event backlog gets
//    SIGTERM once the applier is busy; the time to exit is reported (default 10 s deadline).
//
//   npm run bench -- profiles [--events 1000000] [--backlog 400000] [--lag-seconds 20]
//                             [--only sqlite|postgres] [--skip lag,shutdown]
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { Pool } from 'undici';
import { loadConfig } from '../src/config/load-config.ts';
import { assemble } from '../src/main.ts';
import { createLogger } from '../src/observability/logger.ts';
import { ProfileApplier } from '../src/profiles/profile-applier.ts';
import { openPostgres } from '../src/store/dialects/postgres/open-postgres.ts';
import { openSqlite } from '../src/store/dialects/sqlite/open-sqlite.ts';
import type { DialectHandle } from '../src/store/dialect-handle.ts';
import { basic, projectFor, sourceFor } from '../test/ingest/support/ingest-fixture.ts';
import {
  prefill,
  syntheticContext as context,
  syntheticEvent,
} from '../test/profiles/support/synthetic-log.ts';
import { startServer } from '../test/support/cli.ts';
import { createTestDatabase, type StoreKind, type TestDatabase } from '../test/support/stores.ts';

function open(db: TestDatabase): Promise<DialectHandle> | DialectHandle {
  const o = db.options as { kind: StoreKind; path?: string; url?: string; schema?: string };
  return o.kind === 'sqlite'
    ? openSqlite({ path: o.path!, busyTimeoutMs: 5000 })
    : openPostgres({ url: o.url!, poolMax: 2, schema: o.schema });
}

/** A plain INSERT … SELECT of the whole log into a copy of the events table (the bare baseline). */
async function bareCopy(handle: DialectHandle): Promise<number> {
  const db = handle.db as Kysely<unknown>;
  await sql`CREATE TABLE bench_events_copy AS SELECT * FROM events WHERE 1 = 0`.execute(db);
  const started = performance.now();
  await sql`INSERT INTO bench_events_copy SELECT * FROM events`.execute(db);
  const seconds = (performance.now() - started) / 1000;
  await sql`DROP TABLE bench_events_copy`.execute(db);
  return seconds;
}

async function setup(kind: StoreKind, name: string) {
  const db = createTestDatabase(kind);
  const env = { ...db.env, TOUCHPOINT_LOG_LEVEL: 'silent' };
  const { deps } = await assemble(loadConfig(env), createLogger('silent'));
  const project = await projectFor(deps, name);
  const source = await sourceFor(deps, project);
  return { db, env, deps, project, source };
}

async function throughput(kind: StoreKind, events: number, window: number): Promise<void> {
  const { db, deps, project, source } = await setup(kind, `bench profiles ${kind}`);
  try {
    const fillSeconds = await prefill(deps.store, project.projectId, source.id, events);
    const handle = await open(db);
    let bareSeconds: number;
    try {
      bareSeconds = await bareCopy(handle);
    } finally {
      await handle.destroy();
    }
    const profiler = process.env.BENCH_PROFILE ? await startProfiler() : undefined;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const applier = window
      ? new ProfileApplier({
          store: deps.store,
          logger: deps.logger,
          batchSize: window,
          erasureKey: Buffer.alloc(32),
        })
      : deps.profiles.applier;
    const applied = await applier.applyPending({ settleMs: 0 });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await profiler?.(`/tmp/applier-${kind}.cpuprofile`);
    const profiles = await deps.store.profiles.listProfiles(project.access.scope, { limit: 1 });
    console.log(
      `profiles on ${kind}: ${events.toLocaleString('en')} events pre-filled in ${fillSeconds.toFixed(1)} s`,
    );
    console.log(
      `  applier: ${applied.toLocaleString('en')} events in ${seconds.toFixed(1)} s = ${Math.round(applied / seconds).toLocaleString('en')} events/s, ${((used.user + used.system) / applied).toFixed(1)} µs CPU per event in this process${profiles.length ? '' : ' (no profile?)'}`,
    );
    console.log(
      `  bare INSERT … SELECT of the same rows: ${Math.round(events / bareSeconds).toLocaleString('en')} rows/s; ratio ${(applied / seconds / (events / bareSeconds)).toFixed(3)}`,
    );
  } finally {
    await deps.store.close();
    await db.drop();
  }
}

/** BENCH_PROFILE=1: a CPU profile of the applier phase alone (`--cpu-prof` covers the pre-fill too). */
async function startProfiler(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

function histogramQuantile(metrics: string, name: string, q: number): number {
  const buckets: [number, number][] = [];
  for (const line of metrics.split('\n')) {
    const m = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`).exec(line);
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return NaN;
  let previous: [number, number] = [0, 0];
  for (const [le, count] of buckets) {
    if (count >= q * total) {
      if (le === Infinity) return previous[0];
      const share = count === previous[1] ? 1 : (q * total - previous[1]) / (count - previous[1]);
      return previous[0] + (le - previous[0]) * share;
    }
    previous = [le, count];
  }
  return NaN;
}

async function lag(kind: StoreKind, seconds: number): Promise<void> {
  const { db, env, deps, project, source } = await setup(kind, `bench lag ${kind}`);
  await deps.store.close();
  const server = await startServer({ ...env, TOUCHPOINT_LOG_LEVEL: 'warn' });
  try {
    const pool = new Pool(server.url, { connections: 16 });
    const authorization = basic(source.appKey);
    const users = 10_000;
    const epochs = new Map<number, number>();
    const perRequest = 100;
    const perSecond = 5000 / perRequest;
    const total = Math.round(perSecond * seconds);
    const started = performance.now();
    const inflight: Promise<unknown>[] = [];
    let failures = 0;
    let n = 0;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch = Array.from({ length: perRequest }, () => {
        const e = syntheticEvent(n++, users, epochs, Date.now());
        return e.format === 'thinkingdata'
          ? null
          : {
              type: e.type,
              messageId: `${randomUUID()}`,
              userId: e.userId ?? undefined,
              anonymousId: e.anonymousId ?? undefined,
              previousId: e.previousId ?? undefined,
              event: e.eventName ?? undefined,
              properties: e.properties,
              traits: e.type === 'identify' ? e.traits : undefined,
              context,
            };
      }).filter((e) => e !== null);
      inflight.push(
        pool
          .request({
            path: '/v1/batch',
            method: 'POST',
            headers: { authorization, 'content-type': 'application/json' },
            body: JSON.stringify({ batch }),
          })
          .then(async (r) => {
            await r.body.text();
            if (r.statusCode !== 200) failures++;
          }),
      );
    }
    await Promise.all(inflight);
    await new Promise((r) => setTimeout(r, 2000));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    await pool.close();
    const p50 = histogramQuantile(metrics, 'touchpoint_profile_apply_lag_seconds', 0.5);
    const p99 = histogramQuantile(metrics, 'touchpoint_profile_apply_lag_seconds', 0.99);
    console.log(
      `lag on ${kind} at 5,000 events/s for ${seconds} s (role all): p50 ${(p50 * 1000).toFixed(0)} ms, p99 ${(p99 * 1000).toFixed(0)} ms${failures ? `, ${failures} failed requests` : ''} (project ${project.projectId})`,
    );
  } finally {
    await server.stop();
    await db.drop();
  }
}

async function shutdown(kind: StoreKind, backlog: number): Promise<void> {
  const { db, env, deps, project, source } = await setup(kind, `bench shutdown ${kind}`);
  try {
    await prefill(deps.store, project.projectId, source.id, backlog);
  } finally {
    await deps.store.close();
  }
  try {
    const server = await startServer({ ...env, TOUCHPOINT_LOG_LEVEL: 'warn' });
    await new Promise((r) => setTimeout(r, 1500));
    const started = performance.now();
    await server.stop();
    const seconds = (performance.now() - started) / 1000;
    const { deps: after } = await assemble(loadConfig(env), createLogger('silent'));
    try {
      const through = await after.store.profiles.appliedThrough(project.access.scope);
      console.log(
        `shutdown on ${kind} with a ${backlog.toLocaleString('en')}-event backlog (default deadline): exited ${seconds.toFixed(2)} s after SIGTERM; applied through event ${through.toLocaleString('en')} (the rest waits for the next start)`,
      );
    } finally {
      await after.store.close();
    }
  } finally {
    await db.drop();
  }
}

export async function run(args: string[]): Promise<void> {
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
  };
  const events = Number(option('events', '1000000'));
  const backlog = Number(option('backlog', '400000'));
  const lagSeconds = Number(option('lag-seconds', '20'));
  const only = option('only', '');
  const skip = new Set(option('skip', '').split(','));
  const kinds: StoreKind[] = only ? [only as StoreKind] : ['sqlite', 'postgres'];
  for (const kind of kinds) {
    if (!skip.has('throughput')) await throughput(kind, events, Number(option('window', '0')));
    if (!skip.has('lag')) await lag(kind, lagSeconds);
    if (!skip.has('shutdown')) await shutdown(kind, backlog);
  }
}

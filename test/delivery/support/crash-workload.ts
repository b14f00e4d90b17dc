// The delivery crash workload (RELIABILITY §4.3/§4.4, DUR-10): real `touchpoint serve` processes
// (SQLite: one `--role all`; PostgreSQL: one `--role api` and two `--role worker`), a receiver on
// 127.0.0.1 that records every message it gets, a generator that sends messages with unique ids
// through the send API, and a nemesis that `kill -9`s a random process every 1–5 s (seeded) and
// restarts it. Then heal, drain until every message is final, and check (crash-checker.ts).
// Used by test/delivery/crash-checker.test.ts (short) and bench/delivery-crash.ts (long).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import type { Json } from '../../channels/channel-fixture.ts';
import { runTouchpoint } from '../../support/cli.ts';
import { createTestDatabase, testPostgresUrl, type StoreKind } from '../../support/stores.ts';
import {
  checkSet,
  element,
  explainDuplicate,
  leaseOverlaps,
  violations,
  type ApiAttempt,
  type DuplicateExplanation,
  type Kill,
  type LeaseAttempt,
  type LeaseOverlap,
  type Reception,
  type SendOp,
  type SetVerdict,
} from './crash-checker.ts';

const ADMIN = 'admin@touchpoint.local';
const PASSWORD = 'crash checker passphrase 42';

/** Channel request timeout and lease margin: a killed dispatcher's batch is free after ~2.5 s. */
const TIMEOUT_S = 1;
const LEASE_MARGIN_MS = 1500;

/** mulberry32: a small seeded generator, so a run's schedule of kills and sends repeats. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Role = 'all' | 'api' | 'worker';

/** One supervised `touchpoint serve` (restarted after each kill; every incarnation remembered). */
export class ServeProcess {
  readonly incarnations: { pid: number; startedAt: number; endedAt: number | null }[] = [];
  #child: ChildProcess | undefined;
  #output = '';

  readonly name: string;
  readonly role: Role;
  readonly env: Record<string, string>;
  readonly args: readonly string[];

  constructor(name: string, role: Role, env: Record<string, string>, args: readonly string[] = []) {
    this.name = name;
    this.role = role;
    this.env = env;
    this.args = args;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number {
    return this.#child?.pid ?? -1;
  }

  output(): string {
    return this.#output;
  }

  async start(): Promise<void> {
    // BENCH_NODE_ARGS: extra node flags for the served processes (e.g. `--cpu-prof`).
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(
      process.execPath,
      [...nodeArgs, 'src/cli/main.ts', 'serve', '--role', this.role, ...this.args],
      {
        env: { ...process.env, TOUCHPOINT_LOG_LEVEL: 'warn', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    const record = { pid: child.pid ?? -1, startedAt: Date.now(), endedAt: null as number | null };
    this.incarnations.push(record);
    child.once('exit', () => (record.endedAt = Date.now()));
    const keep = (d: Buffer) => (this.#output = (this.#output + d.toString()).slice(-20_000));
    child.stderr?.on('data', keep);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not start:\n${this.#output}`)),
        60_000,
      );
      const onExit = () => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited while starting:\n${this.#output}`));
      };
      child.once('exit', onExit);
      // Ready when this incarnation printed its banner (the kept output still holds earlier ones).
      let own = '';
      child.stdout?.on('data', (d: Buffer) => {
        keep(d);
        own = (own + d.toString()).slice(-200);
        if (own.includes('Press Ctrl+C to stop.')) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve();
        }
      });
    });
  }

  async kill9(): Promise<number> {
    const child = this.#child;
    if (!child || !this.running) return -1;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    return child.pid ?? -1;
  }

  /** Sends a signal without waiting (SIGSTOP freezes the process where it stands). */
  signal(name: NodeJS.Signals): void {
    if (this.running) this.#child?.kill(name);
  }

  async term(): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}

/** What the receiver does with a request: answer (after a delay) or never answer. */
export type Behaviour = (
  reception: Reception,
) => { status: number; delayMs: number } | 'hang' | Promise<{ status: number; delayMs: number } | 'hang'>;

/** 200 success to most requests and 500 to `failRate` of them, after 0–40 ms. */
export const flakyBehaviour =
  (random: () => number, failRate: number): Behaviour =>
  () => ({ status: random() < failRate ? 500 : 200, delayMs: Math.floor(random() * 40) });

export interface RecordingReceiver {
  readonly url: string;
  /** Every request, in arrival order, with the status it was (or will be) answered. */
  readonly receptions: Reception[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 that records every message it gets and answers as `behaviour` says. */
export async function recordingReceiver(behaviour: Behaviour): Promise<RecordingReceiver> {
  const receptions: Reception[] = [];
  const state = { behaviour };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = Buffer.concat(chunks);
      const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
      const messages = JSON.parse(raw.toString('utf8')) as {
        push_id: string;
        params: { title: string };
        '#ops_receipt_properties': { ops_request_id: string };
      }[];
      const items = messages.map((m) => ({
        opsRequestId: m['#ops_receipt_properties'].ops_request_id,
        element: element(Number(m.params.title.replace(/^gen-/, '')), m.push_id),
      }));
      const reception = { at, status: 0, items };
      receptions.push(reception);
      void Promise.resolve(state.behaviour(reception)).then((action) => {
        if (action === 'hang') return;
        reception.status = action.status;
        setTimeout(
          () =>
            res
              .writeHead(action.status, { 'content-type': 'application/json' })
              .end(
                action.status === 200
                  ? JSON.stringify({ return_code: 0, return_message: 'success', data: { fail_list: [] } })
                  : '{"error":"try again"}',
              ),
          action.delayMs,
        );
      });
    });
  });
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    receptions,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(next: Behaviour) {
      state.behaviour = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A running set of Touchpoint processes on one fresh database, set up to send to a receiver. */
export interface Cluster {
  readonly kind: StoreKind;
  readonly processes: readonly ServeProcess[];
  readonly receiver: RecordingReceiver;
  readonly base: string;
  readonly project: string;
  readonly workspaceId: string;
  readonly channelId: string;
  readonly users: readonly string[];
  readonly kills: Kill[];
  /** Lease of a claimed batch: the channel's timeout plus the margin. */
  readonly leaseMs: number;
  /** The admin API with the cluster's token; throws on a status ≥ 300. */
  api(method: string, path: string, body?: unknown): Promise<Json>;
  /** One send API request of the generator: element `k/user` per recipient. */
  send(k: number, recipients: readonly string[]): Promise<SendOp>;
  kill9(p: ServeProcess): Promise<void>;
  /** Until no message is queued, sending or held; answers the final counts by state. */
  drain(timeoutMs: number): Promise<Record<string, number>>;
  /** message_attempts with their leases, read from the database. */
  leaseAttempts(): Promise<LeaseAttempt[]>;
  /** Rows of a read-only SQL query on the database, for what the API does not show. */
  rows(sqlText: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Starts `touchpoint serve` processes on a fresh database (SQLite: one `--role all`; PostgreSQL:
 * one `--role api` and `workers` × `--role worker`) with a shrunk retry schedule and 127.0.0.1
 * allowed, creates the first admin (TOUCHPOINT_ADMIN_PASSWORD), an API token (`touchpoint token
 * create`), users through ingest and a webhook channel to a recording receiver.
 */
export async function startCluster(options: {
  kind: StoreKind;
  behaviour: Behaviour;
  users?: number;
  workers?: number;
  timeoutS?: number;
  env?: Record<string, string>;
  /** Overrides of the webhook channel's settings (e.g. `rate_limit`, or `url` of another receiver). */
  channel?: Record<string, unknown>;
}): Promise<Cluster> {
  const timeoutS = options.timeoutS ?? TIMEOUT_S;
  const userCount = options.users ?? 40;
  const db = createTestDatabase(options.kind);
  const receiver = await recordingReceiver(options.behaviour);
  const port = await freePort();
  const env: Record<string, string> = {
    ...db.env,
    TOUCHPOINT_MASTER_KEY: randomBytes(32).toString('base64'),
    TOUCHPOINT_ADMIN_PASSWORD: PASSWORD,
    TOUCHPOINT_ALLOW_TARGETS: '127.0.0.1/32',
    TOUCHPOINT_PORT: String(port),
    TOUCHPOINT_HOST: '127.0.0.1',
    // Shrunk: 15 retries within ~5 s, so a 10 % failure rate never exhausts a message.
    TOUCHPOINT_DELIVERY_RETRY_SCHEDULE: Array.from(
      { length: 15 },
      (_, i) => `${Math.min(50 * 2 ** i, 500)}ms`,
    ).join(','),
    TOUCHPOINT_DELIVERY_POLL_MS: '50',
    TOUCHPOINT_DELIVERY_LEASE_MARGIN_MS: String(LEASE_MARGIN_MS),
    TOUCHPOINT_DELIVERY_DRAIN_MS: '1000',
    ...options.env,
  };
  const leaseMs = timeoutS * 1000 + Number(env.TOUCHPOINT_DELIVERY_LEASE_MARGIN_MS);
  const processes =
    options.kind === 'sqlite'
      ? [new ServeProcess('all', 'all', env, ['--embedded'])]
      : [
          new ServeProcess('api', 'api', env, ['--embedded']),
          ...Array.from(
            { length: options.workers ?? 2 },
            (_, i) => new ServeProcess(`worker-${i + 1}`, 'worker', env),
          ),
        ];
  const base = `http://127.0.0.1:${port}`;
  const kills: Kill[] = [];
  const rows = (sqlText: string) => queryDatabase(options.kind, db.dataDir, db.schema, sqlText);
  const close = async () => {
    await Promise.all(processes.map((p) => p.kill9()));
    await receiver.close();
    await db.drop();
  };
  try {
    // The first process creates the admin and project 1 and migrates; the others follow.
    for (const p of processes) await p.start();
    const created = await runTouchpoint(
      ['token', 'create', '--project', '1', '--as', ADMIN, '--name', 'crash'],
      env,
    );
    if (created.code !== 0) throw new Error(`token create failed: ${created.stderr}`);
    const token = created.stdout.trim();
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
      return (text === '' ? {} : JSON.parse(text)) as Json;
    };
    const project = '/api/v1/projects/1';
    const workspaceId = (await api('GET', `${project}/workspaces`)).items[0].id as string;
    const app = await api('POST', `${project}/apps`, { name: 'Game', app_type: 'app' });
    const source = await api('POST', `${project}/sources`, {
      name: 'Game server',
      app_id: app.id,
      platforms: [{ platform: 'android' }],
    });
    const users = Array.from({ length: userCount }, (_, i) => `u-${i + 1}`);
    // In batches of 500 identify events, then wait until the applier made every profile.
    for (let i = 0; i < users.length; i += 500) {
      const ingest = await fetch(`${base}/v1/batch`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${source.credentials.app_key}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          batch: users.slice(i, i + 500).map((u) => ({
            type: 'identify',
            userId: u,
            messageId: `id-${u}`,
            traits: { nickname: u },
          })),
        }),
      });
      if (ingest.status !== 200) throw new Error(`ingest answered ${ingest.status}: ${await ingest.text()}`);
    }
    for (const deadline = Date.now() + 120_000; ;) {
      const [row] = await rows('SELECT count(*) AS n FROM profiles');
      if (Number(row?.n) >= userCount) break;
      if (Date.now() > deadline) throw new Error('profiles were not applied in time');
      await sleep(100);
    }
    const channel = await api('POST', `${project}/channels`, {
      name: 'Crash hook',
      category: 'notification',
      url: receiver.url,
      send_id_type: 'user_id',
      auth: 'token',
      token: 'crash-token',
      batch_size: 10,
      timeout_s: timeoutS,
      template: [{ key: 'title', label: 'Title', type: 'text' }],
      custom_params: [],
      receipt_funnel: [],
      ...options.channel,
    });
    await api('PUT', `${project}/channels/${channel.id}/workspaces/${workspaceId}`);
    const channelId = channel.id as string;

    const send = async (k: number, recipients: readonly string[]): Promise<SendOp> => {
      const at = Date.now();
      let outcome: SendOp['outcome'];
      let detail: string;
      try {
        const res = await fetch(`${base}${project}/workspaces/${workspaceId}/sends`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            channel_id: channelId,
            template_values: { title: `gen-${k}` },
            recipients: recipients.map((id) => ({ id_type: 'user_id', id })),
            idempotency_key: `gen-${k}`,
          }),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        detail = `${res.status} ${text.slice(0, 200)}`;
        if (res.status === 202) {
          // Every recipient exists and has a user_id: a skipped one is a defect, not a fault.
          if ((JSON.parse(text) as { queued: number }).queued !== recipients.length)
            return Promise.reject(new Error(`send ${k} did not queue every recipient: ${detail}`));
          outcome = 'ok';
        } else outcome = res.status >= 400 && res.status < 500 ? 'fail' : 'info';
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        // Refused: the request never reached a server. Anything else may have been committed.
        outcome = cause?.code === 'ECONNREFUSED' ? 'fail' : 'info';
        detail = cause?.code ?? (error as Error).message;
      }
      return { k, users: recipients, outcome, detail, at };
    };

    return {
      kind: options.kind,
      processes,
      receiver,
      base,
      project,
      workspaceId,
      channelId,
      users,
      kills,
      leaseMs,
      api,
      send,
      async kill9(p) {
        const at = Date.now();
        const pid = await p.kill9();
        kills.push({ at, name: p.name, pid, dispatches: p.role !== 'api' });
      },
      async drain(timeoutMs) {
        for (const deadline = Date.now() + timeoutMs; ;) {
          const counts = (await api('GET', `${project}/messages-counts`)) as Record<string, number>;
          if ((counts.queued ?? 0) + (counts.sending ?? 0) + (counts.held ?? 0) === 0) return counts;
          if (Date.now() > deadline)
            throw new Error(
              `not drained in time: ${JSON.stringify(counts)}\n${processes.map((p) => p.output()).join('\n')}`,
            );
          await sleep(100);
        }
      },
      rows,
      leaseAttempts: () => leaseAttempts(rows),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface CrashOptions {
  readonly kind: StoreKind;
  readonly seconds: number;
  readonly seed: number;
  /** Nemesis pause between kills, uniformly in [min, max] ms. */
  readonly killEveryMs?: readonly [number, number];
  /** Go on past `seconds` until the nemesis has killed this many times (at most 3 × `seconds`). */
  readonly minKills?: number;
  /** Users in the project; each send goes to 1–3 of them. */
  readonly users?: number;
  /** Send requests in flight at once, and each client's pause between sends. */
  readonly clients?: number;
  readonly pauseMs?: number;
  /** Share of receiver requests answered 500 (retried). */
  readonly failRate?: number;
  readonly drainTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface CrashReport {
  readonly kind: StoreKind;
  readonly seconds: number;
  readonly seed: number;
  readonly kills: readonly Kill[];
  readonly history: readonly SendOp[];
  readonly receptions: readonly Reception[];
  readonly verdict: SetVerdict;
  readonly duplicates: readonly DuplicateExplanation[];
  readonly finalStates: Record<string, number>;
  /** Attempt rows with their leases, and how many each process slot made. */
  readonly attempts: number;
  readonly attemptsBy: Record<string, number>;
  readonly overlaps: readonly LeaseOverlap[];
  /** Messages with attempts by more than one dispatcher: the material of the overlap check. */
  readonly handedOver: number;
  readonly drainMs: number;
  /** How long the generator and the nemesis ran. */
  readonly runMs: number;
  /** Violations as lines; empty when the run is clean. */
  readonly failures: readonly string[];
}

/** The set workload under a `kill -9` nemesis, then heal, drain and check (DUR-10). */
export async function runCrashWorkload(options: CrashOptions): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed);
  const [killMin, killMax] = options.killEveryMs ?? [1000, 5000];
  const cluster = await startCluster({
    kind: options.kind,
    users: options.users,
    behaviour: flakyBehaviour(seededRandom(options.seed ^ 0x5eed), options.failRate ?? 0.1),
  });
  const { processes, receiver, kills, users } = cluster;
  try {
    log(
      `set up: ${options.kind}, ${processes.map((p) => `${p.name}=${p.pid}`).join(' ')}, ${users.length} users`,
    );

    // Generator and nemesis for `seconds`.
    const history: SendOp[] = [];
    // The run lasts `seconds`, longer if the nemesis has not yet killed `minKills` times (slow
    // restarts on a busy machine), but never more than three times as long.
    const started = Date.now();
    const stopAt = started + options.seconds * 1000;
    const hardStop = started + options.seconds * 3000;
    const minKills = options.minKills ?? 0;
    const running = () => Date.now() < hardStop && (Date.now() < stopAt || kills.length < minKills);
    let next = 0;
    const client = async () => {
      while (running()) {
        const k = (next += 1);
        const picked = new Set<string>();
        const n = 1 + Math.floor(random() * 3);
        while (picked.size < n) picked.add(users[Math.floor(random() * users.length)] as string);
        history.push(await cluster.send(k, [...picked]));
        await sleep(options.pauseMs ?? 20);
      }
    };
    const nemesis = async () => {
      for (;;) {
        const pause = killMin + random() * (killMax - killMin);
        if (Date.now() + pause >= (kills.length < minKills ? hardStop : stopAt)) return;
        await sleep(pause);
        const victim = processes[Math.floor(random() * processes.length)] as ServeProcess;
        await cluster.kill9(victim);
        log(`kill -9 ${victim.name} (pid ${kills.at(-1)?.pid})`);
        await victim.start();
      }
    };
    await Promise.all([...Array.from({ length: options.clients ?? 4 }, client), nemesis()]);
    const runMs = Date.now() - started;

    // Heal: every process running, no more kills; drain until every message is final.
    for (const p of processes) if (!p.running) await p.start();
    const drainStarted = Date.now();
    const finalStates = await cluster.drain(options.drainTimeoutMs ?? 60_000);
    const drainMs = Date.now() - drainStarted;
    const verdict = checkSet(history, receiver.receptions);

    // Duplicates, with the attempts that explain them.
    const duplicates: DuplicateExplanation[] = [];
    for (const d of verdict.duplicates) {
      const detail = await cluster.api('GET', `${cluster.project}/messages/${d.opsRequestId}`);
      duplicates.push(
        explainDuplicate(d, detail.attempts as ApiAttempt[], receiver.receptions, kills, {
          killWindowMs: cluster.leaseMs + 2000,
        }),
      );
    }

    // The attempt history with its leases: who did the work, and no two valid leases overlapped.
    const rows = await cluster.leaseAttempts();
    const attemptsBy = attemptsBySlot(rows, processes);
    const overlaps = leaseOverlaps(rows);
    const leasesOf = new Map<number, Set<string>>();
    for (const row of rows)
      leasesOf.set(row.messageId, (leasesOf.get(row.messageId) ?? new Set()).add(row.leasedBy ?? '?'));
    const handedOver = [...leasesOf.values()].filter((by) => by.size > 1).length;
    const failures = violations(verdict, duplicates, overlaps);
    if (finalStates.dead || finalStates.failed)
      failures.push(`messages ended dead or failed: ${JSON.stringify(finalStates)}`);
    for (const p of processes)
      if (p.role !== 'api' && !attemptsBy[p.name]) failures.push(`${p.name} made no delivery attempt`);
    if (attemptsBy.api || attemptsBy.unknown)
      failures.push(`attempts by no dispatching process: ${JSON.stringify(attemptsBy)}`);
    return {
      kind: options.kind,
      seconds: options.seconds,
      seed: options.seed,
      kills,
      history,
      receptions: receiver.receptions,
      verdict,
      duplicates,
      finalStates,
      attempts: rows.length,
      attemptsBy,
      overlaps,
      handedOver,
      drainMs,
      runMs,
      failures,
    };
  } finally {
    await cluster.close();
  }
}

/** Attempts per process slot (`all`, `worker-1`, …), by the pid in `leased_by` (`host:pid:…`). */
export function attemptsBySlot(
  rows: readonly LeaseAttempt[],
  processes: readonly ServeProcess[],
): Record<string, number> {
  const slotOf = new Map<number, string>();
  for (const p of processes) for (const i of p.incarnations) slotOf.set(i.pid, p.name);
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const slot = slotOf.get(Number(row.leasedBy?.split(':')[1])) ?? 'unknown';
    counts[slot] = (counts[slot] ?? 0) + 1;
  }
  return counts;
}

/** Rows of a read-only query on the cluster's database (PostgreSQL: in its schema). */
export async function queryDatabase(
  kind: StoreKind,
  dataDir: string,
  schema: string | undefined,
  sqlText: string,
): Promise<Record<string, unknown>[]> {
  if (kind === 'sqlite') {
    const database = new DatabaseSync(join(dataDir, 'touchpoint.db'), { readOnly: true });
    try {
      return database.prepare(sqlText).all() as Record<string, unknown>[];
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    return (await client.query(sqlText)).rows;
  } finally {
    await client.end();
  }
}

/** Every message_attempts row with its lease (read directly: the API does not show leases). */
async function leaseAttempts(
  rows: (sqlText: string) => Promise<Record<string, unknown>[]>,
): Promise<LeaseAttempt[]> {
  const found = await rows(
    'SELECT message_id, lease_token, leased_by, leased_until, started_at, latency_ms, late FROM message_attempts',
  );
  return found.map((r) => ({
    messageId: Number(r.message_id),
    leaseToken: String(r.lease_token),
    leasedBy: r.leased_by === null ? null : String(r.leased_by),
    leasedUntil: r.leased_until === null ? null : Number(r.leased_until),
    startedAt: Number(r.started_at),
    latencyMs: Number(r.latency_ms),
    late: Number(r.late) === 1,
  }));
}

/** The report as the lines the bench and the test print. */
export function summarize(report: CrashReport): string[] {
  const v = report.verdict;
  const lines = [
    `delivery crash checker [${report.kind}] seed ${report.seed}, ${Math.round(report.runMs / 1000)} s: ${report.kills.length} kills (${countBy(report.kills.map((k) => k.name))})`,
    `  sends: ${v.sends.ok} ok, ${v.sends.fail} fail, ${v.sends.info} indeterminate; messages acknowledged ${v.acked}, delivered ${v.delivered}, recovered ${v.recovered.length}`,
    `  receiver requests: ${report.receptions.length} (${report.receptions.filter((r) => r.status !== 200).length} answered 500); final states ${JSON.stringify(report.finalStates)}; drained in ${report.drainMs} ms`,
    `  lost: ${v.lost.length}  unexpected: ${v.unexpected.length}  revived: ${v.revived.length}  doubled: ${v.doubled.length}  duplicates: ${v.duplicates.length}`,
    `  attempts: ${report.attempts} (${countBy(Object.entries(report.attemptsBy).flatMap(([k, n]) => Array<string>(n).fill(k)))}); messages attempted by several dispatchers: ${report.handedOver}; overlapping valid leases: ${report.overlaps.length}`,
  ];
  // Duplicates grouped by what explains them: the kill that cut their request off (the batch in
  // flight at that kill), a late (fenced) completion, or nothing (unexplained, listed first).
  const byCause = new Map<string, { list: DuplicateExplanation[]; beforeKill: number[] }>();
  for (const d of report.duplicates) {
    const cut = d.receptions.find((r) => r.attempt === null);
    const cause = !d.explained
      ? 'UNEXPLAINED'
      : cut?.kill
        ? `in flight at kill -9 ${cut.kill.name} (pid ${cut.kill.pid}), no attempt recorded`
        : d.attempts.some((a) => a.late)
          ? 'after a late (fenced) completion'
          : 'explained by recorded attempts';
    const entry = byCause.get(cause) ?? { list: [], beforeKill: [] };
    entry.list.push(d);
    if (cut?.kill) entry.beforeKill.push(cut.kill.afterMs);
    byCause.set(cause, entry);
  }
  const shown = (cause: string) => (cause === 'UNEXPLAINED' ? 20 : 2);
  const ordered = [...byCause].sort(([a]) => (a === 'UNEXPLAINED' ? -1 : 0));
  for (const [cause, { list, beforeKill }] of ordered)
    lines.push(
      `  duplicates ${cause}: ${list.length}` +
        (beforeKill.length > 0
          ? ` (received ${Math.min(...beforeKill)}–${Math.max(...beforeKill)} ms before the kill)`
          : '') +
        ' — ' +
        list
          .slice(0, shown(cause))
          .map(
            (d) =>
              `${d.opsRequestId} ×${d.times} [${d.attempts.map((a) => `#${a.attempt} ${a.status ?? '-'} ${a.outcome}${a.late ? ' late' : ''}`).join(', ')}]`,
          )
          .join('; ') +
        (list.length > shown(cause) ? '; …' : ''),
    );
  for (const f of report.failures) lines.push(`  FAIL ${f}`);
  return lines;
}

function countBy(items: readonly string[]): string {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i] = (counts[i] ?? 0) + 1;
  return Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

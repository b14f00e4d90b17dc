// bench/delivery: the delivery engine at scale (issue 16), with real `touchpoint serve` processes
// (SQLite: one `--role all`, the default `npm start`; PostgreSQL: one `--role api` and two `--role
// worker`) and a receiver in another process that decompresses each request and verifies its
// signature, counting every ops_request_id.
//
// 1. Throughput: N messages (default 1,000,000) through the send API (10,000 recipients per send),
//    batches of 100, signing and gzip on; messages/s end to end (first send → every message
//    delivered at the receiver and recorded `delivered`), against the ceiling measured in the same
//    run by a bare undici loop posting the same kind of gzipped, signed 100-message bodies to the
//    same receiver; peak RSS (VmHWM) of each Touchpoint process; the count check (every message
//    received exactly once, no bad signature, N `delivered`).
// 2. Rate limit (WH-23/WH-24): rate_limit = 500 with a backlog, 30 s, 1 then 2 workers on
//    PostgreSQL: the worst sliding 1 s window of request starts at the receiver (≤ 505) and the
//    average (≥ 485/s).
// 3. DUR-17: a fast channel's p99 (send accepted → delivered) alone and beside a channel whose
//    receiver answers after 14 s (timeout 15 s), on SQLite.
//
//   npm run bench -- delivery [--messages 1000000] [--db sqlite|postgres|both] [--only throughput|rate|dur17]
//                             [--rate-seconds 30] [--concurrency 32] [--recipients 10000]
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildBatch } from '../src/channels/webhook/protocol/build-batch.ts';
import { prepareRequest } from '../src/channels/webhook/protocol/prepare-request.ts';
import { serializeBatch } from '../src/channels/webhook/protocol/serialize-batch.ts';
import { startCluster, type Cluster, type ServeProcess } from '../test/delivery/support/crash-workload.ts';
import { startReceiverProcess, type ReceiverProcess } from '../test/delivery/support/receiver-process.ts';
import { maxInWindow } from '../test/delivery/support/sliding-window.ts';
import type { StoreKind } from '../test/support/stores.ts';

const TOKEN = 'crash-token';
const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** Peak resident memory of a process so far (VmHWM), MiB. */
function peakRssMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The ceiling: `messages` in 100-message gzipped, signed bodies posted by bare undici. */
async function ceiling(receiver: ReceiverProcess, messages: number, concurrency: number): Promise<number> {
  const bodies = Array.from({ length: 16 }, (_, b) =>
    prepareRequest({
      json: serializeBatch(
        buildBatch(
          Array.from({ length: 100 }, (_, i) => ({
            pushId: `u-${b * 100 + i + 1}`,
            params: { title: `gen-${b}` },
            customParams: {},
            receipt: {
              requestId: randomUUID(),
              taskId: 'snd_bench',
              taskInstanceId: 'snd_bench',
              projectId: 1,
            },
          })),
          { timeZone: 'UTC' },
        ),
      ),
      compression: true,
      token: TOKEN,
    }),
  );
  const pool = new Pool(receiver.url, { connections: concurrency, keepAliveTimeout: 30_000 });
  let next = 0;
  const requests = Math.ceil(messages / 100);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const body = bodies[next++ % bodies.length]!;
        const res = await pool.request({
          path: '/ceiling',
          method: 'POST',
          headers: body.headers,
          body: body.body,
        });
        await res.body.text();
        if (res.statusCode !== 200) throw new Error(`ceiling request answered ${res.statusCode}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return (requests * 100) / seconds;
}

async function cluster(
  kind: StoreKind,
  receiver: ReceiverProcess,
  options: {
    users: number;
    workers: number;
    path: string;
    channel?: Record<string, unknown>;
    env?: Record<string, string>;
  },
): Promise<Cluster> {
  return startCluster({
    kind,
    workers: options.workers,
    users: options.users,
    timeoutS: 15,
    behaviour: () => ({ status: 200, delayMs: 0 }),
    channel: {
      url: `${receiver.url}${options.path}`,
      batch_size: 100,
      compression: true,
      ...options.channel,
    },
    env: { TOUCHPOINT_LOG_LEVEL: 'warn', TOUCHPOINT_DELIVERY_POLL_MS: '50', ...options.env },
  });
}

/** Sends `total` messages to `recipients` in sends of at most 10,000, `parallel` at a time. */
async function enqueue(
  c: Cluster,
  total: number,
  recipients: readonly string[],
  parallel = 2,
): Promise<void> {
  const sizes: number[] = [];
  for (let left = total; left > 0; left -= recipients.length) sizes.push(Math.min(left, recipients.length));
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < sizes.length) {
        const k = next++;
        const op = await c.send(k, recipients.slice(0, sizes[k]));
        if (op.outcome !== 'ok') throw new Error(`send ${k}: ${op.detail}`);
      }
    }),
  );
}

async function throughput(
  kind: StoreKind,
  receiver: ReceiverProcess,
  n: number,
  concurrency: number,
  recipients: number,
) {
  const users = Math.min(recipients, n);
  const c = await cluster(kind, receiver, {
    users,
    workers: 2,
    path: '/tp',
    env: {
      TOUCHPOINT_DELIVERY_CONCURRENCY: String(concurrency),
      TOUCHPOINT_DELIVERY_CHANNEL_CONCURRENCY: String(concurrency),
    },
  });
  try {
    const ceilingRate = await ceiling(receiver, Math.min(n, 300_000), concurrency);
    await receiver.reset();
    const started = performance.now();
    let enqueuedAt = 0;
    const sending = enqueue(c, n, c.users).then(() => (enqueuedAt = performance.now()));
    for (;;) {
      const stats = await receiver.stats();
      if (stats.messages >= n) break;
      await sleep(200);
    }
    await sending;
    const receivedAt = performance.now();
    const counts = await c.drain(600_000);
    const recordedAt = performance.now();
    const stats = await receiver.stats();
    const metrics = await (await fetch(`${c.base}/metrics`)).text();
    const gauge = (name: string) =>
      Number(
        /^(\S+) (\S+)$/m.exec(metrics.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2] ?? NaN,
      ) /
      2 ** 20;
    const memory = `heap used ${gauge('touchpoint_process_nodejs_heap_size_used_bytes').toFixed(0)} of ${gauge('touchpoint_process_nodejs_heap_size_total_bytes').toFixed(0)} MiB, external ${gauge('touchpoint_process_nodejs_external_memory_bytes').toFixed(0)} MiB, resident now ${gauge('touchpoint_process_resident_memory_bytes').toFixed(0)} MiB`;
    const rate = n / ((recordedAt - started) / 1000);
    const rss = c.processes
      .map((p: ServeProcess) => `${p.name} ${peakRssMiB(p.pid).toFixed(0)} MiB`)
      .join(', ');
    const exact =
      stats.messages === n && stats.duplicates === 0 && stats.badSignatures === 0 && counts.delivered === n;
    console.log(
      [
        `delivery throughput [${kind}${kind === 'postgres' ? ', 2 workers' : ', role all'}] ${fmt(n)} messages, batches of 100, signed, gzip:`,
        `  end to end ${fmt(rate)} messages/s (${((recordedAt - started) / 1000).toFixed(1)} s; enqueued in ${((enqueuedAt - started) / 1000).toFixed(1)} s, received by ${((receivedAt - started) / 1000).toFixed(1)} s)`,
        `  ceiling (bare undici, same receiver, ${concurrency} connections): ${fmt(ceilingRate)} messages/s → ${((rate / ceilingRate) * 100).toFixed(0)} % of it`,
        `  peak RSS: ${rss} (${kind === 'sqlite' ? 'all' : 'api'}: ${memory})`,
        `  count check: ${exact ? 'OK' : 'FAILED'} — received ${fmt(stats.messages)} distinct, ${stats.duplicates} duplicates, ${stats.badSignatures} bad signatures; delivered ${fmt(counts.delivered ?? 0)}`,
      ].join('\n'),
    );
    if (!exact) process.exitCode = 1;
  } finally {
    // SIGTERM first, so a profiled run (NODE_OPTIONS=--cpu-prof) writes its profiles.
    for (const p of c.processes) await p.term();
    await c.close();
  }
}

async function rateLimit(receiver: ReceiverProcess, workers: number, seconds: number) {
  const R = 500;
  const path = `/rate-${workers}`;
  const c = await cluster('postgres', receiver, {
    users: 10_000,
    workers,
    path,
    channel: { batch_size: 1, rate_limit: R },
    env: { TOUCHPOINT_DELIVERY_CONCURRENCY: '64', TOUCHPOINT_DELIVERY_CHANNEL_CONCURRENCY: '64' },
  });
  try {
    // A backlog larger than the run: R per second for `seconds`, and a quarter more.
    await enqueue(c, Math.ceil(R * seconds * 1.25), c.users);
    const first = (await receiver.starts(path))[0] ?? Date.now();
    const end = first + seconds * 1000;
    while (Date.now() < end + 500) await sleep(250);
    const starts = (await receiver.starts(path)).filter((t) => t >= first && t < end);
    const worst = maxInWindow(starts, 1000);
    const average = starts.length / seconds;
    // Where the worst second was, and the starts per second, for a run that misses a bound.
    let lo = 0;
    let worstAt = 0;
    for (let hi = 0; hi < starts.length; hi += 1) {
      while (starts[lo]! <= starts[hi]! - 1000) lo += 1;
      if (hi - lo + 1 === worst) worstAt = starts[hi]! - first;
    }
    const perSecond = Array.from(
      { length: seconds },
      (_, i) => starts.filter((t) => t >= first + i * 1000 && t < first + (i + 1) * 1000).length,
    );
    console.log(
      `rate limit ${R}/s [postgres, ${workers} worker${workers > 1 ? 's' : ''}] ${seconds} s of backlog: worst sliding 1 s window ${worst} request starts (≤ ${R * 1.01}: ${worst <= R * 1.01 ? 'OK' : 'FAILED'}), average ${average.toFixed(1)}/s (≥ ${R * 0.97}: ${average >= R * 0.97 ? 'OK' : 'FAILED'}); worst window ends at +${worstAt} ms; per second: ${perSecond.join(' ')}`,
    );
    if (worst > R * 1.01 || average < R * 0.97) process.exitCode = 1;
  } finally {
    await c.close();
  }
}

async function dur17(receiver: ReceiverProcess, seconds: number) {
  const p99 = async (withSlow: boolean) => {
    const c = await cluster('sqlite', receiver, {
      users: 200,
      workers: 1,
      path: '/dur17-fast',
      channel: { batch_size: 10 },
      env: { TOUCHPOINT_DELIVERY_CONCURRENCY: '32', TOUCHPOINT_DELIVERY_CHANNEL_CONCURRENCY: '4' },
    });
    try {
      if (withSlow) {
        await receiver.configure({ delays: { '/dur17-slow': 14_000 } });
        const slow = await c.api('POST', `${c.project}/channels`, {
          name: 'Slow hook',
          category: 'notification',
          url: `${receiver.url}/dur17-slow`,
          send_id_type: 'user_id',
          auth: 'token',
          token: TOKEN,
          batch_size: 10,
          timeout_s: 15,
          template: [{ key: 'title', label: 'Title', type: 'text' }],
          custom_params: [],
          receipt_funnel: [],
        });
        await c.api('PUT', `${c.project}/channels/${slow.id}/workspaces/${c.workspaceId}`);
        const recipients = c.users.map((id) => ({ id_type: 'user_id', id }));
        for (let i = 0; i < 10; i += 1)
          await c.api('POST', `${c.project}/workspaces/${c.workspaceId}/sends`, {
            channel_id: slow.id,
            template_values: { title: `slow-${i}` },
            recipients,
          });
      }
      // The fast channel: 100 messages every 200 ms for `seconds`.
      const end = Date.now() + seconds * 1000;
      for (let k = 0; Date.now() < end; k += 1) {
        await c.send(k, c.users.slice(0, 100));
        await sleep(200);
      }
      const rows = await c.rows(
        `SELECT finished_at - created_at AS ms FROM messages WHERE channel_id = '${c.channelId}' AND state = 'delivered'`,
      );
      const all = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
      return { p99: all[Math.floor(all.length * 0.99)] ?? Number.NaN, n: all.length };
    } finally {
      await receiver.configure({});
      await c.close();
    }
  };
  const alone = await p99(false);
  const beside = await p99(true);
  console.log(
    `DUR-17 [sqlite] fast channel p99 (send accepted → delivered): alone ${alone.p99} ms (${fmt(alone.n)} messages), beside a 14 s receiver ${beside.p99} ms (${fmt(beside.n)} messages) → ${(beside.p99 / alone.p99).toFixed(2)}×`,
  );
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string', default: '1000000' },
      db: { type: 'string', default: 'both' },
      only: { type: 'string' },
      'rate-seconds': { type: 'string', default: '30' },
      'dur17-seconds': { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '32' },
      // Recipients per send (and users made): the send API takes at most 10,000.
      recipients: { type: 'string', default: '10000' },
    },
  });
  const kinds: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];
  const receiver = await startReceiverProcess({ token: TOKEN });
  try {
    if (!values.only || values.only === 'throughput')
      for (const kind of kinds)
        await throughput(
          kind,
          receiver,
          Number(values.messages),
          Number(values.concurrency),
          Number(values.recipients),
        );
    if (!values.only || values.only === 'rate')
      for (const workers of [1, 2]) await rateLimit(receiver, workers, Number(values['rate-seconds']));
    if (!values.only || values.only === 'dur17') await dur17(receiver, Number(values['dur17-seconds']));
  } finally {
    await receiver.close();
  }
}

if (import.meta.main) await run(process.argv.slice(2));

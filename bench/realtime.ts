// bench/realtime: event-triggered campaigns in real time (issue 20: event accepted → message at
// the receiver, p99 ≤ 1 s). Events stream through /v1/batch at R events/s (default 1,000: 20
// requests of 50 per second) for S seconds; 10 % of them are `Order Paid` with an amount the
// campaign's filter takes, the rest page views and small orders it leaves. Each matching event's
// latency is from the moment its request was acknowledged (200) to the moment a receiver built
// with the receiver kit (in this process, same clock) accepted the message carrying its order id.
//
// Baseline in the same run, on the same cluster right after: the delivery engine's own path,
// the send API (`POST …/sends`, one recipient each) at the same message rate, from its 202 to
// the receiver. Both go through the same outbox, dispatcher and channel; the difference is what
// event triggering costs (the profile applier's window, the fire, the trigger worker).
//
// Processes as users run them: API and worker as separate processes (PostgreSQL, and SQLite on
// one file), and the README's default start (SQLite, one `serve` process, role all).
//
//   npm run bench -- realtime [--rate 1000] [--seconds 20] [--db sqlite|postgres|both] [--setup split|all|both] [--trace]
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { nodeReceiver } from '../packages/receiver-kit/src/index.ts';
import { RECEIVER_TOKEN, startCampaignCluster, waitFor } from '../test/campaigns/support/campaign-cluster.ts';
import type { StoreKind } from '../test/support/stores.ts';

const PER_REQUEST = 50;
const SHARE = 0.1;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** A receiver-kit endpoint noting when each message (by its rendered content) arrived. */
async function timedReceiver() {
  const arrived = new Map<string, number>();
  let duplicates = 0;
  const server = createServer(
    nodeReceiver({
      secret: RECEIVER_TOKEN,
      onBatch(batch) {
        const now = performance.now();
        for (const m of batch) {
          const key = String(m.params?.content ?? '');
          if (arrived.has(key)) duplicates++;
          else arrived.set(key, now);
        }
      },
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/realtime`,
    arrived,
    duplicates: () => duplicates,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Phase {
  latencies: number[];
  missing: number;
  sent: number;
  rate: number;
}

const summary = (name: string, p: Phase) =>
  `${name}: ${p.sent} messages at ${Math.round(p.rate)}/s offered, p50 ${percentile(p.latencies, 50).toFixed(0)} ms, p99 ${percentile(p.latencies, 99).toFixed(0)} ms, max ${percentile(p.latencies, 100).toFixed(0)} ms${p.missing ? `, MISSING ${p.missing}` : ''}`;

/** Runs `tick(i)` every `periodMs` for `seconds`, without waiting for one tick to end. */
async function paced(seconds: number, periodMs: number, tick: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let i = 0;
  while (performance.now() - started < seconds * 1000) {
    pending.push(tick(i++));
    const next = started + i * periodMs;
    await sleep(Math.max(0, next - performance.now()));
  }
  await Promise.all(pending);
  return (performance.now() - started) / 1000;
}

async function measure(
  kind: StoreKind,
  split: boolean,
  rate: number,
  seconds: number,
  trace: boolean,
): Promise<void> {
  const receiver = await timedReceiver();
  const c = await startCampaignCluster({
    kind,
    workers: 1,
    split,
    env: { TOUCHPOINT_LOG_LEVEL: 'error' },
  });
  const label = `${kind}, ${split || kind === 'postgres' ? 'api + worker processes' : 'default start (role all)'}`;
  try {
    const channel = await c.api('POST', `${c.project}/channels`, {
      name: 'Realtime hook',
      category: 'notification',
      url: receiver.url,
      send_id_type: 'user_id',
      auth: 'token',
      token: RECEIVER_TOKEN,
      batch_size: 100,
      template: [
        { key: 'title', label: 'Title', type: 'text' },
        { key: 'content', label: 'Content', type: 'dynamic_text' },
      ],
      receipt_funnel: [],
    });
    await c.api('PUT', `${c.project}/channels/${channel.id}/workspaces/${c.workspaceId}`);
    const ws = `${c.project}/workspaces/${c.workspaceId}`;
    const campaign = await c.api('POST', `${ws}/campaigns`, {
      name: 'Order thanks',
      channel_id: channel.id,
      trigger: {
        type: 'event',
        event: 'Order Paid',
        filters: [{ type: 'property', property: 'amount', operator: 'greater_than', value: 10 }],
      },
      template_values: { title: 'Thanks', content: 'order ${order}' },
      variables: [{ name: 'order', source: 'event.order_id' }],
    });
    await c.api('POST', `${ws}/campaigns/${campaign.id}/submit`);
    await c.api('POST', `${ws}/campaigns/${campaign.id}/publish`);
    await waitFor('the run to listen', async () => {
      const runs = (await c.api('GET', `${ws}/campaigns/${campaign.id}/runs`)).items as { state: string }[];
      return runs[0]?.state === 'listening' ? true : undefined;
    });

    // Warm-up: the users exist (the send API baseline sends to them) and the paths are hot.
    const auth = `Basic ${Buffer.from(`${c.appKey}:`).toString('base64')}`;
    const users = 1000;
    let failures = 0;
    /** Posts until acknowledged (a shared machine may stall a connection); failures are counted. */
    const post = async (batch: unknown[]) => {
      const body = JSON.stringify({ batch });
      for (;;) {
        try {
          const res = await fetch(`${c.base}/v1/batch`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          await res.text();
          if (res.status === 200) return;
        } catch {
          // counted below; the same message ids make a second try harmless
        }
        failures++;
        await sleep(100);
      }
    };
    for (let i = 0; i < users; i += 500)
      await post(
        Array.from({ length: 500 }, (_, k) => ({
          type: 'identify',
          userId: `rt-${i + k}`,
          messageId: `warm-${i + k}`,
          traits: { plan: 'pro' },
        })),
      );
    await c.profiles(users);

    // Event phase (with --trace: where the matching events are, every 2 s).
    const tracer = trace
      ? setInterval(() => {
          void c
            .rows(
              `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM campaign_fires) AS fires, (SELECT count(*) FROM campaign_fires WHERE state = 'pending') AS pending, (SELECT count(*) FROM messages WHERE state = 'delivered') AS delivered`,
            )
            .then(([row]) => console.log(`  trace ${JSON.stringify(row)}`));
        }, 2000)
      : undefined;
    const accepted = new Map<string, number>();
    let n = 0;
    const requestsPerSecond = rate / PER_REQUEST;
    const eventSeconds = await paced(seconds, 1000 / requestsPerSecond, async () => {
      const orders: string[] = [];
      const batch = Array.from({ length: PER_REQUEST }, () => {
        const i = n++;
        const user = `rt-${i % users}`;
        if (i % Math.round(1 / SHARE) === 0) {
          const order = `order e${i}`;
          orders.push(order);
          return {
            type: 'track',
            event: 'Order Paid',
            userId: user,
            messageId: `e-${i}`,
            properties: { order_id: `e${i}`, amount: 25 },
          };
        }
        return i % 3 === 0
          ? {
              type: 'track',
              event: 'Order Paid',
              userId: user,
              messageId: `e-${i}`,
              properties: { order_id: `x${i}`, amount: 5 },
            }
          : {
              type: 'track',
              event: 'Page Viewed',
              userId: user,
              messageId: `e-${i}`,
              properties: { path: `/p/${i % 50}` },
            };
      });
      await post(batch);
      const at = performance.now();
      for (const o of orders) accepted.set(o, at);
    });
    const events = await collect(receiver.arrived, accepted, eventSeconds);
    clearInterval(tracer);

    // Baseline: the send API at the same message rate.
    const sent = new Map<string, number>();
    let s = 0;
    const sendSeconds = await paced(seconds, 1000 / (rate * SHARE), async () => {
      const i = s++;
      const res = await c.api('POST', `${ws}/sends`, {
        channel_id: channel.id,
        template_values: { title: 'Thanks', content: `order s${i}` },
        recipients: [{ id_type: 'user_id', id: `rt-${i % users}` }],
      });
      if (res.queued !== 1) throw new Error(`send queued ${JSON.stringify(res)}`);
      sent.set(`order s${i}`, performance.now());
    });
    const sends = await collect(receiver.arrived, sent, sendSeconds);

    console.log(
      `realtime [${label}]: ${n} events in ${eventSeconds.toFixed(1)} s (${Math.round(n / eventSeconds)}/s)${failures ? `, ${failures} requests sent again` : ''}`,
    );
    console.log(`  ${summary('event trigger', events)}`);
    console.log(`  ${summary('send API baseline', sends)}`);
    console.log(
      `  ratio p50 ${(percentile(events.latencies, 50) / percentile(sends.latencies, 50)).toFixed(2)}, p99 ${(percentile(events.latencies, 99) / percentile(sends.latencies, 99)).toFixed(2)}; duplicates at the receiver ${receiver.duplicates()}; target p99 ≤ 1000 ms: ${percentile(events.latencies, 99) <= 1000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await c.close();
    await receiver.close();
  }
}

/** Waits (up to 60 s) for every expected message; answers their latencies. */
async function collect(
  arrived: Map<string, number>,
  expected: Map<string, number>,
  seconds: number,
): Promise<Phase> {
  const deadline = Date.now() + 60_000;
  while ([...expected.keys()].some((k) => !arrived.has(k)) && Date.now() < deadline) await sleep(100);
  const latencies: number[] = [];
  let missing = 0;
  for (const [key, at] of expected) {
    const got = arrived.get(key);
    if (got === undefined) missing++;
    else latencies.push(Math.max(0, got - at));
  }
  return { latencies, missing, sent: expected.size, rate: expected.size / seconds };
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rate: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '20' },
      db: { type: 'string', default: 'both' },
      setup: { type: 'string', default: 'both' },
      trace: { type: 'boolean', default: false },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const kinds: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];
  for (const kind of kinds) {
    const setups =
      kind === 'postgres' ? [true] : values.setup === 'both' ? [true, false] : [values.setup === 'split'];
    for (const split of setups) await measure(kind, split, rate, seconds, values.trace);
  }
}

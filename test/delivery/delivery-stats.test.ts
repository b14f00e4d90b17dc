// Issue 17 item 4: the per-channel, per-minute aggregate behind the charts. The pure parts
// (latency buckets, quantiles, points), then on both databases: two dispatchers sharing one
// database deliver to a receiver that refuses some items and fails some requests, and the
// aggregate served by GET …/delivery-stats equals what message_attempts holds; tenant isolation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectScope } from '../../src/access/scope.ts';
import {
  buildSeries,
  latencyBounds,
  latencyBucket,
  latencyQuantile,
  requestIncrement,
  statsOutcomes,
  type StatsMinute,
} from '../../src/delivery/delivery-stats.ts';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Json } from '../channels/channel-fixture.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

describe('delivery stats: buckets, quantiles and points', () => {
  test('latency buckets are log-spaced with inclusive upper bounds and an open last bucket', () => {
    assert.equal(latencyBounds.length, 30);
    for (let i = 1; i < latencyBounds.length; i += 1)
      assert.ok((latencyBounds[i] as number) > (latencyBounds[i - 1] as number));
    assert.equal(latencyBucket(0), 0);
    assert.equal(latencyBucket(1), 0);
    assert.equal(latencyBucket(1.2), 1);
    assert.equal(latencyBucket(100), latencyBounds.indexOf(100));
    assert.equal(latencyBucket(101), latencyBounds.indexOf(150));
    assert.equal(latencyBucket(3_600_000), latencyBounds.length - 1);
  });

  test('quantiles interpolate inside the bucket that holds them; empty is null', () => {
    const h = latencyBounds.map(() => 0);
    assert.equal(latencyQuantile(h, 0.5), null);
    // 100 requests at ≤ 100 ms (bucket 70..100), 1 at ≤ 1000 ms.
    h[latencyBucket(90)] = 99;
    h[latencyBucket(900)] = 1;
    const p50 = latencyQuantile(h, 0.5) as number;
    assert.ok(p50 > 70 && p50 <= 100, String(p50));
    const p99 = latencyQuantile(h, 0.99) as number;
    assert.ok(p99 > 70 && p99 <= 100, String(p99));
    const p999 = latencyQuantile(h, 0.999) as number;
    assert.ok(p999 > 700 && p999 <= 1000, String(p999));
    const slow = latencyBounds.map(() => 0);
    slow[latencyBounds.length - 1] = 3;
    assert.equal(latencyQuantile(slow, 0.5), 120_000, 'the open bucket answers its lower bound');
  });

  test('points: one per step over the range, rates per second, totals; minutes outside are ignored', () => {
    const now = Date.UTC(2026, 0, 1, 12, 30, 20);
    const at = (minute: number, outcomes: string[], result = 'success', latencyMs = 40) =>
      requestIncrement({
        projectId: 1,
        channelId: 'ch',
        finishedAt: minute,
        result,
        latencyMs,
        outcomes: outcomes.map((outcome) => ({ outcome, late: false })),
      });
    const thisMinute = Date.UTC(2026, 0, 1, 12, 30);
    const rows: StatsMinute[] = [
      at(thisMinute, ['delivered', 'delivered', 'failed'], 'partial'),
      at(thisMinute - 60_000, ['retry', 'retry'], 'failure', 2500),
      at(thisMinute - 2 * 3_600_000, ['delivered']),
    ];
    const hour = buildSeries('1h', now, rows);
    assert.equal(hour.points.length, 60);
    assert.equal(hour.stepMs, 60_000);
    assert.equal(hour.points.at(-1)?.at, thisMinute);
    assert.deepEqual(hour.points.at(-1)?.messages, { ...zero(), delivered: 2, failed: 1 });
    assert.equal(hour.points.at(-1)?.messagesPerSecond.delivered, 2 / 60);
    assert.equal(hour.points.at(-2)?.errorRate, 1);
    assert.equal(hour.points.at(-3)?.errorRate, null);
    assert.equal(hour.totals.requests, 2);
    assert.equal(hour.totals.requestErrors, 1);
    assert.equal(hour.totals.requestPartial, 1);
    assert.equal(hour.totals.errorRate, 0.5);
    const day = buildSeries('24h', now, rows);
    assert.equal(day.points.length, 96);
    assert.equal(day.totals.requests, 3);
    assert.deepEqual(day.totals.messages, { ...zero(), delivered: 3, failed: 1, retry: 2 });
    assert.equal(day.points.at(-1)?.messagesPerSecond.delivered, 2 / 900);
  });
});

const zero = () => Object.fromEntries(statsOutcomes.map((o) => [o, 0]));

const options: DispatcherOptions = {
  retrySchedule: [30, 60],
  concurrency: 4,
  channelConcurrency: 2,
  pollMs: 20,
  leaseMarginMs: 2000,
  drainMs: 5000,
  unhealthyAfterMs: 3_600_000,
  unhealthyFailures: 1000,
};

for (const kind of storeKinds) {
  describe(`delivery stats aggregate [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    let channel: Json;
    const users = Array.from({ length: 30 }, (_, i) => `s-${i}`);
    const refused = new Set(['s-3', 's-17']);

    before(async () => {
      d = await deliveryFixture(kind);
      // Refuses two push_ids for good (fail_list → failed), answers 500 to every third request
      // (→ retry, some → dead after three), is slow on every fourth (latency spread).
      receiver = await scriptableReceiver((n, messages) => {
        if (n % 3 === 1) return { status: 500, body: '{"error":"busy"}' };
        const failList = messages.flatMap((m, i) =>
          refused.has(String(m.push_id)) ? [{ index: i + 1, message: 'refused' }] : [],
        );
        return { body: ok(failList), ...(n % 4 === 0 ? { delayMs: 60 } : {}) };
      });
      await d.users(users.map((userId) => ({ userId })));
      channel = await d.channel(`${receiver.origin}/stats`, { batch_size: 4 });
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    const stats = (range = '1h', user: 'adminA' | 'viewerA' = 'adminA') =>
      d.f.as(user, d.f.a, { url: `${d.base}/channels/${channel.id}/delivery-stats?range=${range}` });

    test('an empty channel answers zeros and 60 empty points', async () => {
      const res = await stats();
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.points.length, 60);
      assert.equal(body.step_s, 60);
      assert.equal(body.totals.requests, 0);
      assert.equal(body.totals.error_rate, null);
      assert.equal(body.totals.p50_ms, null);
    });

    test('two dispatchers on one database: the aggregate equals the counts of message_attempts', async () => {
      const queued = [];
      for (let round = 0; round < 2; round += 1) {
        const res = await d.send({
          channel_id: channel.id,
          template_values: { title: 'T', content: 'C' },
          recipients: users.map((id) => ({ id_type: 'user_id', id })),
        });
        assert.equal(res.statusCode, 202);
        queued.push(res.json.queued as number);
      }
      const total = queued.reduce((a, b) => a + b, 0);
      const workers = [0, 1].map(
        () =>
          new Dispatcher({
            store: d.f.t.deps.store,
            channels: d.f.t.deps.channels,
            client: d.f.t.deps.outbound,
            logger: createLogger('silent'),
            options,
          }),
      );
      const counts = async () =>
        (await d.f.as('adminA', d.f.a, { url: `${d.base}/messages-counts?channel_id=${channel.id}` })).json();
      const started = Date.now();
      for (;;) {
        const c = await counts();
        if (c.delivered + c.failed + c.dead === total) break;
        assert.ok(Date.now() - started < 60_000, `not drained: ${JSON.stringify(c)}`);
        await Promise.all(workers.map((w) => w.run(new AbortController().signal)));
        await new Promise((r) => setTimeout(r, 10));
      }

      // What message_attempts holds, read message by message.
      const store = d.f.t.deps.store;
      const scope = projectScope(d.f.a.project.id);
      const messages = await store.delivery.list(scope, { channelId: channel.id }, { limit: 1000 });
      assert.equal(messages.length, total);
      const byOutcome: Record<string, number> = zero();
      const batches = new Map<string, { result: string; latencyMs: number }>();
      for (const m of messages)
        for (const a of await store.delivery.attempts(scope, m.id)) {
          if (!a.late) byOutcome[a.outcome] = (byOutcome[a.outcome] ?? 0) + 1;
          batches.set(a.batchId, { result: a.result, latencyMs: a.latencyMs });
        }
      assert.ok(
        byOutcome.delivered! > 0 && byOutcome.failed! > 0 && byOutcome.retry! > 0,
        JSON.stringify(byOutcome),
      );

      const body = (await stats()).json();
      assert.deepEqual(body.totals.messages, byOutcome);
      assert.equal(body.totals.requests, batches.size);
      assert.equal(body.totals.requests, receiver.received.length, 'one request per batch the receiver saw');
      assert.equal(
        body.totals.request_errors,
        [...batches.values()].filter((b) => b.result === 'failure').length,
      );
      assert.equal(
        body.totals.request_partial,
        [...batches.values()].filter((b) => b.result === 'partial').length,
      );
      assert.equal(body.totals.late, 0);
      // The points add up to the totals, and the rates are counts per second of a step.
      const summed: Record<string, number> = zero();
      for (const p of body.points as Json[])
        for (const o of statsOutcomes) {
          summed[o] = (summed[o] ?? 0) + p.messages[o];
          assert.ok(Math.abs(p.messages_per_s[o] - p.messages[o] / 60) < 0.001);
        }
      assert.deepEqual(summed, byOutcome);
      assert.ok(body.totals.error_rate > 0 && body.totals.error_rate < 1, String(body.totals.error_rate));
      // Latency quantiles from the histogram: within the bucket of the true quantile.
      const latencies = [...batches.values()].map((b) => b.latencyMs).sort((a, b) => a - b);
      const trueP99 = latencies[Math.ceil(0.99 * latencies.length) - 1] as number;
      const bucket = latencyBucket(trueP99);
      assert.ok(
        body.totals.p99_ms <= (latencyBounds[bucket] as number),
        `${body.totals.p99_ms} vs ${trueP99}`,
      );
      assert.ok(body.totals.p99_ms >= (bucket === 0 ? 0 : (latencyBounds[bucket - 1] as number)));
      assert.ok(body.totals.p50_ms !== null && body.totals.p50_ms <= body.totals.p99_ms);

      // The day's view counts the same requests in 15-minute points.
      const day = (await stats('24h')).json();
      assert.equal(day.points.length, 96);
      assert.equal(day.step_s, 900);
      assert.deepEqual(day.totals.messages, byOutcome);
      assert.equal(day.totals.requests, batches.size);
    });

    test('visibility: a workspace member sees the charts; another project, an unknown channel and a bad range do not', async () => {
      assert.equal((await stats('1h', 'viewerA')).statusCode, 200);
      const other = await d.f.as('adminB', d.f.b, {
        url: `/api/v1/projects/${d.f.b.project.id}/channels/${channel.id}/delivery-stats`,
      });
      assert.equal(other.statusCode, 404, 'a channel of another project is not found');
      assert.equal(other.json().error.code, 'TP_ERR_NOT_FOUND');
      const notMember = await d.f.as('adminB', d.f.b, {
        url: `${d.base}/channels/${channel.id}/delivery-stats`,
      });
      assert.equal(notMember.statusCode, 404, 'a project the caller is not in is not found');
      const unknown = await d.f.as('adminA', d.f.a, { url: `${d.base}/channels/ch_nope/delivery-stats` });
      assert.equal(unknown.statusCode, 404);
      assert.equal((await stats('7d')).statusCode, 400);
    });
  });
}

// DUR-01 (many producers, many workers: exactly the ids sent, no overlapping valid leases),
// DUR-08 (leases use the database clock), DUR-16 (receiver partition, then heal) and DUR-18
// (restart on a new process with a backlog and stale leases). Both databases, in-process
// dispatchers sharing one database, shrunk schedules.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { systemScope } from '../../src/access/scope.ts';
import type { Json } from '../channels/channel-fixture.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

const options: DispatcherOptions = {
  retrySchedule: [30, 60, 90, 120, 150, 200, 300, 400],
  concurrency: 8,
  channelConcurrency: 4,
  pollMs: 20,
  leaseMarginMs: 2000,
  drainMs: 5000,
  unhealthyAfterMs: 3_600_000,
  unhealthyFailures: 1000,
};

for (const kind of storeKinds) {
  describe(`concurrency and recovery [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    const users = Array.from({ length: 20 }, (_, i) => `p-${i}`);
    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver(() => ({ body: ok() }));
      await d.users(users.map((userId) => ({ userId })));
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    const dispatcher = (over: Partial<DispatcherOptions> = {}) =>
      new Dispatcher({
        store: d.f.t.deps.store,
        channels: d.f.t.deps.channels,
        client: d.f.t.deps.outbound,
        logger: createLogger('silent'),
        options: { ...options, ...over },
      });

    async function drain(workers: Dispatcher[], done: () => Promise<boolean>, timeoutMs = 60_000) {
      const started = Date.now();
      while (!(await done())) {
        if (Date.now() - started > timeoutMs) throw new Error('not drained in time');
        await Promise.all(workers.map((w) => w.run(new AbortController().signal)));
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const counts = async (channelId: string) =>
      (
        await d.f.as('adminA', d.f.a, { url: `${d.base}/messages-counts?channel_id=${channelId}` })
      ).json() as Record<string, number>;

    test(`DUR-01 20 producers × ${kind === 'sqlite' ? 5 : 10} sends of 20 users, ${kind === 'sqlite' ? 4 : 20} workers: the receiver gets exactly the queued ids; no two valid leases on one message`, async () => {
      const channel = await d.channel(`${receiver.origin}/dur01`, { batch_size: 7 });
      const start = receiver.received.length;
      const perProducer = kind === 'sqlite' ? 5 : 10;
      const sendOnce = () =>
        d.send({
          channel_id: channel.id,
          template_values: { title: 'T', content: 'C' },
          recipients: users.map((id) => ({ id_type: 'user_id', id })),
        });
      const workers = Array.from({ length: kind === 'sqlite' ? 4 : 20 }, () => dispatcher());
      const stop = new AbortController();
      // Workers run while the producers send (they poll for new work).
      const running = (async () => {
        while (!stop.signal.aborted) {
          await Promise.all(workers.map((w) => w.run(stop.signal)));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const out = [];
          for (let i = 0; i < perProducer; i += 1) out.push(await sendOnce());
          return out;
        }),
      );
      const queued = answers
        .flat()
        .reduce((n, a) => n + (a.statusCode === 202 ? (a.json.queued as number) : 0), 0);
      assert.equal(queued, 20 * perProducer * users.length);
      await drain(workers, async () => (await counts(channel.id)).delivered === queued);
      stop.abort();
      await running;
      const ids = receiver
        .ids()
        .slice(receiver.received.slice(0, start).reduce((n, r) => n + r.messages.length, 0));
      assert.equal(new Set(ids).size, queued, 'every queued id arrived');
      assert.equal(ids.length, queued, 'and none twice');
      // Attempt history: one delivered attempt per message, none late.
      const listed = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/messages?channel_id=${channel.id}&limit=3`,
      });
      for (const m of listed.json().items as Json[]) {
        const detail = await d.message(m.ops_request_id);
        assert.deepEqual(
          detail.attempts.map((a: Json) => [a.outcome, a.late]),
          [['delivered', false]],
        );
      }
    });

    test('DUR-16 a receiver partition (connections dropped) for a while, then healed: every message delivered, the channel stays healthy', async () => {
      const channel = await d.channel(`${receiver.origin}/dur16`, { batch_size: 5 });
      let healed = false;
      receiver.script = () => (healed ? { body: ok() } : 'destroy');
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'C' },
        recipients: users.map((id) => ({ id_type: 'user_id', id })),
      });
      const worker = dispatcher();
      const partitionEnds = Date.now() + 400;
      while (Date.now() < partitionEnds) {
        await worker.run(new AbortController().signal);
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((await counts(channel.id)).delivered, 0);
      healed = true;
      await drain([worker], async () => (await counts(channel.id)).delivered === res.json.queued);
      const health = await d.f.as('adminA', d.f.a, { url: `${d.base}/channels/${channel.id}/health` });
      assert.equal(health.json().state, 'healthy');
      receiver.script = () => ({ body: ok() });
    });

    test('DUR-08/DUR-18 a new process finds the backlog and the stale leases of an old one (database clock), and delivers them all once', async () => {
      const channel = await d.channel(`${receiver.origin}/dur18`, { batch_size: 4 });
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'C' },
        recipients: users.map((id) => ({ id_type: 'user_id', id })),
      });
      const store = d.f.t.deps.store;
      // An "old version" leased two batches and died; its leases expire by the database clock.
      const system = systemScope('test: an old process leases and dies');
      const stale = await store.transaction((tx) =>
        tx.delivery.claim(system, channel.id, {
          limit: 8,
          leaseMs: 300,
          leaseToken: 'old-lease',
          leasedBy: 'old:1',
        }),
      );
      assert.equal(stale.length, 8);
      const fresh = dispatcher();
      await fresh.run(new AbortController().signal);
      // Before the old leases expire only the other 12 go out.
      const before = await counts(channel.id);
      assert.equal(before.sending, 8);
      await new Promise((r) => setTimeout(r, 400));
      await drain([fresh], async () => (await counts(channel.id)).delivered === res.json.queued);
      const sentHere = receiver.received.filter((_r, i) => receiver.requests[i]!.url === '/dur18');
      const ids = sentHere.flatMap((r) =>
        r.messages.map((m: Json) => m['#ops_receipt_properties'].ops_request_id),
      );
      assert.equal(ids.length, res.json.queued, 'each message sent once');
      assert.equal(new Set(ids).size, res.json.queued);
    });
  });
}

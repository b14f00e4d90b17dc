// DUR-07: a dispatcher paused past its lease loses it; another re-delivers; the late completion is
// fenced (recorded, changes nothing) and the message has exactly one `delivered` outcome.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

for (const kind of storeKinds) {
  describe(`lease fencing [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    before(async () => {
      d = await deliveryFixture(kind, { TOUCHPOINT_DELIVERY_LEASE_MARGIN_MS: '200' });
      receiver = await scriptableReceiver(() => ({ body: ok() }));
      await d.users([{ userId: 'u-1' }]);
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    test('DUR-07 the paused worker’s completion updates nothing; the second worker’s delivery stands', async () => {
      const channel = await d.channel(`${receiver.origin}/hook`, { timeout_s: 1 });
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'C' },
        recipients: [{ id_type: 'user_id', id: 'u-1' }],
      });
      assert.equal(res.statusCode, 202);
      const deps = d.f.t.deps;
      const options = {
        retrySchedule: [50],
        concurrency: 4,
        channelConcurrency: 2,
        pollMs: 20,
        leaseMarginMs: 200,
        drainMs: 5000,
        unhealthyAfterMs: 3_600_000,
        unhealthyFailures: 5,
      };
      const logger = createLogger('silent');
      const make = (pause?: number) =>
        new Dispatcher({
          store: deps.store,
          channels: deps.channels,
          client: deps.outbound,
          logger,
          options: { ...options, ...(pause ? { testPauseBeforeCompleteMs: pause } : {}) },
        });
      // Lease = 1 s timeout + 200 ms; the first worker pauses 2.5 s before completing.
      const slow = make(2500);
      const fast = make();
      // The slow worker claims once, then is told to stop claiming (it still finishes its request).
      const stopSlow = new AbortController();
      const slowRun = slow.run(stopSlow.signal);
      for (let i = 0; receiver.received.length === 0; i += 1) {
        if (i > 500) throw new Error('the first worker never sent');
        await new Promise((r) => setTimeout(r, 10));
      }
      stopSlow.abort();
      await new Promise((r) => setTimeout(r, 1400));
      await fast.run(new AbortController().signal);
      await slowRun;
      const ids = receiver.ids();
      assert.equal(ids.length, 2, 'sent twice: once per lease');
      assert.equal(ids[0], ids[1], 'with the same ops_request_id');
      const detail = await d.message(ids[0]!);
      assert.equal(detail.message.state, 'delivered');
      assert.equal(detail.attempts.length, 2);
      const late = detail.attempts.filter((a: { late: boolean }) => a.late);
      assert.equal(late.length, 1, 'one late (fenced) completion');
      assert.equal(
        detail.attempts.filter(
          (a: { late: boolean; outcome: string }) => !a.late && a.outcome === 'delivered',
        ).length,
        1,
      );
    });
  });
}

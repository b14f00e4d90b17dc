// Issue 16 metrics: queue depth by channel and state (read from the database at each scrape),
// rate-limit waits, and docs/metrics.md naming exactly the touchpoint_* metrics /metrics exports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { storeKinds } from '../support/stores.ts';
import { deliveryFixture, ok, scriptableReceiver, type DeliveryFixture } from './support/delivery-fixture.ts';
import type { ScriptableReceiver } from './support/delivery-fixture.ts';

for (const kind of storeKinds) {
  describe(`delivery metrics [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver(() => ({ body: ok() }));
      await d.users(['m-1', 'm-2', 'm-3'].map((userId) => ({ userId })));
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });
    const scrape = async () => (await d.f.t.app.inject({ url: '/metrics' })).body;
    const value = (body: string, series: string) =>
      Number(
        body
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')
          .at(-1) ?? Number.NaN,
      );

    test('queue depth by channel and state at each scrape; rate-limit waits counted', async () => {
      const channel = await d.channel(`${receiver.origin}/m`, { batch_size: 1, rate_limit: 5 });
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'C' },
        recipients: ['m-1', 'm-2', 'm-3'].map((id) => ({ id_type: 'user_id', id })),
      });
      assert.equal(res.statusCode, 202);
      const queued = await scrape();
      assert.equal(
        value(queued, `touchpoint_delivery_queue_messages{channel="${channel.id}",state="queued"}`),
        3,
      );
      const waitsBefore = value(queued, 'touchpoint_delivery_rate_limit_waits_total');
      await d.deliverUntil(() => receiver.received.filter((r) => r.path === '/m').length === 3);
      await d.deliverUntil(async () => !(await scrape()).includes(`channel="${channel.id}"`));
      const done = await scrape();
      // At 5 per second, the second and third requests waited for their starts.
      assert.ok(value(done, 'touchpoint_delivery_rate_limit_waits_total') - waitsBefore >= 2);
      assert.ok(value(done, 'touchpoint_delivery_rate_limit_wait_seconds_total') > 0);
      assert.equal(value(done, 'touchpoint_delivery_lease_losses_total'), 0);
    });

    test('docs/metrics.md names exactly the touchpoint_* metrics of /metrics', async () => {
      const exported = new Set(
        [...(await scrape()).matchAll(/^# HELP (touchpoint_\w+)/gm)]
          .map((m) => m[1] as string)
          .filter((n) => !n.startsWith('touchpoint_process_')),
      );
      const documented = new Set(
        [...readFileSync('docs/metrics.md', 'utf8').matchAll(/^\| `(touchpoint_\w+)`/gm)].map(
          (m) => m[1] as string,
        ),
      );
      assert.deepEqual(
        [...exported].filter((n) => !documented.has(n)),
        [],
        'exported but not documented',
      );
      assert.deepEqual(
        [...documented].filter((n) => !exported.has(n)),
        [],
        'documented but not exported',
      );
    });
  });
}

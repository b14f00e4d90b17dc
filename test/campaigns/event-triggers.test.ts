// Issue 20 item 1: event-triggered campaigns. Events ingested through /v1/batch fire a listening
// campaign from the committed event log (the profile applier records a fire per matching event in
// its window transaction); the trigger worker sends due fires through the audience, the "unless"
// event, the one send gate and the shared renderer with `event.<property>` variables — on both
// databases, counting messages and skip reasons exactly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectScope } from '../../src/access/scope.ts';
import { MessageRetention } from '../../src/delivery/message-retention.ts';
import {
  deliveryFixture,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from '../delivery/support/delivery-fixture.ts';
import { storeKinds } from '../support/stores.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MINUTE = 60_000;

for (const kind of storeKinds) {
  describe(`event-triggered campaigns [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    let channelId: string;
    let sourceKey: string;
    let n = 0;
    const ws = () => `/workspaces/${d.workspaceId}`;
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: Json) => {
      const res = await d.f.as('adminA', d.f.a, {
        method,
        url: `${d.base}${url}`,
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, json: (res.body ? res.json() : {}) as Json, body: res.body };
    };
    const track = async (events: { userId: string; event: string; properties?: Json }[]) => {
      const res = await d.f.t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: `Basic ${Buffer.from(`${sourceKey}:`).toString('base64')}` },
        payload: {
          batch: events.map((e) => ({ type: 'track', messageId: `et-${(n += 1)}`, properties: {}, ...e })),
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      await d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
    };
    const triggers = () => d.f.t.deps.eventTriggers;
    /** Sends every fire due by `asOf` (default now). */
    const sendDue = async (asOf?: number) => {
      while ((await triggers().sendDue(asOf)) > 0);
    };
    /** Creates, submits and publishes a campaign, and lets the scheduler start its run. */
    const launch = async (body: Json) => {
      const created = await call('POST', `${ws()}/campaigns`, {
        channel_id: channelId,
        template_values: { title: 'Hi', content: 'Hello' },
        ...body,
      });
      assert.equal(created.status, 201, created.body);
      const id = created.json.id as string;
      assert.equal((await call('POST', `${ws()}/campaigns/${id}/submit`)).status, 200);
      const published = await call('POST', `${ws()}/campaigns/${id}/publish`);
      assert.equal(published.status, 200, published.body);
      await d.f.t.deps.campaignRunner.fireDue();
      return id;
    };
    const runOf = async (id: string) =>
      (await call('GET', `${ws()}/campaigns/${id}/runs`)).json.items[0] as Json;
    /** Messages received for a campaign (by its task id), as pushId → contents. */
    const receivedFor = (id: string) =>
      receiver.received
        .flatMap((r) => r.messages)
        .filter((m) => m['#ops_receipt_properties'].ops_task_id === id)
        .map((m) => ({ pushId: String(m.push_id), content: String(m.params?.content ?? '') }));
    const deliverAll = async () => {
      const scope = projectScope(d.f.a.project.id);
      await d.deliverUntil(async () =>
        (await d.f.t.deps.store.delivery.list(scope, { state: 'queued' }, { limit: 1000 })).every(
          (m) => m.nextAttemptAt > Date.now(),
        ),
      );
    };
    const stop = async (id: string) =>
      assert.equal((await call('POST', `${ws()}/campaigns/${id}/stop`)).status, 200);

    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver();
      await d.users([
        { userId: 'e-1', traits: { vip: true } },
        { userId: 'e-2', traits: { vip: false } },
        { userId: 'e-3', traits: { vip: true } },
      ]);
      channelId = (await d.channel(`${receiver.origin}/events`)).id;
      const app = (await call('POST', '/apps', { name: 'Shop', app_type: 'app' })).json;
      const source = (
        await call('POST', '/sources', {
          name: 'Shop server',
          app_id: app.id,
          platforms: [{ platform: 'android' }],
        })
      ).json;
      sourceKey = source.credentials.app_key;
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    test('ET-01: event triggers are validated with coded errors naming the bad part', async () => {
      const bad = async (trigger: Json, extra: Json = {}) => {
        const res = await call('POST', `${ws()}/campaigns`, { name: 'Bad', trigger, ...extra });
        assert.equal(res.status, 400, res.body);
        return res.json.error as Json;
      };
      assert.equal((await bad({ type: 'event', event: '' })).code, 'TP_ERR_VALIDATION');
      assert.equal(
        (await bad({ type: 'event', event: 'Paid', delay_minutes: 43_201 })).code,
        'TP_ERR_VALIDATION',
      );
      assert.equal(
        (await bad({ type: 'event', event: 'Paid', unless: { event: 'Refunded', within_minutes: 0 } })).code,
        'TP_ERR_VALIDATION',
      );
      const filter = await bad({
        type: 'event',
        event: 'Paid',
        filters: [{ type: 'property', property: 'price', operator: 'bogus', value: 1 }],
      });
      assert.ok(
        JSON.stringify(filter.details).includes('/trigger/filters/0'),
        `names the filter: ${JSON.stringify(filter)}`,
      );
      const order = await bad({
        type: 'event',
        event: 'Paid',
        start_at: '2027-02-01T00:00:00Z',
        end_at: '2027-01-01T00:00:00Z',
      });
      assert.deepEqual(
        order.details.issues.map((i: Json) => i.path),
        ['/trigger/end_at'],
      );
      // event.<property> variables need an event trigger.
      const variable = await bad(
        { type: 'now' },
        {
          channel_id: channelId,
          template_values: { title: 'Hi', content: 'You left ${item}' },
          variables: [{ name: 'item', source: 'event.sku' }],
        },
      );
      assert.deepEqual(
        variable.details.issues.map((i: Json) => [i.path, i.rule]),
        [['/variables/0/source', 'event_source']],
      );
    });

    test('ET-02: a matching event fires once, rendered with the event’s properties; others and earlier events do not', async () => {
      // Before the campaign listens: history never fires.
      await track([{ userId: 'e-1', event: 'Added To Cart', properties: { price: 500, sku: 'OLD' } }]);
      const id = await launch({
        name: 'Cart follow-up',
        trigger: {
          type: 'event',
          event: 'Added To Cart',
          filters: [{ type: 'property', property: 'price', operator: 'greater_than', value: 100 }],
        },
        template_values: { title: 'Still thinking?', content: 'You left ${item} (${price})' },
        variables: [
          { name: 'item', source: 'event.sku' },
          { name: 'price', source: 'event.price', default: '?' },
        ],
      });
      const campaign = (await call('GET', `${ws()}/campaigns/${id}`)).json;
      assert.equal(campaign.state, 'running');
      assert.equal(campaign.trigger.delay_minutes, 0);
      assert.equal((await runOf(id)).state, 'listening');

      await track([
        { userId: 'e-1', event: 'Added To Cart', properties: { price: 150, sku: 'SKU-A' } },
        { userId: 'e-2', event: 'Added To Cart', properties: { price: 50, sku: 'SKU-B' } },
        { userId: 'e-3', event: 'Viewed Cart', properties: { price: 900, sku: 'SKU-C' } },
        { userId: 'e-3', event: 'Added To Cart', properties: { price: '900', sku: 'SKU-D' } },
      ]);
      await sendDue();
      await deliverAll();
      assert.deepEqual(receivedFor(id), [{ pushId: 'e-1', content: 'You left SKU-A (150)' }]);
      // Applying and sending again finds nothing new: one event, one message.
      await d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
      await sendDue();
      await deliverAll();
      assert.equal(receivedFor(id).length, 1);
      const run = await runOf(id);
      assert.deepEqual(
        [run.state, run.fired, run.processed, run.queued, run.excluded, run.counts.delivered],
        ['listening', 1, 1, 1, 0, 1],
        JSON.stringify(run),
      );
      await stop(id);
    });

    test('ET-03: a delay holds the fire until due; Stop cancels fires still waiting', async () => {
      const id = await launch({
        name: 'Ten minutes later',
        trigger: { type: 'event', event: 'Signed Up', delay_minutes: 10 },
      });
      await track([
        { userId: 'e-1', event: 'Signed Up' },
        { userId: 'e-2', event: 'Signed Up' },
      ]);
      await sendDue();
      assert.equal((await runOf(id)).queued, 0, 'nothing is due yet');
      await sendDue(Date.now() + 11 * MINUTE);
      await deliverAll();
      assert.deepEqual(
        receivedFor(id)
          .map((m) => m.pushId)
          .sort(),
        ['e-1', 'e-2'],
      );

      await track([{ userId: 'e-3', event: 'Signed Up' }]);
      const stopped = await call('POST', `${ws()}/campaigns/${id}/stop`);
      assert.equal(stopped.status, 200, stopped.body);
      await sendDue(Date.now() + 11 * MINUTE);
      await deliverAll();
      assert.deepEqual(
        receivedFor(id)
          .map((m) => m.pushId)
          .sort(),
        ['e-1', 'e-2'],
        'e-3 is cancelled',
      );
      const audit = (await call('GET', '/audit?limit=50')).json.items as Json[];
      const entry = audit.find((e) => e.action === 'campaign.stopped' && e.target.id === id);
      assert.equal(entry?.details.fires_cancelled, 1, JSON.stringify(entry));
      assert.equal((await runOf(id)).state, 'stopped');
    });

    test('ET-04: "unless" with the same cart_id: an abandoned cart gets the message, a completed one does not', async () => {
      const id = await launch({
        name: 'Abandoned cart',
        trigger: {
          type: 'event',
          event: 'Checkout Started',
          unless: { event: 'Order Completed', within_minutes: 60, same: ['cart_id'] },
        },
        template_values: { title: 'Forgot something?', content: 'Cart ${cart}' },
        variables: [{ name: 'cart', source: 'event.cart_id' }],
      });
      await track([
        { userId: 'e-1', event: 'Checkout Started', properties: { cart_id: 'c1' } },
        { userId: 'e-2', event: 'Checkout Started', properties: { cart_id: 'c2' } },
        { userId: 'e-3', event: 'Checkout Started', properties: { cart_id: 'c3' } },
      ]);
      await track([
        { userId: 'e-1', event: 'Order Completed', properties: { cart_id: 'c1' } },
        // Another cart's order does not cancel c2.
        { userId: 'e-2', event: 'Order Completed', properties: { cart_id: 'c9' } },
      ]);
      await sendDue(Date.now() + 30 * MINUTE);
      assert.equal((await runOf(id)).queued, 0, 'the message waits out the "unless" window');
      await sendDue(Date.now() + 61 * MINUTE);
      await deliverAll();
      assert.deepEqual(
        receivedFor(id)
          .map((m) => `${m.pushId}:${m.content}`)
          .sort(),
        ['e-2:Cart c2', 'e-3:Cart c3'],
      );
      const run = await runOf(id);
      assert.deepEqual([run.fired, run.processed, run.excluded], [3, 2, 1], JSON.stringify(run));
      await stop(id);
    });

    test('ET-05: an audience narrows who the event reaches; the campaign cap and the suppression list hold', async () => {
      const audience = await call('POST', `${ws()}/audiences`, {
        name: 'Event VIPs',
        conditions: {
          type: 'group',
          combinator: 'and',
          conditions: [{ type: 'property', property: 'vip', operator: 'is_true' }],
        },
      });
      assert.equal(audience.status, 201, audience.body);
      const id = await launch({
        name: 'VIP purchase thanks',
        audience_id: audience.json.id,
        trigger: { type: 'event', event: 'Purchased' },
        frequency_cap: { count: 1, period_hours: 24 },
      });
      const suppressed = await call('POST', '/suppressions', { id_type: 'user_id', value: 'e-3' });
      assert.equal(suppressed.status, 201, suppressed.body);
      try {
        await track([
          { userId: 'e-1', event: 'Purchased' },
          { userId: 'e-1', event: 'Purchased' },
          { userId: 'e-2', event: 'Purchased' },
          { userId: 'e-3', event: 'Purchased' },
        ]);
        await sendDue();
        await deliverAll();
        assert.deepEqual(
          receivedFor(id).map((m) => m.pushId),
          ['e-1'],
        );
        const run = await runOf(id);
        assert.deepEqual(
          [run.fired, run.processed, run.excluded, run.capped, run.suppressed],
          [4, 1, 1, 1, 1],
          JSON.stringify(run),
        );
      } finally {
        await call('DELETE', `/suppressions/${suppressed.json.id}`);
        await stop(id);
      }
    });

    test('ET-06: paused, the fires wait; resumed, they send; events after the end never fire and the run completes', async () => {
      const endAt = Date.now() + 3000;
      const id = await launch({
        name: 'Short window',
        trigger: { type: 'event', event: 'Level Up', end_at: new Date(endAt).toISOString() },
      });
      assert.equal((await call('POST', `${ws()}/campaigns/${id}/pause`)).status, 200);
      await track([{ userId: 'e-1', event: 'Level Up' }]);
      await sendDue();
      assert.equal(receivedFor(id).length, 0, 'paused: nothing sent');
      assert.equal((await call('POST', `${ws()}/campaigns/${id}/resume`)).status, 200);
      await sendDue();
      await deliverAll();
      assert.deepEqual(
        receivedFor(id).map((m) => m.pushId),
        ['e-1'],
      );

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, endAt - Date.now() + 50)));
      await track([{ userId: 'e-2', event: 'Level Up' }]);
      const runner = d.f.t.deps.campaignRunner;
      await runner.fireDue();
      await sendDue();
      await runner.completeRuns();
      await runner.fireDue();
      assert.deepEqual(
        receivedFor(id).map((m) => m.pushId),
        ['e-1'],
        'after the end: no fire',
      );
      const run = await runOf(id);
      assert.deepEqual([run.state, run.fired], ['completed', 1], JSON.stringify(run));
      const campaign = (await call('GET', `${ws()}/campaigns/${id}`)).json;
      assert.equal(campaign.state, 'completed');
    });

    test('ET-07: erasing a user removes their waiting fires and the event properties they hold', async () => {
      const id = await launch({
        name: 'Tomorrow',
        trigger: { type: 'event', event: 'Wishlisted', delay_minutes: 1440 },
      });
      await d.users([{ userId: 'e-erase', traits: { vip: true } }]);
      await track([{ userId: 'e-erase', event: 'Wishlisted', properties: { note: 'erase-me-7c1' } }]);
      const scope = projectScope(d.f.a.project.id);
      const run = await runOf(id);
      assert.equal(await d.f.t.deps.store.fires.pending(scope, run.id), 1);
      const profile = (await call('GET', '/profiles?id_type=user_id&value=e-erase')).json.items[0] as Json;
      const erased = await call('DELETE', `/profiles/${profile.tp_uid}`);
      assert.equal(erased.status, 200, erased.body);
      assert.equal(await d.f.t.deps.store.fires.pending(scope, run.id), 0);
      await sendDue(Date.now() + 1441 * MINUTE);
      assert.equal(receivedFor(id).length, 0);
      await stop(id);
    });

    test('ET-09: a profile with many fires is sent in rounds within one batch, without holding up the others', async () => {
      const id = await launch({ name: 'Every click', trigger: { type: 'event', event: 'Clicked' } });
      await track([
        ...Array.from({ length: 20 }, () => ({ userId: 'e-2', event: 'Clicked' })),
        { userId: 'e-3', event: 'Clicked' },
      ]);
      assert.equal(await triggers().sendDue(), 21, 'one claim takes every due fire');
      const run = await runOf(id);
      assert.deepEqual([run.fired, run.processed, run.queued], [21, 21, 21], JSON.stringify(run));
      assert.equal(await triggers().sendDue(), 0);
      await stop(id);
    });

    test('ET-08: retention removes fires that ended before the period and keeps waiting ones', async () => {
      const id = await launch({
        name: 'Next week',
        trigger: { type: 'event', event: 'Reviewed', delay_minutes: 10_080 },
      });
      await track([{ userId: 'e-1', event: 'Reviewed' }]);
      const scope = projectScope(d.f.a.project.id);
      const run = await runOf(id);
      const retention = new MessageRetention({
        store: d.f.t.deps.store,
        logger: d.f.t.deps.logger,
        options: { retentionMs: 30 * 24 * 60 * MINUTE },
        now: () => Date.now() + 31 * 24 * 60 * MINUTE,
      });
      const report = await retention.prune();
      assert.ok(report.fires >= 10, `the earlier tests' ended fires go: ${JSON.stringify(report)}`);
      assert.equal(await d.f.t.deps.store.fires.pending(scope, run.id), 1, 'the waiting fire stays');
      assert.equal((await retention.prune()).fires, 0);
      await stop(id);
    });
  });
}

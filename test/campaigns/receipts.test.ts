// Issue 21 item 1: receipts through Touchpoint's own ingest. A customer's app reports a step of
// a message (opened, clicked) with an event carrying the message's `#ops_receipt_properties`,
// built with the receiver kit's helpers and sent through the real Segment and ThinkingData SDKs.
// Each counts once per message and step, also when it arrives before the message is recorded as
// delivered; a receipt sent to another project, or naming no message, counts nowhere — on both
// databases.
process.env.TZ = 'UTC'; // thinkingdata-node writes #time in this process's local zone
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import * as thinkingdata from 'thinkingdata-node';
import { segmentReceipt, thinkingDataReceipt } from '../../packages/receiver-kit/src/index.ts';
import { projectScope } from '../../src/access/scope.ts';
import {
  deliveryFixture,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from '../delivery/support/delivery-fixture.ts';
import { storeKinds } from '../support/stores.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function teFlush(client: { flush(callback?: (error?: Error) => void): void }): Promise<void> {
  return new Promise((resolve, reject) =>
    client.flush((error?: Error) => (error ? reject(error) : resolve())),
  );
}

for (const kind of storeKinds) {
  describe(`receipts [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    let url: string;
    let keyA: string;
    let keyB: string;
    /** push_id → the message as the receiver got it. */
    const delivered = new Map<string, Json>();
    let sendId: string;
    let channelId: string;

    const sourceKey = async (as: 'adminA' | 'adminB', project: DeliveryFixture['f']['a']) => {
      const base = `/api/v1/projects/${project.project.id}`;
      const app = (
        await d.f.as(as, project, {
          method: 'POST',
          url: `${base}/apps`,
          payload: { name: 'App', app_type: 'app' },
        })
      ).json();
      const source = await d.f.as(as, project, {
        method: 'POST',
        url: `${base}/sources`,
        payload: { name: 'App server', app_id: app.id, platforms: [{ platform: 'android' }] },
      });
      assert.equal(source.statusCode, 201, source.body);
      return source.json().credentials.app_key as string;
    };
    const receiptsOf = async (opsRequestId: string) =>
      (await d.f.as('adminA', d.f.a, { url: `${d.base}/messages/${opsRequestId}` })).json()
        .receipts as Json[];

    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver();
      await d.users([{ userId: 'rc-1' }, { userId: 'rc-2' }, { userId: 'rc-3' }]);
      const channel = await d.channel(`${receiver.origin}/receipts`);
      channelId = channel.id;
      const sent = await d.send({
        channel_id: channel.id,
        template_values: { title: 'Hi', content: 'Hello' },
        recipients: ['rc-1', 'rc-2', 'rc-3'].map((id) => ({ id_type: 'user_id', id })),
      });
      assert.equal(sent.statusCode, 202, JSON.stringify(sent.json));
      sendId = sent.json.send_id;
      await d.deliverUntil(() => receiver.ids().length === 3);
      for (const m of receiver.received.flatMap((r) => r.messages)) delivered.set(String(m.push_id), m);
      await d.f.t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = d.f.t.app.server.address() as { port: number };
      url = `http://127.0.0.1:${address.port}`;
      keyA = await sourceKey('adminA', d.f.a);
      keyB = await sourceKey('adminB', d.f.b);
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    test('RCPT-01: receipts through the Segment and ThinkingData SDKs count once per message and step', async () => {
      const one = delivered.get('rc-1')!;
      const two = delivered.get('rc-2')!;
      const segment = new SegmentAnalytics({ writeKey: keyA, host: url, maxRetries: 0, flushInterval: 20 });
      // Opened twice (the app reported it again), then clicked.
      segment.track(segmentReceipt(one, 'ops_push_open', { userId: 'rc-1' }));
      segment.track(segmentReceipt(one, 'ops_push_open', { userId: 'rc-1' }, { again: true }));
      segment.track(segmentReceipt(one, 'ops_push_click', { userId: 'rc-1' }, { button: 'play' }));
      await segment.closeAndFlush({ timeout: 10_000 });
      const te = thinkingdata.initWithBatchMode(keyA, url, { batchSize: 100, compress: true });
      te.track(thinkingDataReceipt(two, 'ops_push_open', { accountId: 'rc-2' }));
      await teFlush(te);
      await d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });

      const id = (m: Json) => String(m['#ops_receipt_properties'].ops_request_id);
      assert.deepEqual(
        (await receiptsOf(id(one))).map((r) => r.step),
        ['ops_push_open', 'ops_push_click'],
      );
      assert.deepEqual(
        (await receiptsOf(id(two))).map((r) => r.step),
        ['ops_push_open'],
      );
      const counts = await d.f.t.deps.store.receipts.countSteps(projectScope(d.f.a.project.id), { sendId });
      assert.deepEqual(Object.fromEntries(counts), { ops_push_open: 2, ops_push_click: 1 });
    });

    test('RCPT-02: a receipt that arrives before the message is recorded as delivered still counts', async () => {
      const sent = await d.send({
        channel_id: channelId,
        template_values: { title: 'Later', content: 'Not yet delivered' },
        recipients: [{ id_type: 'user_id', id: 'rc-3' }],
      });
      const [message] = (
        await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?send_id=${sent.json.send_id}` })
      ).json().items as Json[];
      assert.equal(message!.state, 'queued');
      // The app learned the id some other way (say, a push that raced the answer): it reports.
      const batch = await d.f.t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: `Basic ${Buffer.from(`${keyA}:`).toString('base64')}` },
        payload: {
          batch: [
            {
              type: 'track',
              userId: 'rc-3',
              event: 'ops_push_open',
              messageId: 'early-1',
              properties: { '#ops_receipt_properties': { ops_request_id: message!.ops_request_id } },
            },
          ],
        },
      });
      assert.equal(batch.statusCode, 200, batch.body);
      await d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
      assert.deepEqual(
        (await receiptsOf(message!.ops_request_id)).map((r) => r.step),
        ['ops_push_open'],
      );
      await d.deliverUntil(
        async () => (await d.message(message!.ops_request_id)).message.state === 'delivered',
      );
      assert.equal((await receiptsOf(message!.ops_request_id)).length, 1);
    });

    test('RCPT-03: a campaign’s conversion event by the same profile within its days converts its message once', async () => {
      const ws = `${d.base}/workspaces/${d.workspaceId}/campaigns`;
      const call = async (method: 'POST' | 'GET', url: string, payload?: Json) =>
        (await d.f.as('adminA', d.f.a, { method, url, ...(payload ? { payload } : {}) })).json();
      const campaign = await call('POST', ws, {
        name: 'Browse then buy',
        channel_id: channelId,
        template_values: { title: 'Hi', content: 'Come back' },
        trigger: { type: 'event', event: 'Browsed' },
        conversion: { event: 'Purchased', within_days: 3 },
      });
      await call('POST', `${ws}/${campaign.id}/submit`);
      await call('POST', `${ws}/${campaign.id}/publish`);
      await d.f.t.deps.campaignRunner.fireDue();
      const post = async (events: Json[]) => {
        const res = await d.f.t.app.inject({
          method: 'POST',
          url: '/v1/batch',
          headers: { authorization: `Basic ${Buffer.from(`${keyA}:`).toString('base64')}` },
          payload: { batch: events },
        });
        assert.equal(res.statusCode, 200, res.body);
        await d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
      };
      await post([
        { type: 'track', userId: 'rc-1', event: 'Browsed', messageId: 'cv-1' },
        { type: 'track', userId: 'rc-2', event: 'Browsed', messageId: 'cv-2' },
      ]);
      while ((await d.f.t.deps.eventTriggers.sendDue()) > 0);
      await post([
        // Bought twice: one conversion. rc-2's purchase happened before the message; rc-3 got none.
        { type: 'track', userId: 'rc-1', event: 'Purchased', messageId: 'cv-3' },
        { type: 'track', userId: 'rc-1', event: 'Purchased', messageId: 'cv-4' },
        {
          type: 'track',
          userId: 'rc-2',
          event: 'Purchased',
          messageId: 'cv-5',
          timestamp: new Date(Date.now() - 3_600_000).toISOString(),
        },
        { type: 'track', userId: 'rc-3', event: 'Purchased', messageId: 'cv-6' },
      ]);
      const scope = projectScope(d.f.a.project.id);
      const counts = await d.f.t.deps.store.receipts.countSteps(scope, { campaignId: campaign.id });
      assert.deepEqual(Object.fromEntries(counts), { $converted: 1 });
      const [toOne] = (await call('GET', `${d.base}/messages?campaign_id=${campaign.id}&push_id=rc-1`))
        .items as Json[];
      assert.deepEqual(
        (await receiptsOf(toOne!.ops_request_id)).map((r) => r.step),
        ['$converted'],
      );
      await call('POST', `${ws}/${campaign.id}/stop`);
    });

    test('RCPT-MT: a receipt sent to another project, or naming no message, counts nowhere', async () => {
      const three = delivered.get('rc-3')!;
      const segment = new SegmentAnalytics({ writeKey: keyB, host: url, maxRetries: 0, flushInterval: 20 });
      segment.track(segmentReceipt(three, 'ops_push_open', { userId: 'rc-3' }));
      await segment.closeAndFlush({ timeout: 10_000 });
      const own = new SegmentAnalytics({ writeKey: keyA, host: url, maxRetries: 0, flushInterval: 20 });
      own.track(
        segmentReceipt(
          {
            '#ops_receipt_properties': {
              ...three['#ops_receipt_properties'],
              ops_request_id: 'no-such-message',
            },
          },
          'ops_push_open',
          { userId: 'rc-3' },
        ),
      );
      await own.closeAndFlush({ timeout: 10_000 });
      await d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
      assert.deepEqual(await receiptsOf(String(three['#ops_receipt_properties'].ops_request_id)), []);
      const counts = await d.f.t.deps.store.receipts.countSteps(projectScope(d.f.a.project.id), { sendId });
      assert.deepEqual(Object.fromEntries(counts), { ops_push_open: 2, ops_push_click: 1 });
      assert.throws(() => segmentReceipt({} as never, 'ops_push_open', { userId: 'x' }), /ops_request_id/);
      assert.throws(() => segmentReceipt(three as never, 'ops_push_open', {}), /userId/);
    });
  });
}

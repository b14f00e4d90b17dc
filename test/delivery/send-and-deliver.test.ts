import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storeKinds } from '../support/stores.ts';
import type { Json } from '../channels/channel-fixture.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

for (const kind of storeKinds) {
  describe(`send API and delivery [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver();
      await d.users([
        { userId: 'u-1', traits: { nickname: 'Zhang San', gameuid: 'g-1' } },
        { userId: 'u-2', traits: { gameuid: 'g-2' } },
      ]);
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    test('WH-01 a send renders, queues and delivers every message once; one attempt each; counts by state', async () => {
      receiver.script = () => ({ body: ok() });
      const channel = await d.channel(`${receiver.origin}/hook`);
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'Daily', content: 'Hello ${name}!' },
        variables: [{ name: 'name', source: 'user.nickname', default: 'Player' }],
        recipients: [
          { id_type: 'user_id', id: 'u-1' },
          { id_type: 'user_id', id: 'u-2', values: { title: 'For you' } },
          { id_type: 'user_id', id: 'nobody' },
          { id_type: 'email', id: 'nobody@example.com' },
        ],
      });
      assert.equal(res.statusCode, 202, JSON.stringify(res.json));
      assert.equal(res.json.queued, 2);
      assert.deepEqual(res.json.skipped, [
        { index: 3, reason: 'not_found' },
        { index: 4, reason: 'not_found' },
      ]);
      const before = receiver.received.length;
      await d.deliverUntil(
        async () => receiver.received.length > before && (await counts(res.json.send_id)).delivered === 2,
      );
      const sent = receiver.received.slice(before).flatMap((r) => r.messages);
      assert.equal(sent.length, 2);
      assert.ok(receiver.received.slice(before).every((r) => r.signatureOk));
      const byUser = Object.fromEntries(sent.map((m: Json) => [m.push_id, m]));
      assert.equal(byUser['u-1'].params.content, 'Hello Zhang San!');
      assert.equal(byUser['u-2'].params.content, 'Hello Player!');
      assert.equal(byUser['u-2'].params.title, 'For you');
      assert.deepEqual(byUser['u-1']['#ops_receipt_properties'].ops_task_id, res.json.send_id);
      assert.equal(byUser['u-1']['#ops_receipt_properties'].ops_project_id, d.f.a.project.id);
      const detail = await d.message(byUser['u-1']['#ops_receipt_properties'].ops_request_id);
      assert.equal(detail.message.state, 'delivered');
      assert.equal(detail.message.push_id, 'u-1');
      assert.equal(detail.attempts.length, 1);
      assert.equal(detail.attempts[0].outcome, 'delivered');
      assert.equal(detail.attempts[0].status, 200);
    });

    test('delivery metrics at /metrics: requests by result and reason, messages by the state left, latency, queued', async () => {
      const metric = async () =>
        (await d.f.t.app.inject({ url: '/metrics' })).body
          .split('\n')
          .filter((l) => l.startsWith('touchpoint_delivery_'));
      const value = (lines: string[], prefix: string) =>
        Number(
          lines
            .find((l) => l.startsWith(prefix))
            ?.split(' ')
            .at(-1) ?? 0,
        );
      const before = await metric();
      const channel = await d.channel(`${receiver.origin}/hook`);
      const start = receiver.received.length;
      receiver.script = (n) => (n === start ? { status: 503, body: 'busy' } : { body: ok() });
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'C' },
        recipients: [
          { id_type: 'user_id', id: 'u-1' },
          { id_type: 'user_id', id: 'u-2' },
        ],
      });
      assert.equal(res.statusCode, 202);
      await d.deliverUntil(async () => (await counts(res.json.send_id)).delivered === 2);
      const after = await metric();
      const grew = (prefix: string) => value(after, prefix) - value(before, prefix);
      assert.equal(grew('touchpoint_delivery_requests_total{result="failure",reason="http_5xx"}'), 1);
      // Each message retries on its own jittered schedule: one request or two.
      const retries = receiver.received.length - start - 1;
      assert.ok(retries === 1 || retries === 2, `${retries} retries`);
      assert.equal(grew('touchpoint_delivery_requests_total{result="success",reason="none"}'), retries);
      assert.equal(grew('touchpoint_delivery_messages_total{state="queued"}'), 2, 'left queued for a retry');
      assert.equal(grew('touchpoint_delivery_messages_total{state="delivered"}'), 2);
      assert.equal(grew('touchpoint_delivery_request_duration_seconds_count{result="success"}'), retries);
      assert.equal(grew('touchpoint_delivery_queued_messages_total'), 2);
    });

    async function counts(sendId: string): Promise<Json> {
      const res = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/workspaces/${d.workspaceId}/sends/${sendId}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().counts;
    }
  });
}

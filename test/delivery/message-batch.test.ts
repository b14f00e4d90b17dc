import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Json } from '../channels/channel-fixture.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

// The batch an attempt travelled in (issue 17, message details): what happened to each message of
// that one request. Admins see the neighbours' ids; members limited to workspaces see the counts
// only (a batch may carry other workspaces' messages); another tenant sees nothing.

for (const kind of storeKinds) {
  describe(`a message's batch and its neighbours [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver();
      await d.users([{ userId: 'u-1' }, { userId: 'u-2' }, { userId: 'u-3' }]);
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    test('lists every message of the request with its outcome; counts only for workspace members; 404 elsewhere', async () => {
      // One request of three; the receiver refuses the second (retry_failed_items off: failed).
      receiver.script = () => ({ body: ok([{ index: 2, message: 'banned' }]) });
      const channel = await d.channel(`${receiver.origin}/hook`);
      const sent = await d.send({
        channel_id: channel.id,
        template_values: { title: 'Daily', content: 'Hello' },
        recipients: ['u-1', 'u-2', 'u-3'].map((id) => ({ id_type: 'user_id', id })),
      });
      assert.equal(sent.statusCode, 202, JSON.stringify(sent.json));
      await d.deliverUntil(() => receiver.received.length >= 1);
      const request = receiver.received[0]?.messages ?? [];
      const ids = request.map((m: Json) => String(m['#ops_receipt_properties'].ops_request_id));
      assert.equal(ids.length, 3);
      await d.deliverUntil(async () => (await d.message(ids[2] as string)).message.state === 'delivered');
      const detail = await d.message(ids[0] as string);
      const batchId = String(detail.attempts[0].batch_id);
      const path = `${d.base}/messages/${ids[0]}/batches/${batchId}`;

      const asAdmin = await d.f.as('adminA', d.f.a, { url: path });
      assert.equal(asAdmin.statusCode, 200, asAdmin.body);
      const batch = asAdmin.json();
      assert.equal(batch.batch_id, batchId);
      assert.equal(batch.size, 3);
      assert.deepEqual(batch.outcomes, { delivered: 2, failed: 1 });
      assert.deepEqual(
        batch.items.map((i: Json) => [i.ops_request_id, i.outcome]).sort(),
        [
          [ids[0], 'delivered'],
          [ids[1], 'failed'],
          [ids[2], 'delivered'],
        ].sort(),
      );

      const asMember = await d.f.as('wsAdminA', d.f.a, { url: path });
      assert.equal(asMember.statusCode, 200, asMember.body);
      assert.equal(asMember.json().size, 3);
      assert.deepEqual(asMember.json().items, []);

      // A batch the message did not travel in is not found, even when it exists.
      const other = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/messages/${ids[0]}/batches/not-a-batch`,
      });
      assert.equal(other.statusCode, 404);
      const foreign = await d.f.as('adminB', d.f.b, {
        url: `/api/v1/projects/${d.f.b.project.id}/messages/${ids[0]}/batches/${batchId}`,
      });
      assert.equal(foreign.statusCode, 404);
    });
  });
}

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

for (const kind of storeKinds) {
  describe(`holds, health and replay [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    before(async () => {
      d = await deliveryFixture(kind, {
        TOUCHPOINT_DELIVERY_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms',
        TOUCHPOINT_DELIVERY_UNHEALTHY_AFTER_MS: '250',
        TOUCHPOINT_DELIVERY_UNHEALTHY_FAILURES: '2',
      });
      receiver = await scriptableReceiver();
      await d.users(['u-1', 'u-2', 'u-3'].map((userId) => ({ userId })));
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    async function sendTo(channelId: string, users: string[]) {
      const res = await d.send({
        channel_id: channelId,
        template_values: { title: 'T', content: 'C' },
        recipients: users.map((id) => ({ id_type: 'user_id', id })),
      });
      assert.equal(res.statusCode, 202, JSON.stringify(res.json));
      const listed = await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?send_id=${res.json.send_id}` });
      return listed.json().items.map((m: Json) => m.ops_request_id as string) as string[];
    }
    const stateOf = async (id: string) => (await d.message(id)).message.state as string;
    const post = (url: string, payload?: Json) =>
      d.f.as('adminA', d.f.a, { method: 'POST', url: `${d.base}${url}`, ...(payload ? { payload } : {}) });
    const health = async (channelId: string) =>
      (await d.f.as('adminA', d.f.a, { url: `${d.base}/channels/${channelId}/health` })).json();

    test('WH-04 a 410 marks the channel unhealthy (reason gone) and holds its messages; Resume re-queues and delivers them', async () => {
      const channel = await d.channel(`${receiver.origin}/gone`);
      const [first] = await sendTo(channel.id, ['u-1']);
      receiver.script = () => ({ status: 410, body: 'gone' });
      const start = receiver.received.length;
      await d.deliverUntil(async () => (await stateOf(first!)) === 'held');
      assert.equal(receiver.received.length - start, 1, 'no further attempts after a 410');
      const h = await health(channel.id);
      assert.equal(h.state, 'unhealthy');
      assert.equal(h.reason, 'gone');
      assert.equal(h.held, 1);
      // Messages sent meanwhile wait too.
      const [second] = await sendTo(channel.id, ['u-2']);
      await d.deliverUntil(async () => (await stateOf(second!)) === 'held');
      assert.equal(receiver.received.length - start, 1);
      receiver.script = () => ({ body: ok() });
      const viewer = await d.f.as('viewerA', d.f.a, {
        method: 'POST',
        url: `${d.base}/channels/${channel.id}/resume`,
      });
      assert.equal(viewer.statusCode, 403);
      const resumed = await post(`/channels/${channel.id}/resume`);
      assert.equal(resumed.statusCode, 200, resumed.body);
      assert.equal(resumed.json().resumed, 2);
      await d.deliverUntil(
        async () => (await stateOf(first!)) === 'delivered' && (await stateOf(second!)) === 'delivered',
      );
      assert.equal((await health(channel.id)).state, 'healthy');
      const audit = await d.f.as('adminA', d.f.a, { url: `${d.base}/audit?action=channel.resumed` });
      assert.equal(audit.json().items[0]?.action, 'channel.resumed');
    });

    test('WH-15 repeated failures past the (shrunk) window make the channel unhealthy; messages are held, not dropped', async () => {
      const channel = await d.channel(`${receiver.origin}/down`);
      const ids = await sendTo(channel.id, ['u-1', 'u-2']);
      receiver.script = () => ({ status: 500, body: 'down' });
      await d.deliverUntil(async () => (await health(channel.id)).state === 'unhealthy');
      await d.deliverUntil(async () => {
        const states = await Promise.all(ids.map(stateOf));
        return states.every((s) => s === 'held');
      });
      const start = receiver.received.length;
      await d.f.t.deps.dispatcher.run(new AbortController().signal);
      assert.equal(receiver.received.length, start, 'held messages are not sent');
      assert.equal((await health(channel.id)).reason, 'failing');
    });

    test('WH-21 disabling a channel holds its queued messages; enabling re-queues and delivers them', async () => {
      const channel = await d.channel(`${receiver.origin}/toggle`);
      receiver.script = () => ({ body: ok() });
      const [id] = await sendTo(channel.id, ['u-3']);
      const disabled = await post(`/channels/${channel.id}/disable`);
      assert.equal(disabled.statusCode, 200, disabled.body);
      const detail = await d.message(id!);
      assert.equal(detail.message.state, 'held');
      assert.equal(detail.message.held_reason, 'disabled');
      const start = receiver.received.length;
      await d.f.t.deps.dispatcher.run(new AbortController().signal);
      assert.equal(receiver.received.length, start, 'nothing sent while disabled');
      const enabled = await post(`/channels/${channel.id}/enable`);
      assert.equal(enabled.statusCode, 200, enabled.body);
      await d.deliverUntil(async () => (await stateOf(id!)) === 'delivered');
    });

    test('WH-19 "replay everything failed since T": failed and dead messages once, oldest first; delivered ones skipped', async () => {
      const channel = await d.channel(`${receiver.origin}/outage`, { retry_failed_items: false });
      const since = new Date(Date.now() - 1000).toISOString();
      // u-1 and u-3 fail by name (permanent), u-2 is delivered.
      receiver.script = (_n, messages) => ({
        body: ok(
          messages.flatMap((m: Json, i: number) =>
            m.push_id === 'u-2' ? [] : [{ index: i + 1, message: 'outage' }],
          ),
        ),
      });
      const ids = await sendTo(channel.id, ['u-1', 'u-2', 'u-3']);
      await d.deliverUntil(async () => {
        const states = await Promise.all(ids.map(stateOf));
        return states.filter((s) => s === 'failed').length === 2 && states.includes('delivered');
      });
      receiver.script = () => ({ body: ok() });
      // The preview the console shows counts exactly what replay-since selects.
      const preview = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/messages-counts?channel_id=${channel.id}&finished_since=${encodeURIComponent(since)}`,
      });
      assert.equal(preview.json().failed + preview.json().dead, 2);
      const start = receiver.received.length;
      const replay = await post('/messages/replay', { channel_id: channel.id, since });
      assert.equal(replay.statusCode, 200, replay.body);
      assert.equal(replay.json().replayed, 2);
      const again = await post('/messages/replay', { channel_id: channel.id, since });
      assert.equal(again.json().replayed, 0, 'already re-queued: not twice');
      await d.deliverUntil(async () => (await Promise.all(ids.map(stateOf))).every((s) => s === 'delivered'));
      const resent = receiver.received.slice(start).flatMap((r) => r.messages.map((m: Json) => m.push_id));
      assert.deepEqual(resent.sort(), ['u-1', 'u-3']);
      // Another project's admin cannot replay this channel (404) or read its messages.
      const foreign = await d.f.as('adminB', d.f.b, {
        method: 'POST',
        url: `/api/v1/projects/${d.f.b.project.id}/messages/replay`,
        payload: { channel_id: channel.id, since },
      });
      assert.equal(foreign.statusCode, 404);
      const foreignRead = await d.f.as('adminB', d.f.b, {
        url: `/api/v1/projects/${d.f.b.project.id}/messages/${ids[0]}`,
      });
      assert.equal(foreignRead.statusCode, 404);
    });
  });
}

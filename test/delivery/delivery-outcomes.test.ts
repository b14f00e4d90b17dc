// RELIABILITY §1.4 delivery cases against a scriptable receiver on 127.0.0.1, with the retry
// schedule shrunk by configuration (never a faked clock). Both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Json } from '../channels/channel-fixture.ts';
import { startHttp } from '../net/loopback.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

const schedule = [40, 80, 120];

for (const kind of storeKinds) {
  describe(`delivery outcomes [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    before(async () => {
      d = await deliveryFixture(kind, {
        TOUCHPOINT_DELIVERY_RETRY_SCHEDULE: schedule.map((ms) => `${ms}ms`).join(','),
        TOUCHPOINT_DELIVERY_UNHEALTHY_FAILURES: '1000',
      });
      receiver = await scriptableReceiver();
      await d.users(
        ['u-1', 'u-2', 'u-3', 'u-4', 'u-5'].map((userId) => ({ userId, traits: { nickname: userId } })),
      );
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    /** Sends to the given users on a fresh channel; answers the channel and the queued ids in user order. */
    async function sendTo(users: string[], channelOverrides: Json = {}) {
      const channel = await d.channel(`${receiver.origin}/hook`, channelOverrides);
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'C' },
        recipients: users.map((id) => ({ id_type: 'user_id', id })),
      });
      assert.equal(res.statusCode, 202, JSON.stringify(res.json));
      const listed = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/messages?send_id=${res.json.send_id}&limit=100`,
      });
      const byPush = new Map(listed.json().items.map((m: Json) => [m.push_id, m.ops_request_id]));
      return { channel, sendId: res.json.send_id as string, ids: users.map((u) => byPush.get(u) as string) };
    }

    const stateOf = async (id: string) => (await d.message(id)).message.state as string;
    const from = () => receiver.received.length;

    test('WH-02 500 three times then 200: delivered on attempt 4, same id and same body bytes each time, retries after the schedule', async () => {
      const { ids } = await sendTo(['u-1']);
      const start = from();
      receiver.script = (n) => (n - start < 3 ? { status: 500, body: 'down' } : { body: ok() });
      await d.deliverUntil(async () => (await stateOf(ids[0]!)) === 'delivered');
      const seen = receiver.received.slice(start);
      assert.equal(seen.length, 4);
      assert.ok(
        seen.every((r) => r.json === seen[0]!.json),
        'the same body bytes on every attempt',
      );
      const detail = await d.message(ids[0]!);
      assert.deepEqual(
        detail.attempts.map((a: Json) => [a.attempt, a.status, a.outcome, a.reason]),
        [
          [1, 500, 'retry', 'http_5xx'],
          [2, 500, 'retry', 'http_5xx'],
          [3, 500, 'retry', 'http_5xx'],
          [4, 200, 'delivered', null],
        ],
      );
      // Each retry waits at least its scheduled delay less the 20 % jitter.
      for (let i = 1; i < 4; i += 1) {
        const gap = seen[i]!.at - seen[i - 1]!.at;
        assert.ok(gap >= schedule[i - 1]! * 0.8 - 5, `retry ${i} came after ${gap} ms`);
      }
    });

    test('WH-18 retries exhausted: dead with the last error; WH-20 a replay makes a new attempt with the same id, flagged manual', async () => {
      const { ids } = await sendTo(['u-2']);
      const start = from();
      receiver.script = () => ({ status: 503, body: 'maintenance' });
      await d.deliverUntil(async () => (await stateOf(ids[0]!)) === 'dead');
      assert.equal(receiver.received.length - start, schedule.length + 1);
      const dead = await d.message(ids[0]!);
      assert.equal(dead.message.last_reason, 'http_5xx');
      const failedList = await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?state=dead` });
      assert.ok(failedList.json().items.some((m: Json) => m.ops_request_id === ids[0]));
      receiver.script = () => ({ body: ok() });
      const replay = await d.f.as('adminA', d.f.a, {
        method: 'POST',
        url: `${d.base}/messages/replay`,
        payload: { ops_request_ids: [ids[0]] },
      });
      assert.equal(replay.statusCode, 200, replay.body);
      assert.deepEqual(replay.json(), { replayed: 1, ops_request_ids: [ids[0]] });
      await d.deliverUntil(async () => (await stateOf(ids[0]!)) === 'delivered');
      const after = await d.message(ids[0]!);
      assert.equal(after.message.manual_replay, true);
      const last = after.attempts.at(-1);
      assert.equal(last.manual_replay, true);
      assert.equal(last.outcome, 'delivered');
      assert.equal(receiver.ids().at(-1), ids[0], 'the same ops_request_id');
      // Replaying a delivered message makes another attempt (WH-20).
      const again = await d.f.as('adminA', d.f.a, {
        method: 'POST',
        url: `${d.base}/messages/replay`,
        payload: { ops_request_ids: [ids[0]] },
      });
      assert.equal(again.json().replayed, 1);
      const count = receiver.received.length;
      await d.deliverUntil(() => receiver.received.length > count);
      await d.deliverUntil(async () => (await stateOf(ids[0]!)) === 'delivered');
      assert.equal((await d.message(ids[0]!)).attempts.length, after.attempts.length + 1);
    });

    test('WH-03 a redirect is a failure (http_3xx); its Location is never requested', async () => {
      const elsewhere = await startHttp((_req, res) => res.end(ok()));
      try {
        const { ids } = await sendTo(['u-3']);
        receiver.script = () => ({ status: 307, headers: { location: `${elsewhere.origin}/x` }, body: '' });
        await d.deliverUntil(async () => (await stateOf(ids[0]!)) === 'failed');
        const detail = await d.message(ids[0]!);
        assert.equal(detail.message.last_reason, 'http_3xx');
        assert.equal(detail.attempts.length, 1, 'a 3xx is not retried');
        assert.equal(elsewhere.connections(), 0);
      } finally {
        await elsewhere.close();
      }
    });

    test('WH-05 429 with Retry-After: the next attempt waits at least that long', async () => {
      const { ids } = await sendTo(['u-4']);
      const start = from();
      receiver.script = (n) =>
        n === start ? { status: 429, headers: { 'retry-after': '1' }, body: '' } : { body: ok() };
      await d.deliverUntil(async () => (await stateOf(ids[0]!)) === 'delivered');
      const seen = receiver.received.slice(start);
      assert.equal(seen.length, 2);
      assert.ok(seen[1]!.at - seen[0]!.at >= 990, `retried after ${seen[1]!.at - seen[0]!.at} ms`);
    });

    for (const retryFailedItems of [false, true]) {
      test(`WH-10 partial failure [2,5] with retry_failed_items ${retryFailedItems ? 'on' : 'off'}`, async () => {
        const users = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5'];
        const { ids } = await sendTo(users, { retry_failed_items: retryFailedItems });
        const start = from();
        // The first request names its 2nd and 5th messages; any later request succeeds.
        receiver.script = (n) =>
          n === start
            ? {
                body: ok([
                  { index: 2, message: 'unknown player' },
                  { index: 5, message: 'unknown player' },
                ]),
              }
            : { body: ok() };
        const first = () =>
          receiver.received[start]!.messages.map((m: Json) => m['#ops_receipt_properties'].ops_request_id);
        await d.deliverUntil(() => receiver.received.length > start);
        const failedIds = [first()[1], first()[4]] as string[];
        const deliveredIds = [first()[0], first()[2], first()[3]] as string[];
        const finalOf = retryFailedItems ? 'delivered' : 'failed';
        await d.deliverUntil(async () => {
          for (const id of failedIds) if ((await stateOf(id)) !== finalOf) return false;
          return true;
        });
        for (const id of deliveredIds) assert.equal(await stateOf(id), 'delivered');
        assert.deepEqual(new Set([...failedIds, ...deliveredIds]), new Set(ids));
        if (retryFailedItems) {
          const resent = receiver.received.slice(start + 1).flatMap((r) => r.messages);
          assert.deepEqual(
            resent.map((m: Json) => m['#ops_receipt_properties'].ops_request_id).sort(),
            [...failedIds].sort(),
            'only the two failed items are re-sent, with their original ids',
          );
        } else {
          assert.equal(receiver.received.length, start + 1, 'nothing is re-sent');
          const detail = await d.message(failedIds[0]!);
          assert.equal(detail.message.last_error, 'unknown player');
          assert.equal(detail.attempts[0].result, 'partial');
        }
      });
    }

    test('WH-27 no per-user order: a later message is not held behind an earlier one that fails; each carries the values it was sent with', async () => {
      // Decision 74: no ordering promise. The receiver orders by what the sender put in the
      // message (here its own send time in `content`) and de-duplicates by ops_request_id.
      const channel = await d.channel(`${receiver.origin}/hook`);
      const sendOne = async (title: string, sentAt: string) => {
        const res = await d.send({
          channel_id: channel.id,
          template_values: { title, content: sentAt },
          recipients: [{ id_type: 'user_id', id: 'u-4' }],
        });
        assert.equal(res.statusCode, 202, JSON.stringify(res.json));
      };
      const start = from();
      const titleOf = (m: Json) => String(m.params.title);
      // The first request fails with a 2 s Retry-After; the second message is sent meanwhile.
      receiver.script = (n) =>
        n === start ? { status: 503, body: 'busy', headers: { 'retry-after': '2' } } : { body: ok() };
      await sendOne('first', '2026-12-05 10:00:00');
      await d.deliverUntil(() => receiver.received.length > start);
      await sendOne('second', '2026-12-05 10:00:01');
      const seen = () =>
        receiver.received.slice(start).flatMap((r) => r.messages.map((m) => ({ m, at: r.at })));
      await d.deliverUntil(() => seen().filter(({ m }) => titleOf(m) === 'first').length >= 2);
      const first = seen().filter(({ m }) => titleOf(m) === 'first');
      const second = seen().filter(({ m }) => titleOf(m) === 'second');
      assert.ok(second.length >= 1);
      assert.ok(
        second[0]!.at <= first.at(-1)!.at,
        'the second message reached the receiver before the first one was delivered',
      );
      const firstId = first[0]!.m['#ops_receipt_properties'].ops_request_id;
      assert.ok(first.every(({ m }) => m['#ops_receipt_properties'].ops_request_id === firstId));
      assert.ok(first.every(({ m }) => m.params.content === '2026-12-05 10:00:00'));
      assert.equal(second[0]!.m.params.content, '2026-12-05 10:00:01');
      assert.notEqual(second[0]!.m['#ops_receipt_properties'].ops_request_id, firstId);
      await d.deliverUntil(async () => (await stateOf(firstId)) === 'delivered');
    });

    test('WH-22 a poison user does not block the others on the same channel', async () => {
      const { ids } = await sendTo(['u-1', 'u-2', 'u-3']);
      const start = from();
      // u-2's message always fails by name; the others succeed.
      receiver.script = (_n, messages) => ({
        body: ok(
          messages.flatMap((m: Json, i: number) =>
            m.push_id === 'u-2' ? [{ index: i + 1, message: 'rejected' }] : [],
          ),
        ),
      });
      await d.deliverUntil(async () => (await stateOf(ids[1]!)) === 'failed');
      assert.equal(await stateOf(ids[0]!), 'delivered');
      assert.equal(await stateOf(ids[2]!), 'delivered');
      assert.ok(receiver.received.length > start);
    });
  });
}

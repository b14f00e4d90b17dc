// Issue 17 item 1: the message log filtered by a profile named with any ID type (`id_type` +
// `id_value` on GET …/messages and …/messages-counts), resolved through the profile lookup; an
// identity nobody holds answers no messages, never an error; another project's profiles never
// match. Also: `tp_uid` as an ID type of the send API (what the console's profile picker sends).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Json } from '../channels/channel-fixture.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

for (const kind of storeKinds) {
  describe(`messages filtered by a profile of any ID type [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    let channel: Json;
    let tpUid1: string;
    let sendId: string;
    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver();
      await d.users([
        { userId: 'u-1', traits: { email: 'one@example.com' } },
        { userId: 'u-2', traits: { email: 'two@example.com' } },
        { userId: 'u-3', traits: {} },
      ]);
      channel = await d.channel(`${receiver.origin}/hook`);
      const profile = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/profiles?id_type=user_id&value=u-1`,
      });
      tpUid1 = profile.json().items[0].tp_uid;
      const sent = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'Hi' },
        recipients: [
          { id_type: 'user_id', id: 'u-1' },
          { id_type: 'email', id: 'two@example.com' },
          { id_type: 'user_id', id: 'u-3' },
        ],
      });
      assert.equal(sent.statusCode, 202, JSON.stringify(sent.json));
      sendId = sent.json.send_id;
      // A second message for u-1 (by tp_uid, as the console's profile picker sends it).
      const byTpUid = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T2', content: 'Hi again' },
        recipients: [{ id_type: 'tp_uid', id: tpUid1 }],
      });
      assert.equal(byTpUid.statusCode, 202, JSON.stringify(byTpUid.json));
      assert.equal(byTpUid.json.queued, 1);
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    const list = async (query: string, who: 'adminA' | 'adminB' = 'adminA') => {
      const res =
        who === 'adminA'
          ? await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?${query}` })
          : await d.f.as('adminB', d.f.b, { url: `/api/v1/projects/${d.f.b.project.id}/messages?${query}` });
      return { statusCode: res.statusCode, json: res.json() };
    };
    const counts = async (query: string) => {
      const res = await d.f.as('adminA', d.f.a, { url: `${d.base}/messages-counts?${query}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as Record<string, number>;
    };
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

    test('user_id, a property ID type (email) and tp_uid each find that profile’s messages, in the list and the counts', async () => {
      const byUserId = await list('id_type=user_id&id_value=u-1');
      assert.equal(byUserId.statusCode, 200);
      assert.deepEqual(
        byUserId.json.items.map((m: Json) => m.push_id),
        ['u-1', 'u-1'],
      );
      assert.ok(byUserId.json.items.every((m: Json) => m.tp_uid === tpUid1));
      assert.equal(total(await counts('id_type=user_id&id_value=u-1')), 2);

      const byEmail = await list('id_type=email&id_value=two%40example.com');
      assert.deepEqual(
        byEmail.json.items.map((m: Json) => m.push_id),
        ['u-2'],
      );
      assert.equal(total(await counts('id_type=email&id_value=two%40example.com')), 1);

      const byTpUid = await list(`id_type=tp_uid&id_value=${tpUid1}`);
      assert.equal(byTpUid.json.items.length, 2);

      // Combined with the other filters (here: the first send only).
      const oneSend = await list(`id_type=user_id&id_value=u-1&send_id=${sendId}`);
      assert.equal(oneSend.json.items.length, 1);
      assert.equal(oneSend.json.items[0].send_id, sendId);
      assert.equal(total(await counts(`id_type=user_id&id_value=u-1&send_id=${sendId}`)), 1);
    });

    test('an identity nobody holds (or an unknown ID type) answers an empty list and zero counts, not an error', async () => {
      for (const query of [
        'id_type=user_id&id_value=nobody',
        'id_type=role_id&id_value=r-1',
        'id_type=tp_uid&id_value=tp_missing',
      ]) {
        const res = await list(query);
        assert.equal(res.statusCode, 200, query);
        assert.deepEqual(res.json, { items: [], next_cursor: null }, query);
        assert.equal(total(await counts(query)), 0, query);
      }
      // An identity of one profile with the tp_uid of another: nothing.
      const other = await list(`id_type=user_id&id_value=u-2&profile=${tpUid1}`);
      assert.deepEqual(other.json.items, []);
    });

    test('id_type without id_value (or the reverse) is a coded 400 naming the missing parameter', async () => {
      for (const [query, path] of [
        ['id_type=user_id', '/id_value'],
        ['id_value=u-1', '/id_type'],
      ] as const) {
        for (const url of [`${d.base}/messages?${query}`, `${d.base}/messages-counts?${query}`]) {
          const res = await d.f.as('adminA', d.f.a, { url });
          assert.equal(res.statusCode, 400, url);
          assert.equal(res.json().error.code, 'TP_ERR_VALIDATION');
          assert.equal(res.json().error.details.issues[0].path, path);
        }
      }
    });

    test('MT: another project’s identities never match, and this project’s messages are 404 from there', async () => {
      // Project B asks its own log for A's user and A's tp_uid: nothing (not A's messages).
      for (const query of ['id_type=user_id&id_value=u-1', `id_type=tp_uid&id_value=${tpUid1}`]) {
        const res = await list(query, 'adminB');
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json.items, []);
        const c = await d.f.as('adminB', d.f.b, {
          url: `/api/v1/projects/${d.f.b.project.id}/messages-counts?${query}`,
        });
        assert.equal(total(c.json()), 0);
      }
      // Project B's admin on project A's path: 404 like a missing project.
      for (const url of [
        `${d.base}/messages?id_type=user_id&id_value=u-1`,
        `${d.base}/messages-counts?id_type=user_id&id_value=u-1`,
      ]) {
        const res = await d.f.as('adminB', d.f.b, { url });
        assert.equal(res.statusCode, 404, url);
      }
      // And B's send API cannot reach A's profile by its tp_uid.
      const bId = d.f.b.project.id;
      const foreign = await d.f.as('adminB', d.f.b, {
        method: 'POST',
        url: `/api/v1/projects/${bId}/workspaces/${d.f.b.workspaces[0].id}/sends`,
        payload: {
          channel_id: channel.id,
          template_values: { title: 'T', content: 'x' },
          recipients: [{ id_type: 'tp_uid', id: tpUid1 }],
        },
      });
      assert.equal(foreign.statusCode, 404);
    });

    test('tp_uid is reserved: a project cannot declare an ID type of that name', async () => {
      const res = await d.f.as('adminA', d.f.a, {
        method: 'PUT',
        url: `${d.base}/id-types`,
        payload: { id_types: [{ name: 'tp_uid' }] },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'TP_ERR_PROFILE_ID_TYPE_RESERVED');
    });
  });
}

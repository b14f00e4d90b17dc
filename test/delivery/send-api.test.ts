// SPEC §4.1 send API CONTRACT: validation with codes (nothing enqueued), skipped recipients,
// idempotency, permissions and tenant isolation.
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
  describe(`send API contract [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    let channel: Json;
    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver();
      await d.users([
        { userId: 'u-1', traits: { email: 'one@example.com', nickname: 'One' } },
        { userId: 'u-2', traits: { email: 'two@example.com' } },
      ]);
      channel = await d.channel(`${receiver.origin}/hook`);
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    const body = (over: Json = {}): Json => ({
      channel_id: channel.id,
      template_values: { title: 'T', content: 'Hi ${name}' },
      variables: [{ name: 'name', source: 'user.nickname', default: 'Player' }],
      recipients: [{ id_type: 'user_id', id: 'u-1' }],
      ...over,
    });
    const totalMessages = async () =>
      (await d.f.as('adminA', d.f.a, { url: `${d.base}/messages-counts` })).json() as Record<string, number>;
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

    test('recipients are resolved by any ID type and addressed by the send ID type; skipped ones carry a 1-based index and reason', async () => {
      const res = await d.send(
        body({
          recipients: [
            { id_type: 'email', id: 'two@example.com' },
            { id_type: 'email', id: 'nobody@example.com' },
            { id_type: 'user_id', id: 'u-1' },
          ],
        }),
      );
      assert.equal(res.statusCode, 202);
      assert.match(res.json.send_id, /^snd_/);
      assert.equal(res.json.queued, 2);
      assert.deepEqual(res.json.skipped, [{ index: 2, reason: 'not_found' }]);
      const listed = await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?send_id=${res.json.send_id}` });
      assert.deepEqual(
        listed
          .json()
          .items.map((m: Json) => m.push_id)
          .sort(),
        ['u-1', 'u-2'],
      );
      assert.ok(listed.json().items.every((m: Json) => m.state === 'queued'));
    });

    test('10,000 recipients in one send: resolved in batches, duplicates and mixed ID types included, each rendered with its own properties', async () => {
      const many = Array.from({ length: 1200 }, (_, i) => ({
        userId: `bulk-${i}`,
        traits: { email: `bulk-${i}@example.com`, nickname: `N${i}` },
      }));
      for (let i = 0; i < many.length; i += 400) await d.users(many.slice(i, i + 400));
      // 10,000 recipients: every bulk user by user_id and again by email, the rest unknown.
      const recipients = Array.from({ length: 10_000 }, (_, i) =>
        i < 1200
          ? { id_type: 'user_id', id: `bulk-${i}` }
          : i < 2400
            ? { id_type: 'email', id: `bulk-${i - 1200}@example.com` }
            : { id_type: 'user_id', id: `missing-${i}` },
      );
      const started = Date.now();
      const res = await d.send(body({ recipients }));
      const tookMs = Date.now() - started;
      assert.equal(res.statusCode, 202, JSON.stringify(res.json).slice(0, 300));
      assert.equal(res.json.queued, 2400);
      assert.equal(res.json.skipped.length, 7600);
      assert.deepEqual(res.json.skipped[0], { index: 2401, reason: 'not_found' });
      const listed = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/messages?send_id=${res.json.send_id}&push_id=bulk-777&limit=10`,
      });
      const items = listed.json().items as Json[];
      assert.equal(items.length, 2, 'bulk-777 by user_id and by email: two messages');
      const detail = await d.message(items[0]?.ops_request_id);
      assert.equal(detail.message.params.content, 'Hi N777');
      assert.ok(tookMs < 60_000, `took ${tookMs} ms`);
    });

    test('a recipient without a value of the send ID type is skipped with no_send_id', async () => {
      const byEmail = await d.channel(`${receiver.origin}/hook`, { send_id_type: 'phone' });
      const res = await d.send(body({ channel_id: byEmail.id }));
      assert.equal(res.statusCode, 202);
      assert.deepEqual(res.json, {
        send_id: res.json.send_id,
        queued: 0,
        skipped: [{ index: 1, reason: 'no_send_id' }],
      });
    });

    test('invalid template values, variables and recipients are coded 400s naming each path; nothing is enqueued', async () => {
      const before = sum(await totalMessages());
      const cases: [Json, string, string][] = [
        [body({ template_values: { content: 'x' } }), '/template_values/title', 'required'],
        [
          body({ template_values: { title: 'T', content: 'x', nope: 1 } }),
          '/template_values/nope',
          'unknown',
        ],
        [
          body({ template_values: { title: 'T', content: 'x', amount: 'many' } }),
          '/template_values/amount',
          'type',
        ],
        [
          body({ template_values: { title: 'T', content: 'Hi ${who}' } }),
          '/template_values/content',
          'unknown_variable',
        ],
        [
          body({ variables: [{ name: 'name', source: 'event.nickname' }] }),
          '/variables/0/source',
          'event_source',
        ],
        [
          body({
            recipients: [
              { id_type: 'user_id', id: 'u-1' },
              { id_type: 'user_id', id: 'u-2', values: { coupon: 'c99' } },
            ],
          }),
          '/recipients/1/values/coupon',
          'enum',
        ],
      ];
      for (const [payload, path, rule] of cases) {
        const res = await d.send(payload);
        assert.equal(res.statusCode, 400, `${path}: ${JSON.stringify(res.json)}`);
        assert.equal(res.json.error.code, 'TP_ERR_VALIDATION');
        assert.ok(
          res.json.error.details.issues.some((i: Json) => i.path === path && i.rule === rule),
          `${path} ${rule}: ${JSON.stringify(res.json.error.details.issues)}`,
        );
      }
      const schema = [
        body({ recipients: [] }),
        body({
          recipients: Array.from({ length: 10_001 }, (_, i) => ({ id_type: 'user_id', id: `u-${i}` })),
        }),
        body({ channel_id: undefined }),
        body({ extra: true }),
      ];
      for (const payload of schema) {
        const res = await d.send(payload);
        assert.equal(res.statusCode, 400, JSON.stringify(res.json).slice(0, 200));
        assert.equal(res.json.error.code, 'TP_ERR_VALIDATION');
      }
      assert.equal(sum(await totalMessages()), before, 'nothing enqueued');
    });

    test('the same idempotency key answers the first result again and enqueues nothing', async () => {
      const before = sum(await totalMessages());
      const first = await d.send(body({ idempotency_key: 'order-8812-shipped' }));
      assert.equal(first.statusCode, 202);
      const again = await d.send(
        body({ idempotency_key: 'order-8812-shipped', recipients: [{ id_type: 'user_id', id: 'u-2' }] }),
      );
      assert.equal(again.statusCode, 202);
      assert.deepEqual(again.json, first.json);
      assert.equal(sum(await totalMessages()), before + 1);
      const other = await d.send(body({ idempotency_key: 'order-8813-shipped' }));
      assert.notEqual(other.json.send_id, first.json.send_id);
      // Keys are per project: project B's key of the same name is its own.
      const detail = await d.f.as('adminA', d.f.a, {
        url: `${d.base}/workspaces/${d.workspaceId}/sends/${first.json.send_id}`,
      });
      assert.equal(detail.statusCode, 200);
      assert.equal(detail.json().queued, 1);
      assert.equal(
        Object.values(detail.json().counts as Record<string, number>).reduce((a, b) => a + b, 0),
        1,
      );
    });

    test('permissions: a viewer is refused (campaign.operate), an operator needs a usage grant, a disabled channel is 409', async () => {
      const url = `${d.base}/workspaces/${d.workspaceId}/sends`;
      const viewer = await d.f.as('viewerA', d.f.a, { method: 'POST', url, payload: body() });
      assert.equal(viewer.statusCode, 403);
      const operator = await d.f.as('operatorA', d.f.a, { method: 'POST', url, payload: body() });
      assert.equal(operator.statusCode, 403);
      assert.equal(operator.json().error.code, 'TP_ERR_CHANNEL_NO_USAGE_GRANT');
      const grant = await d.f.as('adminA', d.f.a, {
        method: 'PUT',
        url: `${d.base}/channels/${channel.id}/grants/${d.f.accounts.operatorA.id}`,
      });
      assert.equal(grant.statusCode, 204, grant.body);
      const granted = await d.f.as('operatorA', d.f.a, { method: 'POST', url, payload: body() });
      assert.equal(granted.statusCode, 202, granted.body);
      const otherWorkspace = await d.f.as('adminA', d.f.a, {
        method: 'POST',
        url: `${d.base}/workspaces/${d.f.a.workspaces[1].id}/sends`,
        payload: body(),
      });
      assert.equal(otherWorkspace.statusCode, 403);
      assert.equal(otherWorkspace.json().error.code, 'TP_ERR_CHANNEL_NOT_AUTHORIZED');
    });

    test('MT: another project cannot send through this channel, nor read its sends or messages (404 like a missing id)', async () => {
      const mine = await d.send(body());
      const bId = d.f.b.project.id;
      const bWorkspace = d.f.b.workspaces[0].id;
      const foreignSend = await d.f.as('adminB', d.f.b, {
        method: 'POST',
        url: `/api/v1/projects/${bId}/workspaces/${bWorkspace}/sends`,
        payload: body(),
      });
      assert.equal(foreignSend.statusCode, 404);
      const crossPath = await d.f.as('adminB', d.f.b, {
        method: 'POST',
        url: `${d.base}/workspaces/${d.workspaceId}/sends`,
        payload: body(),
      });
      assert.equal(crossPath.statusCode, 404);
      const foreignRead = await d.f.as('adminB', d.f.b, {
        url: `/api/v1/projects/${bId}/workspaces/${bWorkspace}/sends/${mine.json.send_id}`,
      });
      assert.equal(foreignRead.statusCode, 404);
      const list = await d.f.as('adminB', d.f.b, { url: `/api/v1/projects/${bId}/messages` });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().items, []);
    });
  });
}

// Issue 20 item 3: the suppression list and per-channel unsubscribes, set through the API and by
// ingested `$suppress` / `$unsubscribe` events, honored by the send API and campaign runs through
// the one send gate with counted skip reasons — on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deliveryFixture, type DeliveryFixture } from '../delivery/support/delivery-fixture.ts';
import { storeKinds } from '../support/stores.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

for (const kind of storeKinds) {
  describe(`suppressions and unsubscribes [${kind}]`, () => {
    let d: DeliveryFixture;
    let channelId: string;
    let otherChannelId: string;
    let appKey: string;
    const call = async (
      method: 'GET' | 'POST' | 'DELETE',
      url: string,
      payload?: Json,
      user = 'adminA' as const,
    ) => {
      const res = await d.f.as(user, d.f.a, {
        method,
        url: `${d.base}${url}`,
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, json: (res.body ? res.json() : {}) as Json, body: res.body };
    };
    const users = Array.from({ length: 8 }, (_, i) => `c-${i + 1}`);

    before(async () => {
      d = await deliveryFixture(kind);
      await d.users(users.map((userId) => ({ userId, traits: { vip: true } })));
      channelId = (await d.channel('http://127.0.0.1:9/consent')).id;
      otherChannelId = (await d.channel('http://127.0.0.1:9/other')).id;
      const app = await call('POST', '/apps', { name: 'Consent app', app_type: 'app' });
      const source = await call('POST', '/sources', {
        name: 'Consent source',
        app_id: app.json.id,
        platforms: [{ platform: 'android' }],
      });
      appKey = source.json.credentials.app_key;
    });
    after(() => d.close());

    test('CONSENT-01: entries are added once, listed, found by value, removed; writes need audience.manage', async () => {
      const added = await call('POST', '/suppressions', {
        id_type: 'user_id',
        value: 'c-8',
        reason: 'complained',
      });
      assert.equal(added.status, 201, added.body);
      assert.deepEqual(
        [added.json.id_type, added.json.value, added.json.reason, added.json.source],
        ['user_id', 'c-8', 'complained', 'api'],
      );
      const again = await call('POST', '/suppressions', { id_type: 'user_id', value: 'c-8' });
      assert.equal(again.status, 200);
      assert.equal(again.json.id, added.json.id);
      const found = await call('GET', '/suppressions?id_type=user_id&value=c-8');
      assert.deepEqual(
        found.json.items.map((e: Json) => e.id),
        [added.json.id],
      );
      const viewer = await d.f.as('viewerA', d.f.a, {
        method: 'POST',
        url: `${d.base}/suppressions`,
        payload: { id_type: 'user_id', value: 'x' },
      });
      assert.equal(viewer.statusCode, 403);
      assert.equal((await call('POST', '/suppressions', { id_type: '$tp_uid', value: 'x' })).status, 400);
      assert.equal((await call('POST', '/suppressions', { value: 'x' })).status, 400);
      assert.equal((await call('DELETE', `/suppressions/${added.json.id}`)).status, 204);
      assert.equal((await call('DELETE', `/suppressions/${added.json.id}`)).status, 404);
      assert.deepEqual((await call('GET', '/suppressions?id_type=user_id&value=c-8')).json.items, []);
      // Another tenant's channel, or its entries, answer 404.
      const b = `/api/v1/projects/${d.f.b.project.id}`;
      const foreign = await d.f.as('adminB', d.f.b, {
        method: 'GET',
        url: `${b}/channels/${channelId}/unsubscribes`,
      });
      assert.equal(foreign.statusCode, 404);
      const audit = await call('GET', '/audit?limit=50');
      const actions = audit.json.items.map((e: Json) => e.action);
      assert.ok(actions.includes('suppression.added') && actions.includes('suppression.removed'));
      assert.ok(!JSON.stringify(audit.json).includes('complained'), 'no personal data in the audit log');
    });

    test('CONSENT-02: the send API skips suppressed and unsubscribed recipients with their reason', async () => {
      await call('POST', '/suppressions', { id_type: 'user_id', value: 'c-1' });
      await call('POST', `/channels/${channelId}/unsubscribes`, { id_type: 'user_id', value: 'c-2' });
      // Unsubscribed from another channel only: still gets this one.
      await call('POST', `/channels/${otherChannelId}/unsubscribes`, { id_type: 'user_id', value: 'c-3' });
      const tpUid4 = (await d.f.t.deps.profiles.findByIdentity(
        { kind: 'project', projectId: d.f.a.project.id },
        'user_id',
        'c-4',
      ))!.tpUid;
      await call('POST', '/suppressions', { tp_uid: tpUid4, reason: 'erasure pending' });
      const sent = await d.send({
        channel_id: channelId,
        template_values: { title: 'Hi', content: 'Hello' },
        recipients: ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'].map((id) => ({ id_type: 'user_id', id })),
      });
      assert.equal(sent.statusCode, 202, JSON.stringify(sent.json));
      assert.equal(sent.json.queued, 2);
      assert.deepEqual(sent.json.skipped, [
        { index: 1, reason: 'suppressed' },
        { index: 2, reason: 'unsubscribed' },
        { index: 4, reason: 'suppressed' },
      ]);
    });

    test('CONSENT-03: ingested $suppress and $unsubscribe events are recorded once and honored', async () => {
      const track = async (userId: string, event: string, properties: Json) => {
        const res = await d.f.t.app.inject({
          method: 'POST',
          url: '/v1/batch',
          headers: { authorization: `Basic ${Buffer.from(`${appKey}:`).toString('base64')}` },
          payload: { batch: [{ type: 'track', userId, event, messageId: `${event}-${userId}`, properties }] },
        });
        assert.equal(res.statusCode, 200, res.body);
      };
      await track('c-6', '$unsubscribe', { channel_id: channelId, reason: 'too many' });
      await track('c-7', '$suppress', {});
      await track('c-7', '$suppress', {}); // a duplicate message id: stored once
      await track('c-5', '$unsubscribe', {}); // no channel: nothing to record
      await d.f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
      const unsub = await call('GET', `/channels/${channelId}/unsubscribes?id_type=user_id&value=c-6`);
      assert.deepEqual(
        unsub.json.items.map((e: Json) => [e.source, e.reason]),
        [['event', 'too many']],
      );
      const sup = await call('GET', '/suppressions?id_type=user_id&value=c-7');
      assert.equal(sup.json.items.length, 1);
      const sent = await d.send({
        channel_id: channelId,
        template_values: { title: 'Hi', content: 'Hello' },
        recipients: ['c-5', 'c-6', 'c-7'].map((id) => ({ id_type: 'user_id', id })),
      });
      assert.deepEqual(sent.json.skipped, [
        { index: 2, reason: 'unsubscribed' },
        { index: 3, reason: 'suppressed' },
      ]);
    });

    test('CONSENT-04: a campaign run leaves gated members out and counts them by reason', async () => {
      const ws = `/workspaces/${d.workspaceId}`;
      const audience = await call('POST', `${ws}/audiences`, {
        name: 'All VIPs',
        conditions: {
          type: 'group',
          combinator: 'and',
          conditions: [{ type: 'property', property: 'vip', operator: 'is_true' }],
        },
      });
      const campaign = await call('POST', `${ws}/campaigns`, {
        name: 'Consent check',
        audience_id: audience.json.id,
        channel_id: channelId,
        template_values: { title: 'Hi', content: 'Hello' },
      });
      await call('POST', `${ws}/campaigns/${campaign.json.id}/submit`);
      await call('POST', `${ws}/campaigns/${campaign.json.id}/publish`);
      const runner = d.f.t.deps.campaignRunner;
      await runner.fireDue();
      while (await runner.renderNext(new AbortController().signal));
      const run = (await call('GET', `${ws}/campaigns/${campaign.json.id}/runs`)).json.items[0];
      // Suppressed: c-1 (user_id), c-4 (profile), c-7 (event); unsubscribed: c-2, c-6.
      assert.deepEqual(
        [run.reachable, run.processed, run.queued, run.suppressed, run.unsubscribed, run.skipped],
        [8, 3, 3, 3, 2, 0],
        JSON.stringify(run),
      );
      const messages = await d.f.t.deps.store.delivery.list(
        { kind: 'project', projectId: d.f.a.project.id },
        { campaignId: campaign.json.id },
        { limit: 20 },
      );
      assert.deepEqual(messages.map((m) => m.pushId).sort(), ['c-3', 'c-5', 'c-8']);
    });
  });
}

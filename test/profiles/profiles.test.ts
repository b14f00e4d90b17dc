// Profiles built from what the real SDKs send (SPEC §2.2), on both databases.
process.env.TZ = 'UTC'; // thinkingdata-node writes #time in this process's local zone

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import * as thinkingdata from 'thinkingdata-node';
import type { Profile } from '../../src/profiles/model.ts';
import { storeKinds } from '../support/stores.ts';
import {
  createIngestFixture,
  type IngestFixture,
  type TestSource,
} from '../ingest/support/ingest-fixture.ts';

function teFlush(client: { flush(callback?: (error?: Error) => void): void }): Promise<void> {
  return new Promise((resolve, reject) =>
    client.flush((error?: Error) => (error ? reject(error) : resolve())),
  );
}

/** A profile without bookkeeping times: what must be byte-identical after a rebuild. */
const content = (p: Profile) => JSON.stringify({ ...p, createdAt: undefined, updatedAt: undefined });

for (const kind of storeKinds) {
  describe(`profiles and identity [${kind}]`, () => {
    let f: IngestFixture;
    let source: TestSource;
    const scope = () => ({ kind: 'project' as const, projectId: source.projectId });
    const segment = () =>
      new SegmentAnalytics({ writeKey: source.appKey, host: f.url, maxRetries: 0, flushInterval: 20 });
    const apply = () => f.deps.profiles.applier.applyPending({ settleMs: 0 });
    const find = (type: string, value: string) => f.deps.profiles.findByIdentity(scope(), type, value);

    before(async () => {
      f = await createIngestFixture(kind);
      source = await f.createSource();
    });
    after(() => f?.close());

    test('Segment identify + alias merge an anonymous and a known profile', async () => {
      const analytics = segment();
      analytics.page({ anonymousId: 'anon-1', name: 'Home', context: { traits: { referrer: 'ad' } } });
      analytics.track({ anonymousId: 'anon-1', event: 'Viewed Item', properties: { sku: 'A1' } });
      analytics.identify({ userId: 'user-1', traits: { name: 'Zhang San', plan: 'pro' } });
      await analytics.closeAndFlush({ timeout: 10_000 });
      await apply();
      const anon = await find('anonymous_id', 'anon-1');
      const known = await find('user_id', 'user-1');
      assert.ok(anon && known);
      assert.notEqual(anon.tpUid, known.tpUid);

      const aliasing = segment();
      aliasing.alias({ userId: 'user-1', previousId: 'anon-1' });
      await aliasing.closeAndFlush({ timeout: 10_000 });
      await apply();
      const merged = await find('anonymous_id', 'anon-1');
      assert.equal(merged?.tpUid, known.tpUid);
      assert.deepEqual(merged?.properties, { referrer: 'ad', name: 'Zhang San', plan: 'pro' });
      // The merged-away id still finds the surviving profile; its events moved with it.
      const access = f.project.access;
      assert.equal((await f.deps.profiles.get(access, anon.tpUid)).tpUid, known.tpUid);
      const timeline = await f.deps.profiles.events(access, known.tpUid, { limit: 50 });
      assert.deepEqual(timeline.map((e) => e.type).sort(), ['alias', 'identify', 'page', 'track']);
    });

    test('two different user_ids never merge; the conflict is flagged in verify', async () => {
      const analytics = segment();
      analytics.identify({ userId: 'user-7', anonymousId: 'device-7', traits: { seat: 1 } });
      await analytics.closeAndFlush({ timeout: 10_000 });
      await apply();
      const second = segment();
      second.identify({ userId: 'user-8', anonymousId: 'device-7', traits: { seat: 2 } });
      await second.closeAndFlush({ timeout: 10_000 });
      await apply();
      const seven = await find('user_id', 'user-7');
      const eight = await find('user_id', 'user-8');
      assert.ok(seven && eight);
      assert.notEqual(seven.tpUid, eight.tpUid);
      assert.equal((await find('anonymous_id', 'device-7'))?.tpUid, seven.tpUid);
      assert.deepEqual(seven.properties, { seat: 1 });
      assert.deepEqual(eight.properties, { seat: 2 });
      const verify = await f.deps.verify.recent(scope(), source.id);
      assert.ok(
        verify.some((e) => e.verdict === 'warning' && e.reasons[0]?.code === 'TP_ERR_PROFILE_MERGE_CONFLICT'),
      );
    });

    test('thinkingdata user_set / user_setOnce / user_add / user_append / user_unset give the documented result', async () => {
      const te = thinkingdata.initWithBatchMode(source.appKey, f.url, { batchSize: 100, compress: true });
      te.userSet({
        accountId: 'acct-1',
        distinctId: 'd-1',
        properties: { level: 3, nickname: 'Li' },
      });
      te.userSetOnce({
        accountId: 'acct-1',
        properties: { first_channel: 'store', nickname: 'ignored' },
      });
      te.userAdd({ accountId: 'acct-1', properties: { coins: 5 } });
      te.userAdd({ accountId: 'acct-1', properties: { coins: 7 } });
      te.userAppend({ accountId: 'acct-1', properties: { tags: ['a', 'b'] } });
      te.userAppend({ accountId: 'acct-1', properties: { tags: ['a'] } });
      te.userUniqAppend({
        accountId: 'acct-1',
        properties: { badges: ['gold', 'gold', 'silver'] },
      });
      te.userUnset({ accountId: 'acct-1', property: 'level' });
      te.userSetOnce({ accountId: 'acct-1', properties: { level: 1 } });
      await teFlush(te);
      await apply();
      // account_id ≡ user_id by default: the profile is found by either.
      const profile = await find('user_id', 'acct-1');
      assert.ok(profile);
      assert.equal((await find('distinct_id', 'd-1'))?.tpUid, profile.tpUid);
      assert.deepEqual(profile.properties, {
        nickname: 'Li',
        first_channel: 'store',
        coins: 12,
        tags: ['a', 'b', 'a'],
        badges: ['gold', 'silver'],
        level: 1,
      });
    });

    test('a declared ID type reported as a trait becomes an identity that finds the profile', async () => {
      const res = await f.t.app.inject({
        method: 'PUT',
        url: `/api/v1/projects/${source.projectId}/id-types`,
        headers: { cookie: '' },
        payload: { id_types: [{ name: 'role_id', unique: true }] },
      });
      assert.equal(res.statusCode, 401); // the route needs a member; the service is used below
      await f.deps.profiles.updateIdentitySettings(f.project.caller, f.project.access, {
        idTypes: [{ name: 'role_id', unique: true }],
      });
      const analytics = segment();
      analytics.identify({ userId: 'user-role', traits: { role_id: 'r-1001', gameuid: 'g-1' } });
      await analytics.closeAndFlush({ timeout: 10_000 });
      await apply();
      const byRole = await find('role_id', 'r-1001');
      assert.equal(byRole?.tpUid, (await find('user_id', 'user-role'))?.tpUid);
      assert.ok(byRole?.identities.some((i) => i.type === 'role_id' && i.value === 'r-1001'));
      await assert.rejects(
        f.deps.profiles.updateIdentitySettings(f.project.caller, f.project.access, {
          idTypes: [{ name: 'user_id', unique: true }],
        }),
        /built in or reserved/,
      );
    });

    test('event management lists names, volumes and observed property types', async () => {
      const analytics = segment();
      analytics.track({
        userId: 'user-1',
        event: 'Order Completed',
        properties: { revenue: 9.5, coupon: 'X' },
      });
      analytics.track({
        userId: 'user-1',
        event: 'Order Completed',
        properties: { revenue: '10', gift: true },
      });
      await analytics.closeAndFlush({ timeout: 10_000 });
      await apply();
      await f.deps.profiles.declareMetaEvent(
        f.project.caller,
        f.project.access,
        'ops_push_open',
        'Push opened',
      );
      const defs = await f.deps.profiles.eventDefinitions(f.project.access);
      const order = defs.find((d) => d.name === 'Order Completed');
      assert.equal(order?.eventCount, 2);
      assert.deepEqual(
        order?.properties.map((p) => [p.name, p.types]),
        [
          ['coupon', ['string']],
          ['gift', ['boolean']],
          ['revenue', ['number', 'string']],
        ],
      );
      assert.ok(defs.find((d) => d.name === 'ops_push_open' && d.declared && d.eventCount === 0));
    });

    test('an alias flushed in one request after the known and anonymous events keeps every event on the timeline', async () => {
      // The Segment SDK flushes in call order: the known user's events, an anonymous event, then
      // the alias — so the applier merges a profile whose event is applied in the same batch.
      const analytics = segment();
      analytics.identify({ userId: 'user-9', traits: { plan: 'free' } });
      analytics.track({ userId: 'user-9', event: 'Opened App' });
      analytics.track({ anonymousId: 'anon-9', event: 'Viewed Item', properties: { sku: 'B2' } });
      analytics.alias({ userId: 'user-9', previousId: 'anon-9' });
      await analytics.closeAndFlush({ timeout: 10_000 });
      await apply();
      const known = await find('user_id', 'user-9');
      assert.ok(known);
      assert.equal((await find('anonymous_id', 'anon-9'))?.tpUid, known.tpUid);
      const get = (path: string) =>
        f.t.app.inject({
          url: `/api/v1/projects/${source.projectId}/profiles/${known.tpUid}${path}`,
          headers: { authorization: `Bearer ${f.project.token}` },
        });
      assert.equal((await get('')).json().event_count, 4);
      const res = await get('/events?limit=50');
      assert.equal(res.statusCode, 200, res.body);
      const timeline = res.json().items as { type: string }[];
      assert.deepEqual(timeline.map((e) => e.type).sort(), ['alias', 'identify', 'track', 'track']);
    });

    test('re-applying the event log leaves every profile byte-identical (rebuild == incremental)', async () => {
      assert.equal(await apply(), 0, 'nothing is pending: applied events are never applied twice');
      const incremental = (await f.t.deps.store.profiles.allProfiles(scope())).map(content).sort();
      assert.ok(incremental.length >= 5);
      const applied = await f.deps.profiles.applier.rebuild(source.projectId);
      assert.equal(applied, 22);
      const rebuiltProfiles = await f.t.deps.store.profiles.allProfiles(scope());
      const rebuilt = rebuiltProfiles.map(content).sort();
      assert.deepEqual(rebuilt, incremental);
      // A rebuild applies the whole log in one batch, so every alias merges within its batch.
      for (const p of rebuiltProfiles) {
        const timeline = await f.deps.profiles.events(f.project.access, p.tpUid, { limit: 100 });
        assert.equal(timeline.length, p.eventCount, `timeline of ${p.tpUid}`);
      }
      const defs = await f.deps.profiles.eventDefinitions(f.project.access);
      assert.equal(defs.find((d) => d.name === 'Order Completed')?.eventCount, 2);
      assert.ok(defs.find((d) => d.name === 'ops_push_open')?.declared);
    });
  });
}

// The real official clients, unchanged, pointed at a Touchpoint on 127.0.0.1 (SPEC §2.1): every
// event they send is stored, and the stored rows are checked field by field.
process.env.TZ = 'Asia/Tokyo'; // thinkingdata-node writes #time in this process's local zone

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import * as thinkingdata from 'thinkingdata-node';
import { storeKinds } from '../support/stores.ts';
import { createIngestFixture, type IngestFixture, type TestSource } from './support/ingest-fixture.ts';

function teFlush(client: { flush(callback?: (error?: Error) => void): void }): Promise<void> {
  return new Promise((resolve, reject) =>
    client.flush((error?: Error) => (error ? reject(error) : resolve())),
  );
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const kind of storeKinds) {
  describe(`real SDK clients [${kind}]`, () => {
    let f: IngestFixture;
    before(async () => {
      f = await createIngestFixture(kind);
    });
    after(async () => {
      await f?.close();
    });

    test('@segment/analytics-node: identify, track, page, screen, group, alias stored field by field', async () => {
      const source = await f.createSource();
      const errors: unknown[] = [];
      const analytics = new SegmentAnalytics({
        writeKey: source.appKey,
        host: f.url,
        maxRetries: 0,
        flushInterval: 50,
      });
      analytics.on('error', (e) => errors.push(e));
      analytics.identify({ userId: 'user-1', traits: { email: 'u1@example.test', plan: 'pro' } });
      analytics.track({
        userId: 'user-1',
        event: 'Order Completed',
        properties: { revenue: 42.5, currency: 'USD', 'Product Name': 'Mug', $email: 'x@example.test' },
        timestamp: new Date('2026-01-02T03:04:05.000Z'),
        context: { ip: '203.0.113.9' },
      });
      analytics.page({ anonymousId: 'anon-1', name: 'Home', properties: { url: 'https://example.test/' } });
      analytics.screen({ userId: 'user-1', name: 'Settings' });
      analytics.group({ userId: 'user-1', groupId: 'org-9', traits: { name: 'Acme' } });
      analytics.alias({ userId: 'user-1', previousId: 'anon-1' });
      await analytics.closeAndFlush({ timeout: 10_000 });
      assert.deepEqual(errors, []);

      const stored = await f.events(source);
      assert.equal(stored.length, 6);
      const byType = Object.fromEntries(stored.map((e) => [e.type, e]));
      const identify = byType.identify!;
      assert.equal(identify.format, 'segment');
      assert.equal(identify.sourceId, source.id);
      assert.equal(identify.projectId, source.projectId);
      assert.equal(identify.userId, 'user-1');
      assert.equal(identify.anonymousId, null);
      assert.deepEqual(identify.traits, { email: 'u1@example.test', plan: 'pro' });
      assert.deepEqual(identify.identities, { email: 'u1@example.test' });
      assert.match(identify.messageId, /^node-next-/);
      assert.equal(
        identify.context.library && (identify.context.library as { name: string }).name,
        '@segment/analytics-node',
      );

      const track = byType.track!;
      assert.equal(track.eventName, 'Order Completed');
      assert.equal(track.userId, 'user-1');
      assert.deepEqual(track.properties, {
        revenue: 42.5,
        currency: 'USD',
        'Product Name': 'Mug',
        $email: 'x@example.test',
      });
      assert.equal(track.eventTime, Date.parse('2026-01-02T03:04:05.000Z'));
      assert.equal(track.context.ip, '203.0.113.9');
      assert.deepEqual(track.extra.integrations, {});
      assert.ok(track.receivedAt >= track.eventTime);

      const page = byType.page!;
      assert.equal(page.anonymousId, 'anon-1');
      assert.equal(page.eventName, 'Home');
      assert.deepEqual(page.properties, { url: 'https://example.test/' });
      assert.equal(byType.screen!.eventName, 'Settings');
      assert.equal(byType.group!.groupId, 'org-9');
      assert.deepEqual(byType.group!.traits, { name: 'Acme' });
      assert.equal(byType.alias!.previousId, 'anon-1');
      assert.equal(byType.alias!.userId, 'user-1');
      const ids = new Set(stored.map((e) => e.messageId));
      assert.equal(ids.size, 6);
    });

    test('@rudderstack/rudder-sdk-node (gzip on, form-urlencoded label): identify, track, page stored field by field', async () => {
      const source = await f.createSource();
      const errors: unknown[] = [];
      const client = new RudderAnalytics(source.appKey, {
        dataPlaneUrl: f.url,
        flushAt: 50,
        flushInterval: 60_000,
        retryCount: 0,
        logLevel: 'error',
        errorHandler: (e: unknown) => errors.push(e),
      });
      client.identify({ userId: 'user-2', traits: { name: 'Ada', phone: '+15550100' } });
      client.track({
        userId: 'user-2',
        event: 'Product Viewed',
        properties: { sku: 'A-1', price: 9.99 },
        timestamp: new Date('2026-01-02T03:04:05.000Z'),
      });
      client.page({ userId: 'user-2', name: 'Home', properties: { url: 'https://example.test/' } });
      await client.flush();
      const stored = await until(
        () => f.events(source),
        (rows) => rows.length === 3,
        'three RudderStack events',
      );
      assert.deepEqual(errors, []);
      const byType = Object.fromEntries(stored.map((e) => [e.type, e]));
      assert.deepEqual(byType.identify!.traits, { name: 'Ada', phone: '+15550100' });
      assert.deepEqual(byType.identify!.identities, { phone: '+15550100' });
      assert.equal(byType.identify!.extra.channel, 'server');
      const track = byType.track!;
      assert.equal(track.userId, 'user-2');
      assert.equal(track.eventName, 'Product Viewed');
      assert.deepEqual(track.properties, { sku: 'A-1', price: 9.99 });
      assert.equal(track.eventTime, Date.parse('2026-01-02T03:04:05.000Z'));
      assert.equal((track.context.library as { name: string }).name, 'analytics-node');
      assert.ok(track.sentAt !== null && track.sentAt <= track.receivedAt + 1000);
      assert.equal(byType.page!.eventName, 'Home');
      assert.equal(await f.count(source), 3);
    });

    test('thinkingdata-node batch mode (gzip and none): every #type, #time read in the source time zone', async () => {
      const tokyo = await f.createSource({ timeZone: 'Asia/Tokyo' });
      const utc = await f.createSource({ timeZone: 'UTC' });
      const when = new Date('2026-01-02T03:04:05.678Z');
      const send = async (source: TestSource, compress: boolean) => {
        const te = thinkingdata.initWithBatchMode(source.appKey, f.url, { batchSize: 100, compress });
        te.track({
          distinctId: 'dist-3',
          accountId: 'acct-3',
          event: 'purchase',
          time: when,
          ip: '203.0.113.7',
          properties: { amount: 12, item: 'gem' },
        });
        te.trackUpdate({
          distinctId: 'dist-3',
          event: 'order',
          eventId: 'ord-1',
          time: when,
          properties: { status: 'paid' },
        });
        te.trackOverWrite({
          distinctId: 'dist-3',
          event: 'order',
          eventId: 'ord-1',
          time: when,
          properties: { status: 'refunded' },
        });
        te.userSet({ accountId: 'acct-3', properties: { level: 7, email: 'p3@example.test' } });
        te.userSetOnce({ accountId: 'acct-3', properties: { first_seen: 'x' } });
        te.userAdd({ accountId: 'acct-3', properties: { coins: 5 } });
        te.userUnset({ accountId: 'acct-3', property: 'level' });
        te.userAppend({ accountId: 'acct-3', properties: { tags: ['a'] } });
        te.userUniqAppend({ accountId: 'acct-3', properties: { tags: ['b'] } });
        te.userDel({ accountId: 'acct-3' });
        await teFlush(te);
      };
      await send(tokyo, true);
      await send(utc, false);

      const stored = await f.events(tokyo);
      assert.deepEqual(
        stored.map((e) => e.type).sort(),
        [
          'track',
          'track_overwrite',
          'track_update',
          'user_add',
          'user_append',
          'user_del',
          'user_setOnce',
          'user_set',
          'user_uniq_append',
          'user_unset',
        ].sort(),
      );
      const track = stored.find((e) => e.type === 'track')!;
      assert.equal(track.format, 'thinkingdata');
      assert.equal(track.eventName, 'purchase');
      assert.equal(track.distinctId, 'dist-3');
      assert.equal(track.accountId, 'acct-3');
      assert.equal(track.context.ip, '203.0.113.7');
      assert.equal(track.properties.amount, 12);
      assert.equal(track.properties.item, 'gem');
      assert.equal(track.properties['#lib'], 'node');
      // The SDK wrote Tokyo wall-clock time; the Tokyo source reads it back to the same instant.
      assert.equal(track.eventTime, when.getTime());
      const update = stored.find((e) => e.type === 'track_update')!;
      assert.equal(update.groupId, 'ord-1');
      assert.deepEqual(
        Object.fromEntries(Object.entries(update.properties).filter(([k]) => !k.startsWith('#'))),
        { status: 'paid' },
      );
      const set = stored.find((e) => e.type === 'user_set')!;
      assert.deepEqual(set.properties, { level: 7, email: 'p3@example.test' });
      assert.deepEqual(set.identities, { email: 'p3@example.test' });
      assert.equal(stored.find((e) => e.type === 'user_add')!.properties.coins, 5);
      assert.deepEqual(stored.find((e) => e.type === 'user_unset')!.properties, { level: 0 });
      assert.equal(new Set(stored.map((e) => e.messageId)).size, 10);

      // Read in UTC, the same wall-clock text lands nine hours later.
      const utcTrack = (await f.events(utc)).find((e) => e.type === 'track')!;
      assert.equal(utcTrack.eventTime, when.getTime() + 9 * 3_600_000);
    });

    test('thinkingdata-node debug mode: dryRun=0 stores, dryRun=1 validates only, a bad event gets errorLevel≠0', async () => {
      const source = await f.createSource({ timeZone: 'Asia/Tokyo' });
      const when = new Date('2026-03-04T05:06:07.089Z');
      const stored = thinkingdata.initWithDebugMode(source.appKey, f.url, {
        dryRun: false,
        deviceId: 'dev-1',
      });
      await new Promise<void>((resolve, reject) =>
        stored.track({
          distinctId: 'dist-5',
          event: 'debug_evt',
          time: when,
          properties: { score: 1 },
          callback: (e?: Error) => (e ? reject(e) : resolve()),
        }),
      );
      const dry = thinkingdata.initWithDebugMode(source.appKey, f.url, { dryRun: true, deviceId: 'dev-1' });
      await new Promise<void>((resolve, reject) =>
        dry.track({
          distinctId: 'dist-6',
          event: 'dry_evt',
          time: when,
          properties: { score: 2 },
          callback: (e?: Error) => (e ? reject(e) : resolve()),
        }),
      );
      const rows = await f.events(source);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.eventName, 'debug_evt');
      assert.equal(rows[0]!.distinctId, 'dist-5');
      assert.equal(rows[0]!.properties.score, 1);
      assert.equal(rows[0]!.eventTime, when.getTime());

      // A future #time (two days ahead) is refused with a non-zero errorLevel and the reason.
      const failure = await new Promise<Error | undefined>((resolve) =>
        stored.track({
          distinctId: 'dist-7',
          event: 'future',
          time: new Date(Date.now() + 2 * 86_400_000),
          properties: {},
          callback: (e?: Error) => resolve(e),
        }),
      );
      assert.ok(failure, 'the SDK reports the refusal');
      assert.match(failure.message, /TP_ERR_INGEST_TIME_OUT_OF_RANGE/);
      assert.equal(await f.count(source), 1);
    });
  });
}

// Web sources (issue 23) over real HTTP: CORS on every ingest route, RudderStack's JavaScript SDK
// endpoints, ThinkingData's web endpoints, de-duplication of id-less retries, and refusals shown
// in verify. The browser itself drives them in test/e2e/web-sources.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectScope, systemScope } from '../../src/access/scope.ts';
import { ingestEndpoints } from '../../src/api/routes/ingest-routes.ts';
import { LifecycleEvents } from '../../src/observability/lifecycle-events.ts';
import { REFUSALS_PER_WINDOW, VerifyService } from '../../src/sources/verify-service.ts';
import type { VerifyEntry } from '../../src/store/repositories/verify-repository.ts';
import { storeKinds } from '../support/stores.ts';
import { dataDebugForm, syncJsForm, tdWebEvent, tdWebUser } from '../support/thinkingdata-web.ts';
import { basic, createIngestFixture, type IngestFixture, type TestSource } from './support/ingest-fixture.ts';

const SHOP = 'http://shop.example';
const EVIL = 'http://evil.example';

/** A concrete URL of each ingest route. */
function concrete(url: string): string {
  return url.replace(':call', 't').replace(':writeKey', 'k');
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

function refusals(f: IngestFixture, source: TestSource): Promise<VerifyEntry[]> {
  return f.deps.verify
    .recent(projectScope(source.projectId), source.id)
    .then((entries) => entries.filter((e) => e.verdict === 'refused'));
}

async function send(
  url: string,
  init: RequestInit & { headers?: Record<string, string> },
): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

for (const kind of storeKinds) {
  describe(`web sources over HTTP [${kind}]`, () => {
    let f: IngestFixture;
    let web: TestSource;
    before(async () => {
      f = await createIngestFixture(kind);
      web = await f.createSource({ appType: 'web', platforms: [{ platform: 'web', origins: [SHOP] }] });
    });
    after(async () => {
      await f?.close();
    });

    test('every ingest route answers its preflight for any origin, allowing the SDKs’ headers', async () => {
      for (const { url, methods } of ingestEndpoints) {
        const res = await send(`${f.url}${concrete(url)}`, {
          method: 'OPTIONS',
          headers: {
            origin: EVIL,
            'access-control-request-method': methods[0]!,
            'access-control-request-headers':
              'anonymousid,authorization,content-type,sentat,x-retry-count,rsa-trace,x-evil',
          },
        });
        assert.equal(res.status, 204, url);
        assert.equal(res.headers.get('access-control-allow-origin'), EVIL, url);
        const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(', ');
        for (const h of [
          'authorization',
          'content-type',
          'content-encoding',
          'x-retry-count',
          'anonymousid',
          'sentat',
          'rsa-trace',
        ])
          assert.ok(allowed.includes(h), `${url} allows ${h}: ${allowed.join(',')}`);
        assert.ok(!allowed.includes('x-evil'), `${url} does not allow x-evil`);
        for (const m of methods)
          assert.match(res.headers.get('access-control-allow-methods') ?? '', new RegExp(m));
      }
    });

    test('every ingest route: an unknown key is a coded 401 the page can read', async () => {
      for (const { url, methods } of ingestEndpoints) {
        const method = methods.includes('POST') ? 'POST' : 'GET';
        const res = await send(`${f.url}${concrete(url)}?writeKey=nope`, {
          method,
          headers: { origin: SHOP, authorization: basic('nope'), appid: 'nope' },
          ...(method === 'POST' ? { body: '{"batch":[]}' } : {}),
        });
        // /sync_js carries its key inside the data: without data it is malformed before any key.
        const expected = url === '/sync_js' ? 400 : 401;
        assert.equal(res.status, expected, `${method} ${url}: ${res.text}`);
        assert.equal(res.headers.get('access-control-allow-origin'), SHOP, url);
        assert.match(res.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
        assert.match(String((res.json().error as { code: string }).code), /^TP_ERR_INGEST_/);
      }
    });

    test('a disallowed origin: coded 403 with CORS, nothing stored, the refusal in verify', async () => {
      const source = await f.createSource({
        appType: 'web',
        platforms: [{ platform: 'web', origins: [SHOP] }],
      });
      const res = await send(`${f.url}/v1/t`, {
        method: 'POST',
        headers: { origin: EVIL, authorization: basic(source.appKey), 'content-type': 'text/plain' },
        body: JSON.stringify({ type: 'track', event: 'x', userId: 'u', messageId: 'm-evil' }),
      });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('access-control-allow-origin'), EVIL);
      assert.equal((res.json().error as { code: string }).code, 'TP_ERR_INGEST_ORIGIN_FORBIDDEN');
      assert.equal(await f.count(source), 0);
      const [refused] = await until(
        () => refusals(f, source),
        (r) => r.length === 1,
        'the refusal',
      );
      assert.deepEqual(
        refused!.reasons.map((r) => r.code),
        ['TP_ERR_INGEST_ORIGIN_FORBIDDEN'],
      );
      assert.equal(refused!.eventName, 'POST /v1/t');
      assert.equal((refused!.event as { origin: string }).origin, EVIL);
    });

    test('verify shows refusals for secret, disabled source and format', async () => {
      const secured = await f.createSource({ platforms: [{ platform: 'server', requireSecret: true }] });
      const bad = await send(`${f.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic(secured.appKey, 'wrong') },
        body: '{"batch":[]}',
      });
      assert.equal(bad.status, 401);
      const malformed = await send(`${f.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic(secured.appKey, secured.secret) },
        body: '{"batch": nope',
      });
      assert.equal(malformed.status, 400);
      const seen = await until(
        () => refusals(f, secured),
        (r) => r.length === 2,
        'two refusals',
      );
      assert.deepEqual(seen.flatMap((e) => e.reasons.map((r) => r.code)).sort(), [
        'TP_ERR_INGEST_SECRET_MISMATCH',
        'TP_ERR_INVALID_JSON',
      ]);

      const disabled = await f.createSource({
        appType: 'web',
        platforms: [{ platform: 'web', origins: [SHOP] }],
      });
      await f.deps.sources.disableSource(f.project.caller, f.project.access, disabled.id);
      const off = await send(`${f.url}/sync_js`, {
        method: 'POST',
        headers: { origin: SHOP, 'content-type': 'application/x-www-form-urlencoded' },
        body: syncJsForm(disabled.appKey, [tdWebEvent(tdWebUser('u-off'), 'track', {}, 'e')]),
      });
      assert.equal(off.status, 403);
      assert.equal(off.headers.get('access-control-allow-origin'), SHOP);
      const [entry] = await until(
        () => refusals(f, disabled),
        (r) => r.length === 1,
        'the disabled refusal',
      );
      assert.equal(entry!.reasons[0]!.code, 'TP_ERR_INGEST_SOURCE_DISABLED');
    });

    test('a rate-limited answer carries CORS and a readable Retry-After', async () => {
      const limited = await f.createSource({
        appType: 'web',
        platforms: [{ platform: 'web', origins: [SHOP] }],
        rateLimit: 1,
      });
      const post = (id: string) =>
        send(`${f.url}/v1/t`, {
          method: 'POST',
          headers: { origin: SHOP, authorization: basic(limited.appKey), 'x-retry-count': '1' },
          body: JSON.stringify({ type: 'track', event: 'x', userId: 'u', messageId: id }),
        });
      assert.equal((await post('r-1')).status, 200);
      const second = await post('r-2');
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('access-control-allow-origin'), SHOP);
      assert.ok(Number(second.headers.get('retry-after')) >= 1);
      assert.match(second.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
    });

    test('RudderStack: /sourceConfig with and without the slash, Basic or query key; /beacon/v1/batch', async () => {
      for (const path of ['/sourceConfig/', '/sourceConfig']) {
        const res = await send(
          `${f.url}${path}?p=npm&v=3.34.1&build=modern&writeKey=${web.appKey}&lockIntegrationsVersion=true`,
          { headers: { origin: SHOP, authorization: basic(web.appKey) } },
        );
        assert.equal(res.status, 200, res.text);
        assert.equal(res.headers.get('access-control-allow-origin'), SHOP);
        const config = res.json().source as { id: string; enabled: boolean; destinations: unknown[] };
        assert.equal(config.id, web.id);
        assert.equal(config.enabled, true);
        assert.deepEqual(config.destinations, []);
      }
      const queryOnly = await send(`${f.url}/sourceConfig/?writeKey=${web.appKey}`, {
        headers: { origin: SHOP },
      });
      assert.equal(queryOnly.status, 200);
      const twoKeys = await send(`${f.url}/sourceConfig/?writeKey=${web.appKey}`, {
        headers: { origin: SHOP, authorization: basic('other') },
      });
      assert.equal(twoKeys.status, 401);
      const wrongOrigin = await send(`${f.url}/sourceConfig/?writeKey=${web.appKey}`, {
        headers: { origin: EVIL },
      });
      assert.equal(wrongOrigin.status, 403);
      assert.equal(wrongOrigin.headers.get('access-control-allow-origin'), EVIL);

      const beacon = await send(`${f.url}/beacon/v1/batch?writeKey=${web.appKey}`, {
        method: 'POST',
        headers: { origin: SHOP, 'content-type': 'text/plain' },
        body: JSON.stringify({
          batch: [
            {
              type: 'track',
              event: 'Beaconed',
              anonymousId: 'anon-b',
              messageId: 'beacon-1',
              properties: { a: 1 },
            },
          ],
          sentAt: new Date().toISOString(),
        }),
      });
      assert.equal(beacon.status, 200, beacon.text);
      const [stored] = await f.events(web, { messageId: 'beacon-1' } as never);
      assert.equal(stored?.eventName, 'Beaconed');
      assert.deepEqual(stored?.properties, { a: 1 });
    });

    test('ThinkingData /sync_js: form POST, image GET (1×1 answer), multipart beacon; ext may be absent', async () => {
      const source = await f.createSource({
        appType: 'web',
        platforms: [{ platform: 'web', origins: [SHOP] }],
      });
      const user = tdWebUser('td-user-1');
      const ajax = await send(`${f.url}/sync_js`, {
        method: 'POST',
        headers: { origin: SHOP, 'content-type': 'application/x-www-form-urlencoded' },
        body: syncJsForm(source.appKey, [
          tdWebEvent(
            user,
            'track',
            { order_id: 'o-1', 'Product Name': 'Café ☕ 😀 名前', revenue: 9.99 },
            'purchase',
          ),
        ]),
      });
      assert.equal(ajax.status, 200, ajax.text);
      assert.deepEqual(ajax.json(), { code: 0, accepted: 1, rejected: [] });
      assert.equal(ajax.headers.get('access-control-allow-origin'), SHOP);

      const image = await fetch(
        `${f.url}/sync_js?${syncJsForm(source.appKey, [tdWebEvent(user, 'user_set', { email: 'td@example.com' })]).replace('&ext=crc%3D1538885838', '')}`,
      );
      assert.equal(image.status, 200);
      assert.equal(image.headers.get('content-type'), 'image/gif');
      assert.equal(
        Buffer.from(await image.arrayBuffer())
          .subarray(0, 6)
          .toString('latin1'),
        'GIF89a',
      );

      const form = new FormData();
      const beaconEvent = tdWebEvent(user, 'track', { 'Product Name': 'beacon ☕' }, 'unload_beacon');
      form.set('data', new URLSearchParams(syncJsForm(source.appKey, [beaconEvent])).get('data')!);
      const beacon = await send(`${f.url}/sync_js`, {
        method: 'POST',
        headers: { origin: SHOP },
        body: form,
      });
      assert.equal(beacon.status, 200, beacon.text);

      const stored = await f.events(source);
      assert.deepEqual(
        stored.map((e) => e.eventName ?? e.type),
        ['purchase', 'user_set', 'unload_beacon'],
      );
      assert.equal(stored[0]!.properties['Product Name'], 'Café ☕ 😀 名前');
      assert.equal(stored[0]!.accountId, 'td-user-1');
      assert.equal(stored[2]!.properties['Product Name'], 'beacon ☕');

      const garbage = await send(`${f.url}/sync_js`, {
        method: 'POST',
        headers: { origin: SHOP },
        body: 'data=%%%not-base64',
      });
      assert.equal(garbage.status, 400);
      assert.equal((garbage.json().error as { code: string }).code, 'TP_ERR_INGEST_MALFORMED');
    });

    test('ThinkingData: a request sent 4 times is stored once and user_add applied once (/sync_js and /data_debug)', async () => {
      const source = await f.createSource({
        appType: 'web',
        platforms: [{ platform: 'web', origins: [SHOP] }],
      });
      const user = tdWebUser(`td-dup-${kind}`);
      const add = syncJsForm(source.appKey, [tdWebEvent(user, 'user_add', { coins: 5, play_time: 1.5 })]);
      for (let i = 0; i < 4; i++) {
        const res = await send(`${f.url}/sync_js`, { method: 'POST', headers: { origin: SHOP }, body: add });
        assert.deepEqual(res.json(), { code: 0, accepted: 1, rejected: [] });
      }
      const debugEvent = tdWebEvent(user, 'user_add', { coins: 2 });
      for (let i = 0; i < 4; i++) {
        const res = await send(`${f.url}/data_debug`, {
          method: 'POST',
          headers: { origin: SHOP, 'content-type': 'application/x-www-form-urlencoded' },
          body: dataDebugForm(source.appKey, user, debugEvent),
        });
        assert.deepEqual(res.json(), { errorLevel: 0 });
        assert.equal(res.headers.get('access-control-allow-origin'), SHOP);
      }
      // The same event sent again in a new request (another flush time) is a new request: stored.
      await new Promise((r) => setTimeout(r, 2));
      const again = syncJsForm(source.appKey, [tdWebEvent(user, 'user_add', { coins: 1 })]);
      await send(`${f.url}/sync_js`, { method: 'POST', headers: { origin: SHOP }, body: again });
      assert.equal(await f.count(source), 3);
      await f.deps.profiles.applier.applyPending({ settleMs: 0 });
      const profile = await f.deps.profiles.findByIdentity(
        projectScope(source.projectId),
        'distinct_id',
        user.device,
      );
      assert.equal(profile?.properties.coins, 8);
      assert.equal(profile?.properties.play_time, 1.5);
    });

    test('ThinkingData /data_debug from a browser: multipart with the app id in the body', async () => {
      const source = await f.createSource({
        appType: 'web',
        platforms: [{ platform: 'web', origins: [SHOP] }],
      });
      const user = tdWebUser('td-mp');
      const form = new FormData();
      form.set(
        'data',
        JSON.stringify(
          tdWebEvent(user, 'track', { run: 'mp', 'Product Name': 'beacon ☕' }, 'unload_beacon'),
        ),
      );
      form.set('source', 'client');
      form.set('deviceId', user.device);
      form.set('appid', source.appKey);
      form.set('version', '2.5.0');
      const res = await send(`${f.url}/data_debug`, {
        method: 'POST',
        headers: { origin: SHOP },
        body: form,
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), { errorLevel: 0 });
      const [stored] = await f.events(source);
      assert.equal(stored?.eventName, 'unload_beacon');
      assert.equal(stored?.properties['Product Name'], 'beacon ☕');
    });

    test('verify shows at most REFUSALS_PER_WINDOW refusals per source a minute, then how many it left out', async () => {
      let now = 1_000_000;
      const verify = new VerifyService({ store: f.deps.store, logger: f.deps.logger, now: () => now });
      const events = new LifecycleEvents();
      verify.listen(events);
      const a = await f.createSource();
      const b = await f.createSource();
      const refuse = (source: TestSource) =>
        events.emit('ingest:refused', {
          projectId: source.projectId,
          sourceId: source.id,
          requestId: 'r',
          request: 'POST /v1/t',
          origin: EVIL,
          code: 'TP_ERR_INGEST_ORIGIN_FORBIDDEN',
          message: 'no',
          details: {},
        });
      for (let i = 0; i < REFUSALS_PER_WINDOW + 5; i++) refuse(a);
      refuse(b);
      await until(
        () => refusals(f, a),
        (r) => r.length === REFUSALS_PER_WINDOW,
        'the first window',
      );
      await until(
        () => refusals(f, b),
        (r) => r.length === 1,
        'the other source',
      );
      now += 60_000;
      refuse(a);
      const all = await until(
        () => refusals(f, a),
        (r) => r.length === REFUSALS_PER_WINDOW + 1,
        'the next window',
      );
      assert.equal((all[0]!.event as { refusals_not_shown_before?: number }).refusals_not_shown_before, 5);
    });

    test('request digests: a live claim refuses the same body, an expired one is renewed, prune forgets', async () => {
      const digests = f.deps.store.ingestDigests;
      const scope = systemScope('test');
      const row = { projectId: web.projectId, sourceId: web.id, digest: `d-${kind}`, at: 1000 };
      assert.equal(await digests.claim(scope, row, 0), true);
      assert.equal(await digests.claim(scope, { ...row, at: 2000 }, 500), false);
      assert.equal(await digests.claim(scope, { ...row, sourceId: 'src_other' }, 0), true);
      assert.equal(await digests.claim(scope, { ...row, at: 3000 }, 1500), true);
      assert.equal(await digests.claim(scope, { ...row, at: 3100 }, 1500), false);
      assert.ok((await digests.prune(scope, 4000)) >= 2);
      assert.equal(await digests.claim(scope, { ...row, at: 5000 }, 4500), true);
    });
  });
}

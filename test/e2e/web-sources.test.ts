// Web sources in a real browser (issue 23): a customer's page on a second loopback origin loads
// the real `@segment/analytics-next` and `@rudderstack/analytics-js`, bundled from the integration
// prompts' snippets exactly as the console shows them, and sends to a Touchpoint on loopback.
// ThinkingData's web SDK is not installable here: its requests are replayed from the page as the
// captures show them (fetch, image, sendBeacon). Nothing may leave loopback.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { projectScope } from '../../src/access/scope.ts';
import { webPrompts } from '../../src/sources/integration-prompts.ts';
import type { StoredEvent } from '../../src/store/repositories/events-repository.ts';
import {
  createIngestFixture,
  type IngestFixture,
  type TestSource,
} from '../ingest/support/ingest-fixture.ts';
import { dataDebugForm, syncJsData, syncJsForm, tdWebEvent, tdWebUser } from '../support/thinkingdata-web.ts';
import { launchBrowser } from './support/browser.ts';
import { bundleModule, startPageServer, type PageServer } from './support/web-page-server.ts';

const TRAITS = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  'Product Name': 'trait with space',
  $email: 'dollar@example.com',
  nested: { a: { b: [1, 2, { c: true }] } },
};
const PROPERTIES = {
  order_id: 'o-1',
  revenue: 9.99,
  'Product Name': 'Café ☕ 😀 名前',
  $price: 12,
  items: [
    { sku: 'a', qty: 2 },
    { sku: 'b', qty: 1 },
  ],
  ok: false,
  none: null,
  big: 12345678901,
  empty: '',
  'key.with.dots': 'dots',
};

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The snippet of the integration prompt, plus the one line the test needs to drive the SDK. */
function pageScript(snippet: string, variable: string): string {
  return `${snippet}\nwindow.__sdk = ${variable};\nwindow.__ready = true;\n`;
}

describe('web sources in Chromium', () => {
  let f: IngestFixture;
  let browser: Browser;
  let pages: PageServer;
  let web: TestSource;
  let limited: TestSource;
  let batching: TestSource;
  let rudderWeb: TestSource;
  let rudderLimited: TestSource;
  let rudderBeacon: TestSource;
  /** Requests the page tried to send beyond loopback (a CDN): must stay empty. */
  const offLoopback: string[] = [];

  before(async () => {
    f = await createIngestFixture('sqlite');
    // Pages must exist before the sources can name their origin: bundle after, with each key.
    const scripts: Record<string, string> = {};
    pages = await startPageServer(scripts);
    const origins = [pages.url];
    const webSource = (rateLimit?: number) =>
      f.createSource({
        appType: 'web',
        platforms: [{ platform: 'web', origins }],
        rateLimit: rateLimit ?? null,
      });
    web = await webSource();
    limited = await webSource(1);
    batching = await webSource();
    rudderWeb = await webSource();
    rudderLimited = await webSource(1);
    rudderBeacon = await webSource();
    const segment = (key: string) => webPrompts(key, f.url)[0]!.code;
    const rudder = (key: string) => webPrompts(key, f.url)[1]!.code;
    // Batching: events wait in the page until the batch is full, its timer fires, or the page hides.
    const batched = segment(batching.appKey).replace(
      "protocol: 'http' }",
      "protocol: 'http',\n    deliveryStrategy: { strategy: 'batching', config: { size: 100, timeout: 60000 } } }",
    );
    const [seg, segLimited, segBatching, rs, rsLimited, rsBeacon] = await Promise.all([
      bundleModule('segment', pageScript(segment(web.appKey), 'analytics')),
      bundleModule('segment-limited', pageScript(segment(limited.appKey), 'analytics')),
      bundleModule('segment-batching', pageScript(batched, 'analytics')),
      bundleModule('rudder', pageScript(rudder(rudderWeb.appKey), 'rudderanalytics')),
      bundleModule('rudder-limited', pageScript(rudder(rudderLimited.appKey), 'rudderanalytics')),
      bundleModule(
        'rudder-beacon',
        pageScript(
          rudder(rudderBeacon.appKey).replace(
            'loadIntegration: false,',
            'loadIntegration: false,\n  useBeacon: true,',
          ),
          'rudderanalytics',
        ),
      ),
    ]);
    Object.assign(scripts, {
      segment: seg,
      'segment-limited': segLimited,
      'segment-batching': segBatching,
      rudder: rs,
      'rudder-limited': rsLimited,
      'rudder-beacon': rsBeacon,
    });
    browser = await launchBrowser({ args: ['--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
    await f?.close();
  });

  async function open(url: string): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
    const context = await browser.newContext();
    const errors: string[] = [];
    // Watched, not routed: Playwright's interception would cut a keepalive request sent while
    // the page goes away. The browser resolves no name at all (see the launch), so nothing can
    // leave loopback; a try is recorded here and fails the test.
    context.on('request', (request) => {
      const target = new URL(request.url());
      if (/^https?:$/.test(target.protocol) && target.hostname !== '127.0.0.1')
        offLoopback.push(request.url());
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    return { page, context, errors };
  }

  const events = (source: TestSource) => f.events(source);
  /** Requests Touchpoint answered on a route (its HTTP metric): which endpoint the SDK used. */
  const answered = async (method: string, route: string): Promise<number> => {
    const metric = await f.deps.metrics.httpRequests.get();
    return metric.values
      .filter(
        (v) => v.metricName?.endsWith('_count') && v.labels.method === method && v.labels.route === route,
      )
      .reduce((sum, v) => sum + v.value, 0);
  };
  const byName = (rows: StoredEvent[]) => Object.fromEntries(rows.map((e) => [e.eventName ?? e.type, e]));

  test('Segment analytics-next: page, identify, track, group, alias, each stored once and intact', async () => {
    const { page, context, errors } = await open(`${pages.url}/segment.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    await page.evaluate(
      async ({ traits, properties }) => {
        const a = (window as unknown as { __sdk: Record<string, (...args: unknown[]) => Promise<unknown>> })
          .__sdk;
        await a.identify!('seg-user-1', traits);
        await a.track!('Order Completed', properties);
        await a.group!('org-9', { name: 'Acme' });
        await a.alias!('seg-user-1', 'anon-before');
      },
      { traits: TRAITS, properties: PROPERTIES },
    );
    const rows = await until(
      () => events(web),
      (r) => r.length >= 5,
      'five Segment events',
    );
    await context.close();
    assert.deepEqual(errors, []);
    const stored = byName(rows);
    assert.deepEqual(Object.keys(stored).sort(), ['Order Completed', 'alias', 'group', 'identify', 'page']);
    assert.equal(rows.length, 5);
    assert.equal(new Set(rows.map((e) => e.messageId)).size, 5);
    assert.deepEqual(stored['Order Completed']!.properties, PROPERTIES);
    assert.equal(stored['Order Completed']!.userId, 'seg-user-1');
    assert.deepEqual(stored.identify!.traits, TRAITS);
    assert.equal(stored.group!.groupId, 'org-9');
    assert.equal(stored.alias!.previousId, 'anon-before');
    assert.equal((stored.page!.context.page as { path: string }).path, '/segment.html');
    assert.deepEqual(offLoopback, []);
  });

  test('Segment analytics-next in batching mode: the batch is flushed with keepalive when the page goes away', async () => {
    const { page, context, errors } = await open(`${pages.url}/segment-batching.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    await page.evaluate(
      ({ properties }) => {
        const a = (window as unknown as { __sdk: Record<string, (...args: unknown[]) => void> }).__sdk;
        a.identify!('seg-user-2', { plan: 'pro' });
        a.track!('Link Clicked', properties);
      },
      { properties: PROPERTIES },
    );
    // Nothing is sent yet (a batch of 100, a 60 s timer); leaving the page flushes it.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await f.count(batching), 0);
    await page.goto('about:blank');
    const rows = await until(
      () => events(batching),
      (r) => r.length >= 3,
      'the flushed batch',
    );
    await context.close();
    assert.deepEqual(errors, []);
    // One request carried them all: events of a request share its receipt time.
    assert.equal(new Set(rows.map((e) => e.receivedAt)).size, 1, 'sent as one batch');
    assert.deepEqual(offLoopback, []);
    assert.deepEqual(Object.keys(byName(rows)).sort(), ['Link Clicked', 'identify', 'page']);
    assert.deepEqual(byName(rows)['Link Clicked']!.properties, PROPERTIES);
    assert.equal(rows.length, 3);
  });

  test('Segment analytics-next against a source limited to 1 event/s: every event arrives through its retries', async () => {
    const { page, context, errors } = await open(`${pages.url}/segment-limited.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    await page.evaluate(() => {
      const a = (window as unknown as { __sdk: { track(name: string, p: object): void } }).__sdk;
      for (let i = 1; i <= 5; i++) void a.track(`Burst ${i}`, { i });
    });
    const rows = await until(
      () => events(limited),
      (r) => r.length >= 6,
      'page + 5 tracks',
      60_000,
    );
    await context.close();
    assert.deepEqual(errors, []);
    assert.deepEqual(
      rows.map((e) => e.eventName ?? e.type).sort(),
      ['Burst 1', 'Burst 2', 'Burst 3', 'Burst 4', 'Burst 5', 'page'].sort(),
    );
    assert.deepEqual(offLoopback, []);
  });

  test('RudderStack analytics-js: config from /sourceConfig/, then page, identify, track, group, alias stored once and intact', async () => {
    const { page, context, errors } = await open(`${pages.url}/rudder.html`);
    const sent: Record<string, unknown>[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/v1/track')) sent.push(JSON.parse(request.postData() ?? '{}'));
    });
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    await page.evaluate(
      ({ traits, properties }) => {
        const r = (window as unknown as { __sdk: Record<string, (...args: unknown[]) => void> }).__sdk;
        r.identify!('rs-user-1', traits);
        r.track!('Order Completed', properties);
        r.group!('org-7', { name: 'Acme' });
        r.alias!('rs-user-1');
      },
      { traits: TRAITS, properties: PROPERTIES },
    );
    const rows = await until(
      () => events(rudderWeb),
      (r) => r.length >= 5,
      'five RudderStack events',
    );
    await context.close();
    assert.deepEqual(errors, []);
    const stored = byName(rows);
    assert.deepEqual(Object.keys(stored).sort(), ['Order Completed', 'alias', 'group', 'identify', 'page']);
    assert.equal(rows.length, 5);
    // The SDK leaves out null-valued properties before sending; everything it sent is stored.
    const { none: _none, ...withoutNull } = PROPERTIES;
    assert.deepEqual(
      sent.map((body) => body.properties),
      [withoutNull],
    );
    assert.deepEqual(stored['Order Completed']!.properties, withoutNull);
    assert.equal(stored['Order Completed']!.userId, 'rs-user-1');
    // RudderStack sends identify's traits in context.traits (profiles read them there too).
    assert.deepEqual(stored.identify!.context.traits, TRAITS);
    assert.equal(stored.group!.groupId, 'org-7');
    assert.equal(stored.alias!.userId, 'rs-user-1');
    assert.deepEqual(offLoopback, []);
  });

  test('RudderStack analytics-js against a source limited to 1 event/s: every event arrives through its retries', async () => {
    const { page, context, errors } = await open(`${pages.url}/rudder-limited.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    await page.evaluate(() => {
      const r = (window as unknown as { __sdk: { track(name: string, p: object): void } }).__sdk;
      for (let i = 1; i <= 3; i++) r.track(`Burst ${i}`, { i });
    });
    const rows = await until(
      () => events(rudderLimited),
      (r) => r.length >= 4,
      'page + 3 tracks',
      180_000,
    );
    await context.close();
    assert.deepEqual(errors, []);
    assert.deepEqual(
      rows.map((e) => e.eventName ?? e.type).sort(),
      ['Burst 1', 'Burst 2', 'Burst 3', 'page'].sort(),
    );
  });

  test('RudderStack analytics-js with useBeacon: events reach /beacon/v1/batch, stored once', async () => {
    const { page, context, errors } = await open(`${pages.url}/rudder-beacon.html`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    await page.evaluate(
      ({ properties }) => {
        const r = (window as unknown as { __sdk: Record<string, (...args: unknown[]) => void> }).__sdk;
        r.track!('Beaconed', properties);
      },
      { properties: PROPERTIES },
    );
    // The beacon queue flushes on its timer or when the page goes away.
    await page.goto('about:blank');
    const rows = await until(
      () => events(rudderBeacon),
      (r) => r.length >= 2,
      'page + beaconed track',
    );
    await context.close();
    assert.deepEqual(errors, []);
    assert.ok((await answered('POST', '/beacon/v1/batch')) > 0, 'the SDK used the beacon endpoint');
    const { none: _none, ...withoutNull } = PROPERTIES;
    assert.deepEqual(byName(rows).Beaconed!.properties, withoutNull);
    assert.equal(rows.length, 2);
  });

  test('ThinkingData web requests (fetch, image, sendBeacon, debug) are stored; one sent 4 times is stored once', async () => {
    const source = await f.createSource({
      appType: 'web',
      platforms: [{ platform: 'web', origins: [pages.url] }],
    });
    const { page, context, errors } = await open(`${pages.url}/td.html`);
    const user = tdWebUser('td-user-browser');
    const key = source.appKey;
    const answers = await page.evaluate(
      async ({ base, ajax, image, beaconData, debugForm }) => {
        const ajaxAnswer = await (
          await fetch(`${base}/sync_js`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: ajax,
          })
        ).json();
        const imageLoaded = await new Promise<boolean>((resolve) => {
          const img = new Image();
          img.onload = () => resolve(img.naturalWidth === 1);
          img.onerror = () => resolve(false);
          img.src = `${base}/sync_js?${image}`;
        });
        const form = new FormData();
        form.set('data', beaconData);
        const beaconQueued = navigator.sendBeacon(`${base}/sync_js`, form);
        // Debug mode: the SDK got no answer it could use and sent the same request 3 more times.
        const debugAnswers = [];
        for (let i = 0; i < 4; i++)
          debugAnswers.push(
            await (
              await fetch(`${base}/data_debug`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: debugForm,
              })
            ).json(),
          );
        return { ajaxAnswer, imageLoaded, beaconQueued, debugAnswers };
      },
      {
        base: f.url,
        ajax: syncJsForm(key, [tdWebEvent(user, 'track', PROPERTIES, 'purchase')]),
        image: syncJsForm(key, [tdWebEvent(user, 'user_set', { email: 'td@example.com', $tier: 'gold' })]),
        beaconData: syncJsData(key, [
          tdWebEvent(user, 'track', { 'Product Name': 'beacon ☕' }, 'unload_beacon'),
        ]),
        debugForm: dataDebugForm(key, user, tdWebEvent(user, 'user_add', { coins: 5, play_time: 1.5 })),
      },
    );
    assert.deepEqual(answers.ajaxAnswer, { code: 0, accepted: 1, rejected: [] });
    assert.equal(answers.imageLoaded, true);
    assert.equal(answers.beaconQueued, true);
    assert.deepEqual(answers.debugAnswers, [
      { errorLevel: 0 },
      { errorLevel: 0 },
      { errorLevel: 0 },
      { errorLevel: 0 },
    ]);
    const rows = await until(
      () => f.events(source),
      (r) => r.length >= 4,
      'four ThinkingData events',
    );
    await context.close();
    assert.deepEqual(errors, []);
    assert.deepEqual(rows.map((e) => e.eventName ?? e.type).sort(), [
      'purchase',
      'unload_beacon',
      'user_add',
      'user_set',
    ]);
    const purchase = byName(rows).purchase!;
    for (const [k, v] of Object.entries(PROPERTIES)) assert.deepEqual(purchase.properties[k], v, k);
    await f.deps.profiles.applier.applyPending({ settleMs: 0 });
    const profile = await f.deps.profiles.findByIdentity(
      projectScope(source.projectId),
      'distinct_id',
      user.device,
    );
    assert.equal(profile?.properties.coins, 5, 'user_add applied once');
    assert.equal(profile?.properties.email, 'td@example.com');
  });

  test('from a disallowed origin: nothing stored, the page reads a coded 403, the refusal shows in verify', async () => {
    const source = await f.createSource({
      appType: 'web',
      platforms: [{ platform: 'web', origins: [pages.url] }],
    });
    const { page, context } = await open(`${pages.otherUrl}/td.html`);
    const answer = await page.evaluate(
      async ({ url, body }) => {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
        return { status: res.status, body: await res.json() };
      },
      {
        url: `${f.url}/v1/t`,
        body: JSON.stringify({
          type: 'track',
          event: 'x',
          userId: 'u',
          writeKey: source.appKey,
          messageId: 'evil-1',
        }),
      },
    );
    await context.close();
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.code, 'TP_ERR_INGEST_ORIGIN_FORBIDDEN');
    assert.equal(await f.count(source), 0);
    const verify = await until(
      async () => {
        const res = await fetch(`${f.url}/api/v1/projects/${source.projectId}/sources/${source.id}/verify`, {
          headers: { authorization: `Bearer ${f.project.token}` },
        });
        return ((await res.json()) as { items: { verdict: string; reasons: { code: string }[] }[] }).items;
      },
      (items) => items.length > 0,
      'the refusal in verify',
    );
    assert.equal(verify[0]!.verdict, 'refused');
    assert.equal(verify[0]!.reasons[0]!.code, 'TP_ERR_INGEST_ORIGIN_FORBIDDEN');
  });
});

// Overload, rate limit, unavailable database, slow clients and poisoned requests (RELIABILITY §3.3).
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { test } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { testPostgresUrl } from '../support/stores.ts';
import { rawRequest } from './support/raw-http.ts';
import { basic, createIngestFixture, postJson } from './support/ingest-fixture.ts';

let seq = 0;
const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Clicked',
  userId: 'u-1',
  messageId: `f-${process.pid}-${++seq}`,
  ...extra,
});

/**
 * Holds SQLite's write lock from a second connection, as another process would. node:sqlite waits
 * for a lock synchronously, so the server's event loop stalls for up to busy_timeout meanwhile.
 */
function holdWriteLock(dataDir: string): () => void {
  const blocker = new DatabaseSync(join(dataDir, 'touchpoint.db'));
  blocker.exec('BEGIN IMMEDIATE');
  return () => {
    blocker.exec('ROLLBACK');
    blocker.close();
  };
}

test('ING-20 per-source rate limit: 429 + Retry-After for the flooding source only; instance default applies', async () => {
  const f = await createIngestFixture('sqlite', { TOUCHPOINT_INGEST_RATE_LIMIT: '5' });
  try {
    // 2 events/s, first charged 6: the debt takes ≥ 2.5 s to pay off, so the next request is
    // refused even on a slow, loaded machine (one-sided bound with ≥ 5× slack).
    const limited = await f.createSource({ rateLimit: 2 });
    const other = await f.createSource({ rateLimit: 100_000 });
    const byDefault = await f.createSource();
    const send = (appKey: string, n: number) =>
      postJson(
        `${f.url}/v1/batch`,
        { batch: Array.from({ length: n }, () => track()) },
        { authorization: basic(appKey) },
      );
    assert.equal((await send(limited.appKey, 6)).status, 200);
    const [refused, ...others] = await Promise.all([
      send(limited.appKey, 1),
      ...Array.from({ length: 20 }, () => send(other.appKey, 10)),
    ]);
    assert.equal(refused!.status, 429);
    assert.equal((refused!.json.error as { code: string }).code, 'TP_ERR_INGEST_RATE_LIMITED');
    const retryAfter = Number(refused!.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After ${retryAfter}`);
    assert.deepEqual(new Set(others.map((r) => r.status)), new Set([200]));
    assert.equal(await f.count(other), 200);
    assert.equal(await f.count(limited), 6);
    // Honouring Retry-After works.
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    assert.equal((await send(limited.appKey, 1)).status, 200);
    // No own limit: the instance default of 5 events/s.
    assert.equal((await send(byDefault.appKey, 5)).status, 200);
    assert.equal((await send(byDefault.appKey, 1)).status, 429);
  } finally {
    await f.close();
  }
});

test('ING-21 SQLite locked beyond busy_timeout: 503 + Retry-After, no 2xx; after release the retry is stored once', async () => {
  const f = await createIngestFixture('sqlite', { TOUCHPOINT_SQLITE_BUSY_TIMEOUT_MS: '200' });
  try {
    const s = await f.createSource();
    const e = track();
    const release = holdWriteLock(f.t.db.dataDir);
    let locked;
    try {
      locked = await postJson(`${f.url}/v1/batch`, { batch: [e] }, { authorization: basic(s.appKey) });
    } finally {
      release();
    }
    assert.equal(locked.status, 503);
    assert.equal((locked.json.error as { code: string }).code, 'TP_ERR_INGEST_STORE_UNAVAILABLE');
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    assert.equal(await f.count(s, { messageId: e.messageId }), 0);
    const retry = await postJson(`${f.url}/v1/batch`, { batch: [e] }, { authorization: basic(s.appKey) });
    assert.equal(retry.status, 200);
    assert.equal(await f.count(s, { messageId: e.messageId }), 1);
  } finally {
    await f.close();
  }
});

test('ING-21 PostgreSQL down (fault proxy resets every connection): 503, then the real SDK retry stores the event once', async () => {
  const target = new URL(testPostgresUrl);
  const proxy = await startFaultProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(testPostgresUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const f = await createIngestFixture('postgres', { DATABASE_URL: viaProxy.toString() });
  try {
    const s = await f.createSource();
    // Warm the key lookup path, then cut the database off.
    assert.equal(
      (await postJson(`${f.url}/v1/batch`, { batch: [track()] }, { authorization: basic(s.appKey) })).status,
      200,
    );
    proxy.set('reset');
    const e = track();
    const down = await postJson(`${f.url}/v1/batch`, { batch: [e] }, { authorization: basic(s.appKey) });
    assert.equal(down.status, 503, JSON.stringify(down.json));
    assert.ok(Number(down.headers.get('retry-after')) >= 1);

    const analytics = new SegmentAnalytics({
      writeKey: s.appKey,
      host: f.url,
      maxRetries: 20,
      flushInterval: 10,
    });
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    analytics.track({ userId: 'sdk-user', event: 'During outage', messageId: 'outage-1' } as never);
    setTimeout(() => proxy.set('pass'), 700);
    await analytics.closeAndFlush({ timeout: 20_000 });
    assert.deepEqual(errors, []);
    assert.equal(await f.count(s, { messageId: 'outage-1' }), 1);
    assert.equal(await f.count(s, { messageId: e.messageId }), 0);
  } finally {
    await f.close();
    await proxy.close();
  }
});

test('overload: with the commit queue over its bound, 503 + Retry-After before the body is read', async () => {
  const f = await createIngestFixture('sqlite', {
    TOUCHPOINT_INGEST_QUEUE_MAX_EVENTS: '1',
    TOUCHPOINT_TEST_FAULTS: '1',
  });
  try {
    const s = await f.createSource();
    // A commit held open for a second (test fault point) keeps one event queued.
    const first = postJson(
      `${f.url}/v1/batch`,
      { batch: [track()] },
      { authorization: basic(s.appKey), 'x-touchpoint-test-fault': 'pause-commit' },
    );
    await new Promise((r) => setTimeout(r, 200));
    const shed = await rawRequest(
      f.url,
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(s.appKey)}\r\nContent-Length: 400000\r\n\r\n`,
      () => null,
      { pauseMs: 1000 },
    );
    assert.equal(shed.status, 503);
    assert.match(shed.body, /TP_ERR_INGEST_OVERLOADED/);
    assert.match(shed.head, /retry-after: \d+/i);
    assert.equal(shed.bodyBytesWritten, 0);
    assert.equal((await first).status, 200);
    // Once the queue drains, requests are taken again.
    assert.equal(
      (await postJson(`${f.url}/v1/batch`, { batch: [track()] }, { authorization: basic(s.appKey) })).status,
      200,
    );
  } finally {
    await f.close();
  }
});

test('ING-23 slowloris (headers, then 1 byte per second): 408 and closed within the body timeout; others served meanwhile', async () => {
  const f = await createIngestFixture('sqlite', { TOUCHPOINT_INGEST_BODY_TIMEOUT_MS: '300' });
  try {
    const s = await f.createSource();
    const started = performance.now();
    const slow = rawRequest(
      f.url,
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(s.appKey)}\r\nContent-Length: 1000\r\n\r\n`,
      (written) => (written === 0 ? Buffer.from('{') : null),
      { pauseMs: 1000 },
    );
    const other = await postJson(
      `${f.url}/v1/batch`,
      { batch: [track()] },
      { authorization: basic(s.appKey) },
    );
    assert.equal(other.status, 200);
    const r = await slow;
    const elapsed = performance.now() - started;
    assert.equal(r.status, 408);
    assert.match(r.body, /TP_ERR_INGEST_BODY_TIMEOUT/);
    assert.ok(r.closed, 'connection closed');
    assert.ok(elapsed < 1500, `answered after ${elapsed} ms (limit 300 ms, 5× slack)`);
  } finally {
    await f.close();
  }
});

test('one poisoned request among 20 concurrent on PostgreSQL: the other 19 get 200 with their events stored', async () => {
  const f = await createIngestFixture('postgres', { TOUCHPOINT_TEST_FAULTS: '1' });
  try {
    const s = await f.createSource();
    const requests = Array.from({ length: 20 }, (_, i) => ({
      events: Array.from({ length: 5 }, () => track()),
      poisoned: i === 7,
    }));
    const answers = await Promise.all(
      requests.map((r) =>
        postJson(
          `${f.url}/v1/batch`,
          { batch: r.events },
          {
            authorization: basic(s.appKey),
            ...(r.poisoned ? { 'x-touchpoint-test-fault': 'fail-commit' } : {}),
          },
        ),
      ),
    );
    for (const [i, r] of requests.entries()) {
      const stored = await Promise.all(r.events.map((e) => f.count(s, { messageId: e.messageId })));
      if (r.poisoned) {
        assert.equal(answers[i]!.status, 503);
        assert.deepEqual(stored, [0, 0, 0, 0, 0]);
      } else {
        assert.equal(answers[i]!.status, 200, `request ${i}`);
        assert.deepEqual(stored, [1, 1, 1, 1, 1]);
      }
    }
    // A poison PostgreSQL cannot store (U+0000) is refused per event before the commit.
    const nul = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postJson(
          `${f.url}/v1/batch`,
          { batch: [track(i === 3 ? { properties: { s: 'a\u0000' } } : {}), track()] },
          { authorization: basic(s.appKey) },
        ),
      ),
    );
    assert.deepEqual(new Set(nul.map((r) => r.status)), new Set([200]));
    assert.equal((nul[3]!.json.rejected as { code: string }[])[0]!.code, 'TP_ERR_INGEST_INVALID_STRING');
    assert.equal(
      nul.reduce((n, r) => n + Number(r.json.accepted), 0),
      39,
    );
  } finally {
    await f.close();
  }
});

// RELIABILITY §3.3 (ING-*) and MT-13 through real HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { storeKinds } from '../support/stores.ts';
import { rawRequest } from './support/raw-http.ts';
import {
  basic,
  createIngestFixture,
  postJson,
  type IngestFixture,
  type TestSource,
} from './support/ingest-fixture.ts';

let seq = 0;
const uid = (prefix = 'm') => `${prefix}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Clicked',
  userId: 'u-1',
  messageId: uid(),
  properties: { n: 1 },
  ...extra,
});

function assertErrorBody(json: Record<string, unknown>, code: string): void {
  const error = json.error as { code: string; message: string; requestId: string };
  assert.equal(error.code, code, JSON.stringify(json));
  assert.ok(error.message.length > 10);
  assert.ok(error.requestId.length > 0);
}

describe('ingest reliability [sqlite]', () => {
  let f: IngestFixture;
  let s: TestSource;
  const batch = (body: unknown, headers: Record<string, string> = {}) =>
    postJson(`${f.url}/v1/batch`, body, { authorization: basic(s.appKey), ...headers });
  before(async () => {
    f = await createIngestFixture('sqlite');
    s = await f.createSource();
  });
  after(async () => {
    await f?.close();
  });

  test('ING-01 valid batch: 200 after commit, rows readable right after the answer', async () => {
    const events = [
      track(),
      track({ type: 'identify', traits: { plan: 'pro' } }),
      track({ type: 'page', name: 'Home' }),
    ];
    const r = await batch({ batch: events });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { accepted: 3, rejected: [] });
    for (const e of events) assert.equal(await f.count(s, { messageId: e.messageId }), 1);
  });

  test('ING-02 missing / unknown key / wrong secret / deleted source: 401, the body is never read', async () => {
    const before = await f.count(s);
    const missing = await postJson(`${f.url}/v1/batch`, { batch: [track()] });
    assert.equal(missing.status, 401);
    assertErrorBody(missing.json, 'TP_ERR_INGEST_KEY_INVALID');
    // An unknown key in the header is refused before the (invalid) body is parsed: 401, not 400.
    const unknown = await postJson(`${f.url}/v1/batch`, '{not json', { authorization: basic('nope') });
    assert.equal(unknown.status, 401);
    assertErrorBody(unknown.json, 'TP_ERR_INGEST_KEY_INVALID');
    const wrong = await postJson(
      `${f.url}/v1/batch`,
      { batch: [track()] },
      { authorization: basic(s.appKey, 'wrong-secret') },
    );
    assert.equal(wrong.status, 401);
    assertErrorBody(wrong.json, 'TP_ERR_INGEST_SECRET_MISMATCH');
    // Headers only, a 400 KB body announced and never sent: the answer comes without it.
    const raw = await rawRequest(
      f.url,
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('nope')}\r\nContent-Length: 400000\r\n\r\n`,
      () => null,
      { pauseMs: 1000 },
    );
    assert.equal(raw.status, 401);
    assert.equal(raw.bodyBytesWritten, 0);
    const doomed = await f.createSource();
    await f.deps.sources.deleteSource(f.project.caller, f.project.access, doomed.id);
    const deleted = await postJson(
      `${f.url}/v1/batch`,
      { batch: [track()] },
      { authorization: basic(doomed.appKey) },
    );
    assert.equal(deleted.status, 401);
    assertErrorBody(deleted.json, 'TP_ERR_INGEST_KEY_INVALID');
    assert.equal(await f.count(s), before);
  });

  test('ING-03 / MT-13 a key presented with another source’s key (header vs body, header vs form): 401, nothing written', async () => {
    const other = await f.createProject('Other tenant');
    const b = await f.createSource({ project: other });
    const beforeA = await f.count(s);
    const headerVsBody = await postJson(
      `${f.url}/v1/batch`,
      { writeKey: b.appKey, batch: [track()] },
      { authorization: basic(s.appKey) },
    );
    assert.equal(headerVsBody.status, 401);
    const form = new URLSearchParams({
      data: JSON.stringify({
        '#type': 'track',
        '#time': '2026-01-02 03:04:05.000',
        '#distinct_id': 'd',
        '#event_name': 'e',
        properties: {},
      }),
      appid: b.appKey,
      dryRun: '0',
    }).toString();
    const headerVsForm = await postJson(`${f.url}/data_debug`, form, {
      appid: s.appKey,
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(headerVsForm.status, 401);
    assert.equal(await f.count(s), beforeA);
    assert.equal(await f.count(b), 0);
  });

  test('ING-04 invalid JSON (with byte offset), array instead of object, truncated body: 400', async () => {
    const invalid = await batch('{"batch": [}');
    assert.equal(invalid.status, 400);
    assertErrorBody(invalid.json, 'TP_ERR_INVALID_JSON');
    const positioned = await batch('{"batch": [] x');
    assert.equal(positioned.status, 400);
    assert.equal((positioned.json.error as { details: { position?: number } }).details.position, 13);
    const array = await batch([track()]);
    assert.equal(array.status, 400);
    assertErrorBody(array.json, 'TP_ERR_INGEST_MALFORMED');
    const truncated = await batch(JSON.stringify({ batch: [track()] }).slice(0, 30));
    assert.equal(truncated.status, 400);
    assertErrorBody(truncated.json, 'TP_ERR_INVALID_JSON');
  });

  test('ING-05 missing field / wrong type / unknown type: listed by 1-based index with the field, the rest stored', async () => {
    const good = track();
    const r = await batch({
      batch: [
        good,
        { type: 'track', userId: 'u', messageId: uid() },
        track({ userId: { id: 1 } }),
        track({ type: 'purchase' }),
      ],
    });
    assert.equal(r.status, 200);
    const rejected = r.json.rejected as { index: number; code: string; message: string }[];
    assert.equal(r.json.accepted, 1);
    assert.deepEqual(
      rejected.map((x) => [x.index, x.code]),
      [
        [2, 'TP_ERR_INGEST_EVENT_INVALID'],
        [3, 'TP_ERR_INGEST_EVENT_INVALID'],
        [4, 'TP_ERR_INGEST_EVENT_TYPE_UNKNOWN'],
      ],
    );
    assert.match(rejected[0]!.message, /event/);
    assert.match(rejected[1]!.message, /userId/);
    assert.equal(await f.count(s, { messageId: good.messageId }), 1);
  });

  test('ING-06 Content-Length over the cap: 413 before any body byte is sent', async () => {
    const r = await rawRequest(
      f.url,
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(s.appKey)}\r\nContent-Length: 10000000\r\n\r\n`,
      () => null,
      { pauseMs: 1000 },
    );
    assert.equal(r.status, 413);
    assert.match(r.body, /TP_ERR_INGEST_BODY_TOO_LARGE/);
    assert.equal(r.bodyBytesWritten, 0);
  });

  test('ING-07 chunked body over the cap: 413 once crossed, connection closed, about the cap read', async () => {
    const chunk = Buffer.from(`${(64 * 1024).toString(16)}\r\n${'x'.repeat(64 * 1024)}\r\n`);
    const total = 20 * 1024 * 1024;
    const r = await rawRequest(
      f.url,
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(s.appKey)}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      (written) => (written < total ? chunk : undefined),
    );
    assert.equal(r.status, 413);
    assert.match(r.body, /TP_ERR_INGEST_BODY_TOO_LARGE/);
    assert.ok(r.closed, 'the server closes the connection');
    // What the client managed to write is the cap plus socket buffers, far from the 20 MB body.
    assert.ok(r.bodyBytesWritten < 10 * 1024 * 1024, `wrote ${r.bodyBytesWritten}`);
  });

  test('ING-08 gzip bomb (≈500 MB of zeros in <516 KB): 413 decoded_too_large, memory and time bounded', async () => {
    const bomb = gzipSync(Buffer.alloc(400 * 1024 * 1024), { level: 9 });
    assert.ok(bomb.length < 516 * 1024);
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    const r = await postJson(`${f.url}/v1/batch`, new Uint8Array(bomb), {
      authorization: basic(s.appKey),
      'content-encoding': 'gzip',
    });
    const elapsed = performance.now() - started;
    assert.equal(r.status, 413);
    assertErrorBody(r.json, 'TP_ERR_INGEST_DECODED_TOO_LARGE');
    assert.ok(process.memoryUsage().rss - rss < 100 * 1024 * 1024, 'RSS grew far less than the expansion');
    assert.ok(elapsed < 2000, `answered in ${elapsed} ms`);
  });

  test('ING-09 deflate, br, zstd bounded like gzip; unknown Content-Encoding or compress: 415', async () => {
    for (const [encoding, compress] of [
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
      ['zstd', zstdCompressSync],
      ['gzip', gzipSync],
    ] as const) {
      const e = track();
      const r = await postJson(
        `${f.url}/v1/batch`,
        new Uint8Array(compress(Buffer.from(JSON.stringify({ batch: [e] })))),
        {
          authorization: basic(s.appKey),
          'content-encoding': encoding,
        },
      );
      assert.equal(r.status, 200, encoding);
      assert.equal(await f.count(s, { messageId: e.messageId }), 1, encoding);
    }
    const unknown = await batch({ batch: [track()] }, { 'content-encoding': 'lzma' });
    assert.equal(unknown.status, 415);
    assertErrorBody(unknown.json, 'TP_ERR_INGEST_UNSUPPORTED_ENCODING');
    const te = await postJson(`${f.url}/sync_server`, '[]', { appid: s.appKey, compress: 'snappy' });
    assert.equal(te.status, 415);
  });

  test('ING-10 corrupt gzip stream: 400 invalid_encoding, not 500', async () => {
    const gz = gzipSync(Buffer.from(JSON.stringify({ batch: [track()] })));
    gz[gz.length - 6] = gz[gz.length - 6]! ^ 0xff; // breaks the CRC
    const corrupt = await postJson(`${f.url}/v1/batch`, new Uint8Array(gz), {
      authorization: basic(s.appKey),
      'content-encoding': 'gzip',
    });
    assert.equal(corrupt.status, 400);
    assertErrorBody(corrupt.json, 'TP_ERR_INGEST_INVALID_ENCODING');
    const garbage = await postJson(`${f.url}/v1/batch`, 'definitely not gzip', {
      authorization: basic(s.appKey),
      'content-encoding': 'gzip',
    });
    assert.equal(garbage.status, 400);
    assertErrorBody(garbage.json, 'TP_ERR_INGEST_INVALID_ENCODING');
  });

  test('ING-11 2,501 events: 413 naming the limit, nothing stored', async () => {
    const before = await f.count(s);
    const events = Array.from({ length: 2501 }, () => ({
      type: 'track',
      event: 'e',
      userId: 'u',
      messageId: uid(),
    }));
    const r = await batch({ batch: events });
    assert.equal(r.status, 413);
    assertErrorBody(r.json, 'TP_ERR_INGEST_TOO_MANY_EVENTS');
    assert.match((r.json.error as { message: string }).message, /2500/);
    assert.equal(await f.count(s), before);
    const ok = await batch({ batch: events.slice(0, 2500) });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.accepted, 2500);
  });

  test('ING-12 one event over 32 KB in a valid batch: rejected by index, the others stored', async () => {
    const big = track({ properties: { blob: 'x'.repeat(33 * 1024) } });
    const small = track();
    const r = await batch({ batch: [small, big] });
    assert.equal(r.status, 200);
    assert.deepEqual(
      (r.json.rejected as { index: number; code: string }[]).map((x) => [x.index, x.code]),
      [[2, 'TP_ERR_INGEST_EVENT_TOO_LARGE']],
    );
    assert.equal(await f.count(s, { messageId: small.messageId }), 1);
    assert.equal(await f.count(s, { messageId: big.messageId }), 0);
  });

  test('ING-13 10,000-level nesting, huge array, 1 MB string, NUL and lone surrogates: 4xx or per-event verdicts, never 500', async () => {
    const deep = `{"batch":[{"type":"track","event":"e","userId":"u","messageId":"${uid()}","properties":{"p":${'['.repeat(10000)}${']'.repeat(10000)}}}]}`;
    const r1 = await batch(deep);
    assert.equal(r1.status, 200);
    assert.equal((r1.json.rejected as { code: string }[])[0]!.code, 'TP_ERR_INGEST_EVENT_TOO_DEEP');
    const r2 = await batch({
      batch: [track({ properties: { list: Array.from({ length: 100_000 }, () => 1) } })],
    });
    assert.equal(r2.status, 200);
    assert.equal((r2.json.rejected as { code: string }[])[0]!.code, 'TP_ERR_INGEST_EVENT_TOO_LARGE');
    const r3 = await batch({ batch: [track({ properties: { s: 'y'.repeat(1024 * 1024) } })] });
    assert.equal(r3.status, 413);
    const nul = track({ properties: { s: 'a\u0000b' } });
    const key = track({ properties: { 'k\u0000': 1 } });
    const ok = track();
    const surrogate = `{"type":"track","event":"e","userId":"u","messageId":"${uid()}","properties":{"s":"\\ud800x"}}`;
    const body = `{"batch":[${JSON.stringify(nul)},${JSON.stringify(key)},${surrogate},${JSON.stringify(ok)}]}`;
    const r4 = await batch(body);
    assert.equal(r4.status, 200);
    assert.deepEqual(
      (r4.json.rejected as { index: number; code: string }[]).map((x) => [x.index, x.code]),
      [
        [1, 'TP_ERR_INGEST_INVALID_STRING'],
        [2, 'TP_ERR_INGEST_INVALID_STRING'],
        [3, 'TP_ERR_INGEST_INVALID_STRING'],
      ],
    );
    assert.equal(await f.count(s, { messageId: ok.messageId }), 1);
  });

  test('ING-14 timestamps 10 years ahead, before 1971, non-numeric: rejected per event with the reason', async () => {
    const future = new Date(Date.now() + 10 * 365 * 86_400_000).toISOString();
    const r = await batch({
      batch: [
        track({ timestamp: future }),
        track({ timestamp: '1960-01-01T00:00:00Z' }),
        track({ timestamp: 'yesterday' }),
        track(),
      ],
    });
    assert.equal(r.status, 200);
    assert.equal(r.json.accepted, 1);
    assert.deepEqual(
      (r.json.rejected as { code: string }[]).map((x) => x.code),
      [
        'TP_ERR_INGEST_TIME_OUT_OF_RANGE',
        'TP_ERR_INGEST_TIME_OUT_OF_RANGE',
        'TP_ERR_INGEST_TIME_OUT_OF_RANGE',
      ],
    );
  });

  test('ING-15 the same id twice in one batch: stored once, both acknowledged', async () => {
    const e = track();
    const r = await batch({ batch: [e, e] });
    assert.deepEqual(r.json, { accepted: 2, rejected: [] });
    assert.equal(await f.count(s, { messageId: e.messageId }), 1);
  });

  test('ING-16 the same batch re-sent after a timeout: 200, stored once', async () => {
    const events = [track(), track()];
    assert.equal((await batch({ batch: events })).status, 200);
    assert.equal((await batch({ batch: events })).status, 200);
    for (const e of events) assert.equal(await f.count(s, { messageId: e.messageId }), 1);
  });

  test('ING-18 the same id from two sources of two tenants: both stored', async () => {
    const other = await f.createProject('Tenant two');
    const b = await f.createSource({ project: other });
    const e = track();
    assert.equal((await batch({ batch: [e] })).status, 200);
    assert.equal(
      (await postJson(`${f.url}/v1/batch`, { batch: [e] }, { authorization: basic(b.appKey) })).status,
      200,
    );
    assert.equal(await f.count(s, { messageId: e.messageId }), 1);
    assert.equal(await f.count(b, { messageId: e.messageId }), 1);
  });

  test('ING-19 different events reusing one id: the second is dropped and counted as a duplicate', async () => {
    const id = uid();
    const metric = async () => {
      const m = await f.deps.metrics.registry.getSingleMetric('touchpoint_ingest_events_total')!.get();
      return m.values.find((v) => v.labels.outcome === 'duplicate')?.value ?? 0;
    };
    const before = await metric();
    await batch({ batch: [track({ messageId: id, event: 'First' })] });
    await batch({ batch: [track({ messageId: id, event: 'Second' })] });
    const rows = await f.events(s, { messageId: id });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.eventName, 'First');
    assert.equal((await metric()) - before, 1);
  });

  test('ING-24 Content-Type is ignored (form, text, none, ThinkingData plaintext)', async () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream']) {
      const e = track();
      const r = await batch({ batch: [e] }, { 'content-type': type });
      assert.equal(r.status, 200, type);
      assert.equal(await f.count(s, { messageId: e.messageId }), 1);
    }
    const e = track();
    const none = await rawRequest(
      f.url,
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(s.appKey)}\r\nContent-Length: ${Buffer.byteLength(JSON.stringify({ batch: [e] }))}\r\n\r\n`,
      (written) => (written === 0 ? Buffer.from(JSON.stringify({ batch: [e] })) : undefined),
    );
    assert.equal(none.status, 200);
    assert.equal(await f.count(s, { messageId: e.messageId }), 1);
  });

  test('ING-25 error bodies carry code, message and request id; never the key, the secret or the payload', async () => {
    const canarySecret = 'CANARY-SECRET-7f3a';
    const canaryPayload = 'CANARY-PAYLOAD-91bc';
    const cases = [
      await postJson(
        `${f.url}/v1/batch`,
        { batch: [track()] },
        { authorization: basic(s.appKey, canarySecret) },
      ),
      await postJson(`${f.url}/v1/batch`, `{"batch":[${canaryPayload}`, { authorization: basic(s.appKey) }),
      await postJson(`${f.url}/v1/batch`, { writeKey: `CANARY-KEY-${canarySecret}`, batch: [] }),
    ];
    for (const r of cases) {
      const text = JSON.stringify(r.json);
      assert.ok(r.status >= 400);
      assert.ok(
        !text.includes(canarySecret) && !text.includes(canaryPayload) && !text.includes(s.appKey),
        text,
      );
      const error = r.json.error as { code: string; message: string; requestId: string };
      assert.match(error.code, /^TP_ERR_/);
      assert.equal(error.requestId, r.headers.get('x-request-id'));
    }
  });

  test('Segment single calls and short forms, settings document, ThinkingData single object', async () => {
    const paths = ['track', 't', 'identify', 'i', 'page', 'p', 'screen', 's', 'group', 'g', 'alias', 'a'];
    for (const path of paths) {
      const e = {
        userId: 'u-9',
        event: 'E',
        groupId: 'g',
        previousId: 'old',
        messageId: uid(),
        writeKey: s.appKey,
      };
      const r = await postJson(`${f.url}/v1/${path}`, e);
      assert.equal(r.status, 200, path);
      const [row] = await f.events(s, { messageId: e.messageId });
      assert.ok(row, path);
      assert.equal(row.type.slice(0, 1), path.slice(0, 1));
    }
    const settings = await fetch(`${f.url}/v1/projects/${s.appKey}/settings`);
    assert.equal(settings.status, 200);
    const doc = (await settings.json()) as {
      integrations: Record<string, { apiKey: string; apiHost: string }>;
    };
    assert.equal(doc.integrations['Segment.io']!.apiKey, s.appKey);
    assert.match(doc.integrations['Segment.io']!.apiHost, /\/v1$/);
    assert.equal((await fetch(`${f.url}/v1/projects/unknown-key/settings`)).status, 401);
    assert.equal((await postJson(`${f.url}/v1/x`, { writeKey: s.appKey })).status, 404);
  });

  test('#ops_receipt_properties is stored apart and findable by ops_request_id', async () => {
    const e = track({
      properties: { n: 2, '#ops_receipt_properties': { ops_request_id: 'req-42', ops_project_id: 1 } },
    });
    await batch({ batch: [e] });
    const [row] = await f.events(s, { opsRequestId: 'req-42' });
    assert.ok(row);
    assert.deepEqual(row.properties, { n: 2 });
    assert.deepEqual(row.receiptProperties, { ops_request_id: 'req-42', ops_project_id: 1 });
    const reserved = await batch({ batch: [track({ properties: { '#lib': 'x' } })] });
    assert.equal((reserved.json.rejected as { code: string }[])[0]!.code, 'TP_ERR_INGEST_INVALID_KEY');
  });

  test('server secret: Basic password or writeKey "key:secret"; ThinkingData answers secret_required; web origins', async () => {
    const secured = await f.createSource({ platforms: [{ platform: 'server', requireSecret: true }] });
    const e1 = track();
    assert.equal(
      (await postJson(`${f.url}/v1/batch`, { batch: [e1] }, { authorization: basic(secured.appKey) })).status,
      401,
    );
    assert.equal(
      (
        await postJson(
          `${f.url}/v1/batch`,
          { batch: [e1] },
          { authorization: basic(secured.appKey, secured.secret) },
        )
      ).status,
      200,
    );
    const e2 = track();
    assert.equal(
      (
        await postJson(
          `${f.url}/v1/batch`,
          { batch: [e2] },
          { authorization: basic(`${secured.appKey}:${secured.secret}`) },
        )
      ).status,
      200,
    );
    const e3 = track();
    assert.equal(
      (await postJson(`${f.url}/v1/batch`, { batch: [e3], writeKey: `${secured.appKey}:${secured.secret}` }))
        .status,
      200,
    );
    assert.equal(await f.count(secured), 3);
    const te = await postJson(`${f.url}/sync_server`, '[]', { appid: secured.appKey });
    assert.equal(te.status, 401);
    assertErrorBody(te.json, 'TP_ERR_INGEST_SECRET_REQUIRED');

    const web = await f.createSource({
      appType: 'web',
      platforms: [{ platform: 'web', origins: ['https://shop.example.com'] }],
    });
    const allowed = await postJson(`${f.url}/v1/t`, track({ writeKey: web.appKey }), {
      origin: 'https://shop.example.com',
    });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    const denied = await postJson(`${f.url}/v1/t`, track({ writeKey: web.appKey }), {
      origin: 'https://evil.example.com',
    });
    assert.equal(denied.status, 403);
    assertErrorBody(denied.json, 'TP_ERR_INGEST_ORIGIN_FORBIDDEN');
    assert.equal(await f.count(web), 1);
  });
});

for (const kind of storeKinds) {
  describe(`ingest concurrency [${kind}]`, () => {
    let f: IngestFixture;
    let s: TestSource;
    before(async () => {
      f = await createIngestFixture(kind);
      s = await f.createSource();
    });
    after(async () => {
      await f?.close();
    });

    test('ING-17 50 concurrent identical requests: all 200, exactly one row per event id', async () => {
      const events = Array.from({ length: 20 }, () => track());
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          postJson(`${f.url}/v1/batch`, { batch: events }, { authorization: basic(s.appKey) }),
        ),
      );
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      for (const e of events) assert.equal(await f.count(s, { messageId: e.messageId }), 1);
    });
  });
}

for (const kind of storeKinds) {
  describe(`ingest never changes data quietly [${kind}]`, () => {
    let f: IngestFixture;
    let s: TestSource;
    before(async () => {
      f = await createIngestFixture(kind);
      s = await f.createSource();
    });
    after(async () => {
      await f?.close();
    });

    const codes = (json: Record<string, unknown>) =>
      (json.rejected as { index: number; code: string }[]).map((x) => [x.index, x.code]);
    /** The verify view's rejected entries carrying `code` (its writes are asynchronous). */
    async function verifyRejections(code: string, atLeast: number) {
      const scope = { kind: 'project' as const, projectId: s.projectId };
      for (let i = 0; ; i++) {
        const found = (await f.deps.verify.recent(scope, s.id)).filter(
          (e) => e.verdict === 'rejected' && e.reasons.some((r) => r.code === code),
        );
        if (found.length >= atLeast || i > 100) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    const bytes = (...parts: (string | Buffer)[]) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    const latin1 = Buffer.from([0x66, 0xe9, 0x74, 0xe9]); // "fété" in Latin-1: not UTF-8

    test('ING-13 Segment: invalid UTF-8 and 1e400 are per-event rejections with a code, shown in verify; a real U+FFFD is kept', async () => {
      const ok = track();
      const replacement = track({ properties: { s: 'a\ufffdb' } });
      const badString = track();
      const badKey = track();
      const huge = track();
      const body = bytes(
        '{"batch":[',
        json(ok),
        ',',
        json(badString).subarray(0, -1),
        ',"title":"',
        latin1,
        '"},',
        json(huge).subarray(0, -1),
        ',"price":1e400,"neg":-1e400},',
        json(replacement),
        ',',
        json(badKey).subarray(0, -1),
        ',"',
        latin1,
        '":1}]}',
      );
      const r = await postJson(`${f.url}/v1/batch`, body, { authorization: basic(s.appKey) });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(codes(r.json), [
        [2, 'TP_ERR_INGEST_INVALID_UTF8'],
        [3, 'TP_ERR_INGEST_NUMBER_OUT_OF_RANGE'],
        [5, 'TP_ERR_INGEST_INVALID_UTF8'],
      ]);
      assert.equal(r.json.accepted, 2);
      const rejected = r.json.rejected as { message: string }[];
      assert.match(rejected[0]!.message, /UTF-8/);
      assert.match(rejected[1]!.message, /^price is a number beyond/);
      for (const e of [badString, huge, badKey])
        assert.equal(await f.count(s, { messageId: e.messageId }), 0);
      assert.equal(await f.count(s, { messageId: ok.messageId }), 1);
      const [kept] = await f.events(s, { messageId: replacement.messageId });
      assert.deepEqual(kept?.properties, { s: 'a\ufffdb' });
      assert.ok((await verifyRejections('TP_ERR_INGEST_INVALID_UTF8', 2)).length >= 2);
      assert.ok((await verifyRejections('TP_ERR_INGEST_NUMBER_OUT_OF_RANGE', 1)).length >= 1);
    });

    test('ING-13 Segment: invalid UTF-8 outside any event (batch context) is a coded 400; a single call rejects its event', async () => {
      const e = track();
      const envelope = bytes('{"context":{"app":"', latin1, '"},"batch":[', json(e), ']}');
      const r = await postJson(`${f.url}/v1/batch`, envelope, { authorization: basic(s.appKey) });
      assert.equal(r.status, 400);
      assertErrorBody(r.json, 'TP_ERR_INGEST_INVALID_UTF8');
      const huge = await postJson(
        `${f.url}/v1/batch`,
        bytes('{"context":{"n":1e400},"batch":[', json(track()), ']}'),
        { authorization: basic(s.appKey) },
      );
      assert.equal(huge.status, 400);
      assertErrorBody(huge.json, 'TP_ERR_INGEST_NUMBER_OUT_OF_RANGE');
      assert.equal(await f.count(s, { messageId: e.messageId }), 0);
      const single = track();
      const one = await postJson(
        `${f.url}/v1/track`,
        bytes(json(single).subarray(0, -1), ',"title":"', latin1, '"}'),
        { authorization: basic(s.appKey) },
      );
      assert.equal(one.status, 200);
      assert.deepEqual(codes(one.json), [[1, 'TP_ERR_INGEST_INVALID_UTF8']]);
      assert.equal(await f.count(s, { messageId: single.messageId }), 0);
    });

    test('ING-13 ThinkingData: user_add with a string, user_append without a list, invalid UTF-8 and 1e400 are rejected per event', async () => {
      const at = new Date(Date.now() - 60_000).toISOString().replace('T', ' ').replace('Z', '');
      const te = (
        type: string,
        properties: Record<string, unknown>,
        extra: Record<string, unknown> = {},
      ) => ({
        '#type': type,
        '#account_id': 'acct-q',
        '#time': at,
        '#uuid': uid('te'),
        properties,
        ...extra,
      });
      const okAdd = te('user_add', { coins: 5 });
      const stringAdd = te('user_add', { coins: '5' });
      const listless = te('user_append', { tags: 'a' });
      const badUtf8 = te('track', { title: 'x' }, { '#event_name': 'Viewed' });
      const huge = te('track', {}, { '#event_name': 'Paid' });
      const text = `[${[okAdd, stringAdd, listless, badUtf8].map((e) => JSON.stringify(e)).join(',')},${JSON.stringify({ ...huge, properties: undefined }).slice(0, -1)},"properties":{"amount":1e400}}]`;
      // The title of the fourth event becomes Latin-1 bytes (not UTF-8) inside its string.
      const [before, after] = text.split('"title":"x"') as [string, string];
      const raw = bytes(before, '"title":"', latin1, '"', after);
      const r = await postJson(`${f.url}/sync_server`, gzipSync(raw), { appid: s.appKey, compress: 'gzip' });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.code, 0);
      assert.deepEqual(codes(r.json), [
        [2, 'TP_ERR_INGEST_EVENT_INVALID'],
        [3, 'TP_ERR_INGEST_EVENT_INVALID'],
        [4, 'TP_ERR_INGEST_INVALID_UTF8'],
        [5, 'TP_ERR_INGEST_NUMBER_OUT_OF_RANGE'],
      ]);
      const rejected = r.json.rejected as { message: string }[];
      assert.match(rejected[0]!.message, /user_add.*coins.*number/);
      assert.match(rejected[1]!.message, /user_append.*tags.*array/);
      assert.equal(r.json.accepted, 1);
      assert.ok((await verifyRejections('TP_ERR_INGEST_EVENT_INVALID', 2)).length >= 2);

      // /data_debug: the form's data field percent-encodes the bytes.
      const debugEvent = json(te('track', { title: 'PLACEHOLDER' }, { '#event_name': 'Viewed' })).toString();
      const [head, tail] = debugEvent.split('PLACEHOLDER') as [string, string];
      const form = `appid=${s.appKey}&data=${encodeURIComponent(head)}%66%E9%74%E9${encodeURIComponent(tail)}`;
      const debug = await postJson(`${f.url}/data_debug`, form, {
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.equal(debug.status, 200, JSON.stringify(debug.json));
      assert.equal(debug.json.errorLevel, 1);
      assert.deepEqual(codes(debug.json), [[1, 'TP_ERR_INGEST_INVALID_UTF8']]);
    });
  });
}

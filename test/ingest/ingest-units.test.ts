// Pure parts of the pipeline: bounded decoding, UTF-8 checks, #time in a zone, the rate limiter.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { test } from 'node:test';
import { decodeUtf8, invalidUtf8Offsets } from '../../src/ingest/decode-utf8.ts';
import { parseThinkingDataTime } from '../../src/ingest/event-time.ts';
import { RateLimiter } from '../../src/ingest/rate-limiter.ts';
import { readBody } from '../../src/ingest/read-body.ts';
import { isTouchpointError } from '../../src/errors.ts';

test('ING-08 the gzip decoder is stopped at the cap, not drained: ~1 GB bomb, few compressed bytes consumed', async () => {
  // A 1 GB stream of zeros, gzipped on the fly (~1 MB compressed); count what the reader pulls.
  let produced = 0;
  const zeros = new Readable({
    read() {
      if (produced >= 1024 ** 3) return this.push(null);
      produced += 1024 * 1024;
      this.push(Buffer.alloc(1024 * 1024));
    },
  });
  const gz = zeros.pipe(createGzip());
  let consumed = 0;
  gz.on('data', (c: Buffer) => (consumed += c.length));
  const started = process.cpuUsage();
  await assert.rejects(
    readBody(gz, {
      encoding: 'gzip',
      maxWireBytes: 10 * 1024 * 1024,
      maxDecodedBytes: 500 * 1024,
      timeoutMs: 10_000,
    }),
    (e) => isTouchpointError(e, 'TP_ERR_INGEST_DECODED_TOO_LARGE'),
  );
  const cpu = process.cpuUsage(started);
  // Inflating 500 KB needs ~0.5 KB of this stream; allow stream buffering, far below the 1 MB it holds.
  assert.ok(consumed < 256 * 1024, `consumed ${consumed} compressed bytes`);
  assert.ok(produced < 64 * 1024 * 1024, `the source produced ${produced} bytes before being stopped`);
  assert.ok((cpu.user + cpu.system) / 1000 < 2000, 'CPU time bounded');
  zeros.destroy();
  gz.destroy();
});

test('#time: read in the zone, #zone_offset wins, DST handled, impossible dates refused', () => {
  assert.equal(
    parseThinkingDataTime('2026-01-02 03:04:05.678', 'Asia/Shanghai', undefined),
    Date.UTC(2026, 0, 1, 19, 4, 5, 678),
  );
  assert.equal(parseThinkingDataTime('2026-01-02 03:04:05', 'UTC', undefined), Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.equal(parseThinkingDataTime('2026-01-02 03:04:05.000', 'UTC', 8), Date.UTC(2026, 0, 1, 19, 4, 5));
  // New York: EST in January (-5), EDT in July (-4).
  assert.equal(
    parseThinkingDataTime('2026-01-15 12:00:00.000', 'America/New_York', undefined),
    Date.UTC(2026, 0, 15, 17),
  );
  assert.equal(
    parseThinkingDataTime('2026-07-15 12:00:00.000', 'America/New_York', undefined),
    Date.UTC(2026, 6, 15, 16),
  );
  assert.equal(parseThinkingDataTime('2026-02-31 00:00:00', 'UTC', undefined), undefined);
  assert.equal(parseThinkingDataTime('2026-01-02T03:04:05Z', 'UTC', undefined), undefined);
  assert.equal(parseThinkingDataTime(1767323045000, 'UTC', undefined), undefined);
});

test('rate limiter: a second of burst, debt from a big batch, Retry-After until the debt is paid', () => {
  let now = 0;
  const limiter = new RateLimiter(() => now);
  assert.equal(limiter.retryAfter('s', 0), 0, 'rate 0 = no limit');
  assert.equal(limiter.retryAfter('s', 10), 0);
  limiter.charge('s', 10, 35); // a batch bigger than the rate passes once …
  assert.equal(limiter.retryAfter('s', 10), 3); // … then -25 tokens: 2.6 s to get one back
  now += 2000;
  assert.equal(limiter.retryAfter('s', 10), 1);
  now += 700;
  assert.equal(limiter.retryAfter('s', 10), 0);
  assert.equal(limiter.retryAfter('other', 10), 0, 'buckets are per source');
});

test('ING-13 invalid UTF-8 is found where the WHATWG decoder puts U+FFFD, and located in the JSON', () => {
  // Random bytes biased to multi-byte lead and continuation bytes; a seeded generator keeps it repeatable.
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const pool = [
    0x41, 0x22, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5,
    0xff,
  ];
  for (let round = 0; round < 2000; round++) {
    const bytes = Buffer.from(Array.from({ length: 1 + (next() % 12) }, () => pool[next() % pool.length]!));
    const text = new TextDecoder().decode(bytes);
    const replaced = [...text].filter((c) => c === '\ufffd').length;
    // The pool holds no valid encoding of U+FFFD (EF BF BD needs BD), so every U+FFFD is a bad sequence.
    assert.equal(invalidUtf8Offsets(bytes).length, replaced, bytes.toString('hex'));
  }
  const body = Buffer.concat([
    Buffer.from('{"sentAt":"x","batch":[{"a":"ok"},{"b":"'),
    Buffer.from([0xe9]),
    Buffer.from('"},{"'),
    Buffer.from([0xff]),
    Buffer.from('":1}],"context":{"c":"'),
    Buffer.from([0xc0]),
    Buffer.from('"}}'),
  ]);
  assert.deepEqual(
    decodeUtf8(body).invalid.map((i) => i.path),
    [
      ['batch', 1],
      ['batch', 2],
      ['context', 'c'],
    ],
  );
  assert.deepEqual(decodeUtf8(Buffer.from('{"s":"a\ufffdb"}')).invalid, []);
});

// Pure parts of the pipeline: bounded decoding, #time in a zone, the rate limiter.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { test } from 'node:test';
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

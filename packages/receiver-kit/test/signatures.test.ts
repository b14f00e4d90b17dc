import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { mock, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { verifySignature, verifyWebhookV2 } from '../src/index.ts';

const body = Buffer.from(
  '[{"push_id":"r-1","params":{"t":"你好 🎉"},"custom_params":{},"#ops_receipt_properties":{}}]',
);
const secret = 'kit-secret';
// Computed by openssl, not by the code under test.
const good = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret], { input: body })
  .toString()
  .trim()
  .split(/\s+/)
  .pop() as string;

test('verifySignature accepts the right signature over the raw bytes, as Buffer or string', () => {
  assert.match(good, /^[0-9a-f]{40}$/);
  assert.equal(verifySignature(body, good, secret), true);
  assert.equal(verifySignature(body.toString('utf8'), good, secret), true);
  assert.equal(verifySignature(new Uint8Array(body), good, secret), true);
  assert.equal(verifySignature(body, good.toUpperCase(), secret), true);
  assert.equal(verifySignature(body, good, 'other-secret'), false);
  assert.equal(verifySignature(Buffer.concat([body, Buffer.from(' ')]), good, secret), false);
});

test('SIG-06 verifySignature never throws: wrong length, non-hex, empty, multibyte, wrong types', () => {
  const bad: unknown[] = [
    good.slice(0, 39),
    `${good}0`,
    'z'.repeat(40),
    '',
    'é'.repeat(20), // 40 characters, 40+ bytes
    '🎉'.repeat(10),
    `${good.slice(0, 38)}é`,
    undefined,
    null,
    42,
    [good],
    { toString: () => good },
    Buffer.from(good),
  ];
  for (const signature of bad) {
    assert.doesNotThrow(() => verifySignature(body, signature, secret));
    assert.equal(verifySignature(body, signature, secret), false, String(signature));
  }
  for (const wrongBody of [undefined, null, 12, {}, ['x']])
    assert.equal(verifySignature(wrongBody, good, secret), false);
  for (const wrongSecret of [undefined, null, 12, {}])
    assert.equal(verifySignature(body, good, wrongSecret), false);
});

test('SIG-07 the comparison is crypto.timingSafeEqual, reached only after a length check', (t) => {
  const spy = mock.method(crypto, 'timingSafeEqual');
  syncBuiltinESMExports();
  t.after(() => {
    spy.mock.restore();
    syncBuiltinESMExports();
  });
  assert.equal(verifySignature(body, good, secret), true);
  assert.equal(spy.mock.callCount(), 1);
  const [a, b] = spy.mock.calls[0]!.arguments as [Buffer, Buffer];
  assert.equal(a.length, 40);
  assert.equal(b.length, 40);
  const wrong = `${good.slice(0, 39)}${good.endsWith('0') ? '1' : '0'}`;
  assert.equal(verifySignature(body, wrong, secret), false);
  assert.equal(spy.mock.callCount(), 2, 'a same-length wrong signature is compared in constant time');
  assert.equal(verifySignature(body, good.slice(0, 10), secret), false);
  assert.equal(
    spy.mock.callCount(),
    2,
    'a wrong length is refused before timingSafeEqual (which would throw)',
  );
});

const v2Key = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function v2Headers(timestampS: number, key = v2Key, id = 'msg_1'): Record<string, string> {
  const signature = new Webhook(key).sign(id, new Date(timestampS * 1000), body);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': signature };
}

test('SIG-08 v2: a timestamp 4 minutes off either way is accepted, 6 minutes off is rejected', () => {
  const now = 1_780_000_000;
  for (const offset of [0, -240, 240]) {
    assert.equal(verifyWebhookV2(body, v2Headers(now + offset), v2Key, { nowS: now }), true, String(offset));
  }
  for (const offset of [-360, 360]) {
    assert.equal(verifyWebhookV2(body, v2Headers(now + offset), v2Key, { nowS: now }), false, String(offset));
  }
  // Default clock: a fresh signature made by the standardwebhooks package verifies.
  assert.equal(verifyWebhookV2(body, v2Headers(Math.floor(Date.now() / 1000)), v2Key), true);
});

test('v2: any of several signatures and any of several keys may match; nothing ever throws', () => {
  const now = 1_780_000_000;
  const other = 'whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=';
  const both = {
    ...v2Headers(now),
    'webhook-signature': `${v2Headers(now, other)['webhook-signature']} ${v2Headers(now)['webhook-signature']}`,
  };
  assert.equal(verifyWebhookV2(body, both, v2Key, { nowS: now }), true);
  assert.equal(verifyWebhookV2(body, v2Headers(now, other), [v2Key, other], { nowS: now }), true);
  assert.equal(verifyWebhookV2(body, v2Headers(now, other), v2Key, { nowS: now }), false);
  assert.equal(verifyWebhookV2(Buffer.from('[]'), v2Headers(now), v2Key, { nowS: now }), false);
  const headers = v2Headers(now);
  const broken: Record<string, string | string[] | undefined>[] = [
    {},
    { ...headers, 'webhook-id': 'msg_2' },
    { ...headers, 'webhook-timestamp': 'soon' },
    { ...headers, 'webhook-signature': 'v2,abc' },
    { ...headers, 'webhook-signature': 'v1,é' },
    { ...headers, 'webhook-signature': [headers['webhook-signature']!, headers['webhook-signature']!] },
  ];
  for (const h of broken)
    assert.equal(verifyWebhookV2(body, h, v2Key, { nowS: now }), false, JSON.stringify(h));
  for (const key of ['', 'whsec_', 'whsec_!!', 42 as unknown as string]) {
    assert.equal(verifyWebhookV2(body, headers, key, { nowS: now }), false);
  }
  assert.equal(verifyWebhookV2(undefined, headers, v2Key, { nowS: now }), false);
  // Header names are matched case-insensitively.
  const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
  assert.equal(verifyWebhookV2(body, upper, v2Key, { nowS: now }), true);
});

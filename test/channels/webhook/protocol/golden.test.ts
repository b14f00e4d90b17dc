import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { buildBatch } from '../../../../src/channels/webhook/protocol/build-batch.ts';
import { prepareRequest } from '../../../../src/channels/webhook/protocol/prepare-request.ts';
import { serializeBatch } from '../../../../src/channels/webhook/protocol/serialize-batch.ts';
import { signBody } from '../../../../src/channels/webhook/protocol/sign-body.ts';
import {
  goldenMessages,
  goldenTimestampS,
  goldenTimeZone,
  goldenToken,
  goldenV2Key,
  goldenV2NewKey,
} from '../../../fixtures/protocol/golden-input.ts';
import { gunzipWithGzip, opensslHmacSha1 } from './openssl.ts';

const fixtures = 'test/fixtures/protocol';
const goldenBody = readFileSync(`${fixtures}/request-body.json`);
const goldenHeaders = JSON.parse(readFileSync(`${fixtures}/request-headers.json`, 'utf8')) as Record<
  string,
  string
>;

function prepareGolden() {
  const json = serializeBatch(buildBatch(goldenMessages, { timeZone: goldenTimeZone }));
  return prepareRequest({
    json,
    compression: true,
    token: goldenToken,
    v2: { keys: [goldenV2NewKey, goldenV2Key], timestampS: goldenTimestampS },
  });
}

test('golden: the request body is byte for byte the fixture', () => {
  const prepared = prepareGolden();
  assert.equal(prepared.json.toString('utf8'), goldenBody.toString('utf8'));
  assert.ok(prepared.json.equals(goldenBody));
  assert.notEqual(goldenBody.at(-1), 0x0a, 'the fixture has no trailing newline');
});

test('SIG-01 known answer: X-TE-OPS-Signature equals the HMAC-SHA1 openssl computes over the fixture bytes', () => {
  const expected = opensslHmacSha1(goldenBody, goldenToken);
  assert.equal(signBody(goldenBody, goldenToken), expected);
  assert.equal(prepareGolden().headers['X-TE-OPS-Signature'], expected);
  assert.equal(goldenHeaders['X-TE-OPS-Signature'], expected);
  // A short, fully fixed vector as well: key "key", body "[]".
  assert.equal(signBody(Buffer.from('[]'), 'key'), opensslHmacSha1(Buffer.from('[]'), 'key'));
});

test('SIG-02 non-ASCII text, U+2028, "/" and big numbers are signed as the exact UTF-8 bytes sent', () => {
  const text = goldenBody.toString('utf8');
  assert.ok(text.includes('每日活动 🎉') && text.includes('"push_id":"ü-3003"'));
  assert.ok(goldenBody.includes(Buffer.from([0xe2, 0x80, 0xa8])), 'U+2028 travels as raw UTF-8');
  assert.ok(text.includes(' / ') && !text.includes('\\/'), '"/" is not escaped');
  assert.ok(
    text.includes('"big":"12345678901234567890"') && text.includes('"huge":"1000000000000000000000"'),
  );
  const signature = signBody(goldenBody, goldenToken);
  // A receiver that re-serializes before verifying (here: ASCII escapes, as Python's json.dumps
  // does by default) computes over other bytes and fails.
  const reserialized = Buffer.from(
    JSON.stringify(JSON.parse(text)).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
  assert.notEqual(opensslHmacSha1(reserialized, goldenToken), signature);
  // Keys are UTF-8 bytes too (Java's HmacUtils(String) does the same).
  assert.equal(signBody(goldenBody, '密钥-ключ'), opensslHmacSha1(goldenBody, '密钥-ключ'));
  // Lone surrogates cannot travel as UTF-8; they are escaped, so the bytes are still well-formed.
  const lone = serializeBatch(
    buildBatch([{ ...goldenMessages[2]!, params: { odd: 'a\ud800b' } }], { timeZone: 'UTC' }),
  ).toString('utf8');
  assert.ok(lone.includes('"odd":"a\\ud800b"'));
});

test('golden: gzip round trip through gzip(1) gives back the signed bytes', () => {
  const prepared = prepareGolden();
  assert.equal(prepared.headers['Content-Encoding'], 'gzip');
  assert.equal(prepared.body[0], 0x1f);
  assert.equal(prepared.body[1], 0x8b);
  assert.ok(gunzipWithGzip(prepared.body).equals(goldenBody));
  const plain = prepareRequest({ json: goldenBody, compression: false, token: goldenToken });
  assert.ok(plain.body.equals(goldenBody));
  assert.equal(plain.headers['Content-Encoding'], undefined);
});

test('SIG-05 golden headers: both v2 signatures of an overlap equal what the standardwebhooks package signs', () => {
  const prepared = prepareGolden();
  assert.deepEqual(prepared.headers, goldenHeaders);
  assert.deepEqual(Object.keys(goldenHeaders), [
    'Content-Type',
    'Content-Encoding',
    'X-TE-OPS-Signature',
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
  ]);
  const signatures = goldenHeaders['webhook-signature']!.split(' ');
  assert.equal(signatures.length, 2);
  const at = new Date(goldenTimestampS * 1000);
  const id = goldenHeaders['webhook-id']!;
  assert.equal(new Webhook(goldenV2NewKey).sign(id, at, goldenBody), signatures[0]);
  assert.equal(new Webhook(goldenV2Key).sign(id, at, goldenBody), signatures[1]);
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { buildBatch } from '../../../../src/channels/webhook/protocol/build-batch.ts';
import { prepareRequest } from '../../../../src/channels/webhook/protocol/prepare-request.ts';
import { serializeBatch } from '../../../../src/channels/webhook/protocol/serialize-batch.ts';
import {
  batchIdFor,
  decodeV2Key,
  generateV2Key,
  signV2,
} from '../../../../src/channels/webhook/protocol/sign-v2.ts';
import type { RenderedMessage } from '../../../../src/channels/message.ts';
import { verifySignature } from '../../../../packages/receiver-kit/src/index.ts';
import { opensslHmacSha1 } from './openssl.ts';

const token = 'channel-token-123';

function messages(n: number): RenderedMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    pushId: `r-${i + 1}`,
    params: { title: `标题 ${i + 1}`, amount: i * 1.5 },
    customParams: { level: i, name: i % 2 ? null : `user ${i}` },
    receipt: { requestId: randomUUID(), taskId: '7', taskInstanceId: '3', projectId: 9 },
  }));
}

const nowS = () => Math.floor(Date.now() / 1000);

test('SIG-03 a retry of the same batch sends the same bytes, the same signature and the same webhook-id', () => {
  const rendered = messages(5);
  const first = serializeBatch(buildBatch(rendered, { timeZone: 'UTC' }));
  const again = serializeBatch(buildBatch(rendered, { timeZone: 'UTC' }));
  assert.ok(first.equals(again));
  // The outbox may store the wire messages as JSON text; re-serializing them is byte-identical.
  const stored = JSON.parse(first.toString('utf8')) as Parameters<typeof serializeBatch>[0];
  assert.ok(serializeBatch(stored).equals(first));
  const key = generateV2Key();
  const a = prepareRequest({ json: first, compression: true, token, v2: { keys: [key], timestampS: 1_000 } });
  const b = prepareRequest({ json: again, compression: true, token, v2: { keys: [key], timestampS: 1_060 } });
  assert.equal(a.headers['X-TE-OPS-Signature'], b.headers['X-TE-OPS-Signature']);
  assert.equal(a.headers['webhook-id'], b.headers['webhook-id']);
  // v2 carries a timestamp, so its signature is recomputed per attempt.
  assert.notEqual(a.headers['webhook-signature'], b.headers['webhook-signature']);
});

test('SIG-04 a partial retry (a subset of the messages) has a new body, a new signature and verifies', () => {
  const rendered = messages(5);
  const full = serializeBatch(buildBatch(rendered, { timeZone: 'UTC' }));
  const subset = serializeBatch(buildBatch([rendered[1]!, rendered[4]!], { timeZone: 'UTC' }));
  const fullSigned = prepareRequest({ json: full, compression: false, token });
  const subsetSigned = prepareRequest({ json: subset, compression: false, token });
  assert.notEqual(subsetSigned.headers['X-TE-OPS-Signature'], fullSigned.headers['X-TE-OPS-Signature']);
  assert.notEqual(batchIdFor(subset), batchIdFor(full));
  assert.equal(subsetSigned.headers['X-TE-OPS-Signature'], opensslHmacSha1(subset, token));
  assert.ok(verifySignature(subsetSigned.json, subsetSigned.headers['X-TE-OPS-Signature'], token));
  // Same ops_request_id for the retried messages.
  const ids = (
    JSON.parse(subset.toString()) as { '#ops_receipt_properties': { ops_request_id: string } }[]
  ).map((m) => m['#ops_receipt_properties'].ops_request_id);
  assert.deepEqual(ids, [rendered[1]!.receipt.requestId, rendered[4]!.receipt.requestId]);
});

test('SIG-05 during a rotation overlap both v2 signatures are sent and standardwebhooks verifies with either key', () => {
  const oldKey = generateV2Key();
  const newKey = generateV2Key();
  const json = serializeBatch(buildBatch(messages(3), { timeZone: 'UTC' }));
  const overlap = prepareRequest({
    json,
    compression: true,
    v2: { keys: [newKey, oldKey], timestampS: nowS() },
  });
  assert.equal(overlap.headers['webhook-signature']!.split(' ').length, 2);
  assert.match(overlap.headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
  for (const key of [newKey, oldKey]) {
    assert.deepEqual(new Webhook(key).verify(json, overlap.headers), JSON.parse(json.toString()));
  }
  assert.throws(() => new Webhook(generateV2Key()).verify(json, overlap.headers), /No matching signature/);

  // After the overlap only the new key signs: a receiver still on the old key fails.
  const after = prepareRequest({ json, compression: true, v2: { keys: [newKey], timestampS: nowS() } });
  assert.equal(after.headers['webhook-signature']!.split(' ').length, 1);
  assert.ok(new Webhook(newKey).verify(json, after.headers));
  assert.throws(() => new Webhook(oldKey).verify(json, after.headers), /No matching signature/);
  // The v1 X-TE-OPS-Signature is independent of v2 and absent without a token.
  assert.equal(after.headers['X-TE-OPS-Signature'], undefined);
});

test('signature v2 keys are whsec_ and 32 random bytes; malformed keys are refused', () => {
  const key = generateV2Key();
  assert.match(key, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(decodeV2Key(key).length, 32);
  assert.notEqual(generateV2Key(), key);
  for (const bad of ['', 'whsec_', 'abc', 'whsec_!!!', 'whsec_AAAA'])
    assert.throws(() => decodeV2Key(bad), bad);
  assert.throws(() => signV2({ id: 'x', timestampS: 1, body: Buffer.alloc(0), keys: [] }));
  assert.throws(() => signV2({ id: 'x', timestampS: 1.5, body: Buffer.alloc(0), keys: [key] }));
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isTouchpointError } from '../../src/errors.ts';
import { looksMasked, maskSecret, SecretBox, SecretDecryptError } from '../../src/secrets/secret-box.ts';

const key = randomBytes(32);
const box = new SecretBox(key);
const ctx = { table: 'channels', column: 'token', rowId: 'ch_1', projectId: 1 };

test('round trip, including non-ASCII', () => {
  for (const plain of ['s3cret', '', '密钥🔑', 'x'.repeat(5000)])
    assert.equal(box.decrypt(box.encrypt(plain, ctx), ctx), plain);
});

test('SEC-04 encrypting the same plaintext twice gives different nonces and ciphertexts', () => {
  const a = box.encrypt('same', ctx).split('.');
  const b = box.encrypt('same', ctx).split('.');
  assert.notEqual(a[2], b[2]);
  assert.notEqual(a[3], b[3]);
  assert.notEqual(a[4], b[4]);
});

test('SEC-05 one flipped bit anywhere (wrapped key, nonce, ciphertext, tag) fails with a typed error', () => {
  const stored = box.encrypt('tamper-me', ctx);
  const parts = stored.split('.');
  for (const index of [2, 3, 4, 5]) {
    const bytes = Buffer.from(parts[index] ?? '', 'base64url');
    for (const position of [0, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[position] = (flipped[position] ?? 0) ^ 1;
      const copy = [...parts];
      copy[index] = flipped.toString('base64url');
      assert.throws(
        () => box.decrypt(copy.join('.'), ctx),
        (error) =>
          error instanceof SecretDecryptError && isTouchpointError(error, 'TP_ERR_SECRET_UNREADABLE'),
      );
    }
  }
});

test('SEC-06 a ciphertext moved to another row, column or project fails (AAD mismatch)', () => {
  const stored = box.encrypt('tenant-a-token', ctx);
  for (const other of [
    { ...ctx, rowId: 'ch_2' },
    { ...ctx, projectId: 2 },
    { ...ctx, column: 'v2_key' },
    { ...ctx, table: 'sources' },
  ]) {
    assert.throws(() => box.decrypt(stored, other), SecretDecryptError);
  }
});

test('another master key cannot decrypt, and the error never contains key or plaintext', () => {
  const stored = box.encrypt('plaintext-canary', ctx);
  const other = new SecretBox(randomBytes(32));
  assert.throws(
    () => other.decrypt(stored, ctx),
    (error: Error) => error instanceof SecretDecryptError && !error.message.includes('plaintext-canary'),
  );
});

test('malformed stored values fail with the typed error, never another exception', () => {
  for (const bad of [
    '',
    'tp1',
    'tp1.a.b.c.d.e',
    'x.y.z',
    `tp1.${box.keyId}.!!.??.**.$$`,
    `tp1.${box.keyId}....`,
  ]) {
    assert.throws(() => box.decrypt(bad, ctx), SecretDecryptError);
  }
});

test('masking shows at most the last four characters; masked values are recognized', () => {
  assert.equal(maskSecret('abcdefghijkl'), '********ijkl');
  assert.equal(maskSecret('short'), '********');
  for (const masked of ['********', '****abcd', '*******', '*********ijkl', 'ab****'])
    assert.ok(looksMasked(masked), masked);
  for (const real of ['abcdefgh', 'a*b', 'token-with-*-in-it']) assert.ok(!looksMasked(real), real);
});

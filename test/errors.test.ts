import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { format } from 'prettier';
import { errorCodes, renderErrorDocs, TouchpointError } from '../src/errors.ts';

test('every error code is TP_ERR_*, has an HTTP status and a message that says what to do', () => {
  for (const [code, entry] of Object.entries(errorCodes)) {
    assert.match(code, /^TP_ERR_[A-Z0-9_]+$/);
    assert.ok(entry.status >= 400 && entry.status <= 599, `${code} status`);
    assert.ok(entry.message.length > 20 && entry.message.endsWith('.'), `${code} message`);
  }
});

test('docs/errors.md is in sync with the registry (run `npm run docs`)', async () => {
  const expected = await format(renderErrorDocs(), { parser: 'markdown', proseWrap: 'preserve' });
  const actual = await format(readFileSync('docs/errors.md', 'utf8'), {
    parser: 'markdown',
    proseWrap: 'preserve',
  });
  assert.equal(actual, expected);
});

test('TouchpointError carries code, status, details and Retry-After', () => {
  const error = new TouchpointError('TP_ERR_UNAVAILABLE', { a: 1 }, { retryAfter: 3 });
  assert.equal(error.status, 503);
  assert.deepEqual(error.details, { a: 1 });
  assert.equal(error.retryAfter, 3);
  assert.equal(error.message, errorCodes.TP_ERR_UNAVAILABLE.message);
});

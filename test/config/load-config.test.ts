import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { format } from 'prettier';
import { loadConfig, redactUrl, renderConfigDocs } from '../../src/config/load-config.ts';
import { isTouchpointError } from '../../src/errors.ts';

test('defaults: embedded SQLite in ./data, 127.0.0.1:8080, development', () => {
  const config = loadConfig({});
  assert.equal(config.env, 'development');
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8080);
  assert.equal(config.dataDir, resolve('data'));
  assert.deepEqual(config.database, { kind: 'sqlite', path: resolve('data/touchpoint.db') });
  assert.equal(config.publicUrl, 'http://127.0.0.1:8080');
  assert.equal(config.masterKey, undefined);
  assert.deepEqual(config.allowTargets, []);
  assert.ok(Object.isFrozen(config));
});

test('DATABASE_URL selects PostgreSQL or another SQLite file', () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u:p@h:5432/d' }).database, {
    kind: 'postgres',
    url: 'postgres://u:p@h:5432/d',
  });
  assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).database, {
    kind: 'sqlite',
    path: '/tmp/x.db',
  });
});

const bad: [Record<string, string>, string][] = [
  [{ TOUCHPOINT_PORT: 'abc' }, 'TOUCHPOINT_PORT'],
  [{ TOUCHPOINT_PORT: '70000' }, 'TOUCHPOINT_PORT'],
  [{ TOUCHPOINT_ENV: 'prod' }, 'TOUCHPOINT_ENV'],
  [{ TOUCHPOINT_LOG_LEVEL: 'loud' }, 'TOUCHPOINT_LOG_LEVEL'],
  [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  [{ TOUCHPOINT_MASTER_KEY: 'too-short' }, 'TOUCHPOINT_MASTER_KEY'],
  [{ TOUCHPOINT_ALLOW_TARGETS: '10.0.0.0/99' }, 'TOUCHPOINT_ALLOW_TARGETS'],
  [{ TOUCHPOINT_PUBLIC_URL: 'ftp://x' }, 'TOUCHPOINT_PUBLIC_URL'],
  [{ TOUCHPOINT_SQLITE_BUSY_TIMEOUT_MS: '-1' }, 'TOUCHPOINT_SQLITE_BUSY_TIMEOUT_MS'],
  [{ TOUCHPOINT_PG_SCHEMA: 'Bad-Name' }, 'TOUCHPOINT_PG_SCHEMA'],
  [{ TOUCHPOINT_TRUST_PROXY: 'maybe' }, 'TOUCHPOINT_TRUST_PROXY'],
];
for (const [env, key] of bad) {
  test(`a bad ${key} stops with a message naming the key`, () => {
    assert.throws(
      () => loadConfig(env),
      (error) => {
        assert.ok(isTouchpointError(error, 'TP_ERR_CONFIG_INVALID'));
        assert.ok(error.message.startsWith(key), error.message);
        assert.deepEqual(error.details, { key });
        return true;
      },
    );
  });
}

test('the master key value is never echoed in its error', () => {
  assert.throws(
    () => loadConfig({ TOUCHPOINT_MASTER_KEY: 'secret-canary-value' }),
    (error: Error) => !error.message.includes('secret-canary-value'),
  );
});

test('SEC-02 production without a master key refuses to load', () => {
  assert.throws(
    () => loadConfig({ TOUCHPOINT_ENV: 'production' }),
    (error) =>
      isTouchpointError(error, 'TP_ERR_MASTER_KEY_MISSING') && /TOUCHPOINT_MASTER_KEY/.test(error.message),
  );
  const key = Buffer.alloc(32, 7).toString('base64');
  assert.equal(
    loadConfig({ TOUCHPOINT_ENV: 'production', TOUCHPOINT_MASTER_KEY: key }).masterKey?.length,
    32,
  );
});

test('database passwords are redacted in messages', () => {
  assert.equal(redactUrl('postgres://user:hunter2@db:5432/x'), 'postgres://user:***@db:5432/x');
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' }),
    (error: Error) => !error.message.includes('hunter2'),
  );
});

test('docs/configuration.md is in sync with the config keys (run `npm run docs`)', async () => {
  const expected = await format(renderConfigDocs(), { parser: 'markdown', proseWrap: 'preserve' });
  const actual = await format(readFileSync('docs/configuration.md', 'utf8'), {
    parser: 'markdown',
    proseWrap: 'preserve',
  });
  assert.equal(actual, expected);
});

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import type { AppDeps } from '../../src/api/app-deps.ts';
import { consoleRoutes, defaultConsoleDir } from '../../src/api/routes/console-routes.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { ensureConsoleBuilt } from './support/console-build.ts';

const html = { accept: 'text/html,application/xhtml+xml' };

describe('console routes: the built console at / with client-side routing', () => {
  let t: TestApp;
  before(async () => {
    await ensureConsoleBuilt();
    t = await buildTestApp('sqlite');
  });
  after(async () => t?.close());

  it('answers index.html for / and for any console path a browser asks for', async () => {
    for (const url of ['/', '/login', '/projects/1/members/roles', '/set-password?token=abc']) {
      const res = await t.app.inject({ method: 'GET', url, headers: html });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /<div id="root"><\/div>/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('answers the console to clients that accept anything (curl, wget), not only to browsers', async () => {
    for (const headers of [{ accept: '*/*' }, {}, { accept: 'text/*' }]) {
      for (const url of ['/', '/projects/1/sources']) {
        const res = await t.app.inject({ method: 'GET', url, headers });
        assert.equal(res.statusCode, 200, `${url} ${JSON.stringify(headers)}`);
        assert.match(res.body, /<div id="root"><\/div>/);
      }
    }
    // A client that asks only for JSON is told the path is not an API path.
    const json = await t.app.inject({ method: 'GET', url: '/', headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 404);
    assert.equal(json.json().error.code, 'TP_ERR_NOT_FOUND');
  });

  it('serves hashed assets with a long immutable cache', async () => {
    const asset = readdirSync(join(defaultConsoleDir, 'assets')).find((f) => f.endsWith('.js'));
    assert.ok(asset, 'web/dist/assets holds the bundle');
    const res = await t.app.inject({ method: 'GET', url: `/assets/${asset}` });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.match(
      String(res.headers['cache-control']),
      /max-age=31536000.*immutable|immutable.*max-age=31536000/,
    );
  });

  it('keeps server paths out of the fallback: unknown ones are the JSON 404', async () => {
    for (const url of [
      '/api/v1/nothing-here',
      '/api/nope',
      '/v1/nope',
      '/sync_server/x',
      '/data_debug/x',
      '/metrics/x',
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: html });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'TP_ERR_NOT_FOUND', url);
    }
    const health = await t.app.inject({ method: 'GET', url: '/healthz', headers: html });
    assert.deepEqual(health.json(), { status: 'ok' });
  });

  it('answers 404, not the app, for missing files and for clients that do not ask for HTML', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/assets/gone-1234.js', headers: html });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'TP_ERR_NOT_FOUND');
    const json = await t.app.inject({
      method: 'GET',
      url: '/projects/1',
      headers: { accept: 'application/json' },
    });
    assert.equal(json.statusCode, 404);
    const traversal = await t.app.inject({ method: 'GET', url: '/..%2f..%2fpackage.json', headers: html });
    assert.equal(traversal.statusCode, 404);
  });

  it('tells the operator to build the console when web/dist is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tp-no-console-'));
    const app = Fastify();
    try {
      await app.register(consoleRoutes({} as AppDeps, { dir: empty }));
      const res = await app.inject({ method: 'GET', url: '/projects/1/members', headers: html });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /npm run build:web/);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

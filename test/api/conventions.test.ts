import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../src/api/app-deps.ts';
import { buildApp } from '../../src/api/build-app.ts';
import { pageQuerySchema, pageSchema } from '../../src/api/pagination.ts';
import { TouchpointError } from '../../src/errors.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { storeKinds } from '../support/stores.ts';

/** A test-only route plugin exercising the conventions every real route follows. */
function testRoutes(getDeps: () => AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.post(
      '/test/things',
      {
        config: { scope: { kind: 'public' } },
        bodyLimit: 2048,
        schema: {
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'count'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 50 },
              count: { type: 'integer', minimum: 0 },
              nested: {
                type: 'object',
                additionalProperties: false,
                properties: { flag: { type: 'boolean' } },
              },
              fail: { type: 'boolean' },
            },
          },
          response: { 201: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
      async (request, reply) => {
        const body = request.body as { name: string; count: number; fail?: boolean };
        await getDeps().store.transaction(async (tx) => {
          await tx.settings.set(`thing:${body.name}`, String(body.count));
          if (body.fail) throw new TouchpointError('TP_ERR_CONFLICT', { name: body.name });
        });
        return reply.code(201).send({ name: body.name, internal: 'never serialized' });
      },
    );
    app.get(
      '/test/list',
      {
        config: { scope: { kind: 'public' } },
        schema: {
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema({ type: 'integer' }) },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query as { limit: number; cursor?: string };
        const deps = getDeps();
        const after = cursor ? Number(deps.cursors.decode('test:list', cursor)[0]) : 0;
        const rows = Array.from({ length: limit + 1 }, (_, i) => after + i + 1).filter((n) => n <= 7);
        const page = deps.cursors.page('test:list', rows, limit, (n) => [n]);
        return { items: page.items, next_cursor: page.nextCursor };
      },
    );
    app.get(
      '/test/member-only',
      { config: { scope: { kind: 'member', permission: 'audit.read' } } },
      async () => ({
        ok: true,
      }),
    );
  };
}

for (const kind of storeKinds) {
  describe(`API conventions [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      const holder: { deps?: AppDeps } = {};
      t = await buildTestApp(kind, { plugins: [testRoutes(() => holder.deps as AppDeps)] });
      holder.deps = t.deps;
    });
    after(() => t.close());

    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'POST', url: '/test/things', payload: payload as string, headers });

    test('a valid body is accepted and the response is allow-listed by its schema', async () => {
      const res = await post({ name: 'a', count: 1 });
      assert.equal(res.statusCode, 201);
      assert.deepEqual(res.json(), { name: 'a' });
      assert.ok(res.headers['x-request-id']);
    });

    test('unknown fields answer 400 TP_ERR_VALIDATION naming the field (never silently stripped)', async () => {
      for (const body of [
        { name: 'b', count: 1, extra: true },
        { name: 'b', count: 1, nested: { flag: true, other: 1 } },
      ]) {
        const res = await post(body);
        assert.equal(res.statusCode, 400);
        const error = res.json().error;
        assert.equal(error.code, 'TP_ERR_VALIDATION');
        assert.ok(error.requestId);
        assert.match(error.details.issues[0].path, /\/(extra|nested\/other)$/);
        assert.equal(error.details.issues[0].message, 'is not a known field');
      }
      assert.equal(await t.deps.store.settings.get('thing:b'), undefined);
    });

    test('wrong types answer 400 (never coerced)', async () => {
      for (const body of [
        { name: 'c', count: '5' },
        { name: 5, count: 1 },
        { name: 'c', count: 1.5 },
        { name: 'c', count: 1, nested: { flag: 'true' } },
        { name: 'c' },
        [],
      ]) {
        const res = await post(body);
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.equal(res.json().error.code, 'TP_ERR_VALIDATION');
        assert.ok(res.json().error.details.issues.length >= 1);
      }
      assert.equal(await t.deps.store.settings.get('thing:c'), undefined);
    });

    test('malformed JSON answers 400 TP_ERR_INVALID_JSON', async () => {
      const res = await post('{"name": "d", ', { 'content-type': 'application/json' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'TP_ERR_INVALID_JSON');
    });

    test('an oversize body answers 413 TP_ERR_PAYLOAD_TOO_LARGE', async () => {
      const res = await post({ name: 'e', count: 1, pad: 'x'.repeat(4096) });
      assert.equal(res.statusCode, 413);
      assert.equal(res.json().error.code, 'TP_ERR_PAYLOAD_TOO_LARGE');
    });

    test('an unsupported content type answers 415', async () => {
      const res = await post('name=f', { 'content-type': 'application/x-www-form-urlencoded' });
      assert.equal(res.statusCode, 415);
      assert.equal(res.json().error.code, 'TP_ERR_UNSUPPORTED_MEDIA_TYPE');
    });

    test('a failed write leaves no row', async () => {
      const res = await post({ name: 'g', count: 3, fail: true });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'TP_ERR_CONFLICT');
      assert.deepEqual(res.json().error.details, { name: 'g' });
      assert.equal(await t.deps.store.settings.get('thing:g'), undefined);
    });

    test('cursor paging walks the list; bad, edited or foreign cursors answer 400', async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const res: { statusCode: number; json(): { items: number[]; next_cursor: string | null } } =
          await t.app.inject({ url: `/test/list?limit=3${cursor ? `&cursor=${cursor}` : ''}` });
        assert.equal(res.statusCode, 200);
        seen.push(...(res.json().items as number[]));
        cursor = res.json().next_cursor;
      } while (cursor);
      assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);

      const first = (await t.app.inject({ url: '/test/list?limit=3' })).json().next_cursor as string;
      const [body, mac] = first.split('.');
      const forged = `${Buffer.from(JSON.stringify({ l: 'test:list', k: [0] })).toString('base64url')}.${mac}`;
      const foreign = t.deps.cursors.encode('other:list', [3]);
      for (const bad of ['garbage', `${body}.AAAA`, forged, foreign, `${first}.x`]) {
        const res = await t.app.inject({ url: `/test/list?cursor=${encodeURIComponent(bad)}` });
        assert.equal(res.statusCode, 400, bad);
        assert.equal(res.json().error.code, 'TP_ERR_CURSOR_INVALID');
      }
      for (const query of ['limit=0', 'limit=201', 'limit=abc', 'other=1']) {
        const res = await t.app.inject({ url: `/test/list?${query}` });
        assert.equal(res.statusCode, 400, query);
        assert.equal(res.json().error.code, 'TP_ERR_VALIDATION');
      }
    });

    test('a member-scoped route refuses an anonymous caller with 401', async () => {
      const res = await t.app.inject({ url: '/test/member-only' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'TP_ERR_AUTH_REQUIRED');
    });

    test('unknown paths answer 404 TP_ERR_NOT_FOUND in the standard body', async () => {
      const res = await t.app.inject({ url: '/api/v1/nothing-here' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'TP_ERR_NOT_FOUND');
    });

    test('healthz, readyz, metrics and the OpenAPI document answer', async () => {
      assert.deepEqual((await t.app.inject({ url: '/healthz' })).json(), { status: 'ok' });
      assert.deepEqual((await t.app.inject({ url: '/readyz' })).json(), {
        status: 'ready',
        database: 'ok',
        profiles: { backlog_events: 0, backlog_seconds: 0 },
      });
      const metrics = await t.app.inject({ url: '/metrics' });
      assert.equal(metrics.statusCode, 200);
      assert.match(metrics.body, /touchpoint_http_request_duration_seconds_bucket/);
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
      assert.equal(doc.openapi, '3.0.3');
      assert.ok(doc.paths['/test/things'].post);
      assert.equal(doc.paths['/test/member-only'].get['x-scope'], 'member with audit.read');
      assert.deepEqual(doc.paths['/test/member-only'].get.security, [
        { bearerAuth: [] },
        { sessionCookie: [] },
      ]);
      const ui = await t.app.inject({ url: '/api/docs/' });
      assert.equal(ui.statusCode, 200);
      assert.match(ui.body, /swagger/i);
    });

    test('MT-01 route inventory: every registered route declares a scope', async () => {
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
      for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
        for (const [method, op] of Object.entries(methods)) {
          assert.ok(
            (op as Record<string, unknown>)['x-scope'],
            `${method.toUpperCase()} ${path} has no scope`,
          );
        }
      }
    });
  });
}

test('MT-01 an undeclared route stops the app from starting', async () => {
  const t = await buildTestApp('sqlite');
  try {
    const app = await buildApp(t.deps, {
      plugins: [
        async (instance) => {
          instance.get('/test/undeclared', async () => ({ ok: true }));
        },
      ],
    });
    await assert.rejects(async () => {
      await app.ready();
    }, /routes without a declared scope: GET \/test\/undeclared/);
  } finally {
    await t.close();
  }
});

test('readyz answers 503 TP_ERR_STORE_UNAVAILABLE with Retry-After when the database is gone', async () => {
  const t = await buildTestApp('postgres');
  await t.deps.store.close();
  const res = await t.app.inject({ url: '/readyz' });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().error.code, 'TP_ERR_STORE_UNAVAILABLE');
  assert.ok(Number(res.headers['retry-after']) > 0);
  await t.app.close();
  await t.db.drop();
});

test('SEC-14 logs redact credentials in headers', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('trace', sink);
  const t = await buildTestApp('sqlite', { logger });
  try {
    await t.app.inject({
      url: '/test-nothing',
      headers: { authorization: 'Bearer tp_canary_secret_value', cookie: 'tp_session=cookie_canary_value' },
    });
    const text = lines.join('');
    assert.match(text, /incoming request/);
    assert.ok(!text.includes('canary'), text);
  } finally {
    await t.close();
  }
});

test('SEC-14 logged URLs have their secret query parameters redacted (request logs and errors)', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const failing: FastifyPluginAsync = async (app) => {
    app.get('/test/fail', { config: { scope: { kind: 'public' } } }, async () => {
      throw new Error('upstream https://hooks.example.com/x?key=canary_err_key&ok=1 refused');
    });
  };
  const t = await buildTestApp('sqlite', { logger: createLogger('trace', sink), plugins: [failing] });
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address() as { port: number };
    const base = `http://127.0.0.1:${address.port}`;
    const urls = [
      '/api/v1/projects/1/members?access_token=tp_canary_access_token',
      '/set-password?token=canary_set_password_token',
      '/v1/batch?writeKey=canary_write_key&page=2',
      '/nothing?app_key=canary_app_key&Secret=canary_secret&password=canary_pw&api%5Fkey=canary_api&x_api_key=canary_x',
      '/test/fail?token=canary_fail_token',
    ];
    for (const url of urls) await (await fetch(`${base}${url}`)).arrayBuffer();
    const text = lines.join('');
    assert.match(text, /incoming request/);
    assert.match(text, /upstream https:\/\/hooks\.example\.com/, 'the error is logged');
    assert.ok(!text.includes('canary'), text);
    // Only the values go: names and harmless parameters stay readable.
    assert.ok(text.includes('/v1/batch?writeKey=[redacted]&page=2'), text);
    assert.ok(text.includes('key=[redacted]&ok=1'), text);
  } finally {
    await t.close();
  }
});

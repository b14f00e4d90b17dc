// Errors the HTTP server produces before any route runs (Node's parser and timeouts, Fastify's
// router and body limits) carry the same TP_ERR_* body as every other error, over a raw socket.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../support/app.ts';

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly json: { error?: { code: string; message: string; details: unknown; requestId: string } };
}

/** Writes `parts` (pausing `pauseMs` between them) and reads until the server closes. */
function raw(port: number, parts: readonly string[], pauseMs = 0, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${received.slice(0, 300)}`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', ...rest] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let json = {};
      try {
        json = JSON.parse(rest.join('\r\n\r\n')) as object;
      } catch {
        json = { text: rest.join('\r\n\r\n') };
      }
      resolve({ status, head, json });
    });
    socket.on('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
        if (socket.destroyed) return;
        socket.write(part);
      }
    });
  });
}

function assertCoded(answer: RawAnswer, status: number, code: string): void {
  assert.equal(answer.status, status, `${answer.head}\n${JSON.stringify(answer.json)}`);
  assert.match(answer.head, /content-type: application\/json/i);
  const error = answer.json.error;
  assert.ok(error, JSON.stringify(answer.json));
  assert.equal(error.code, code);
  assert.ok(error.message.length > 20, error.message);
  assert.ok(error.requestId.length > 0);
  assert.deepEqual(error.details, error.details ?? {});
}

describe('errors made by the HTTP server itself carry the TP_ERR_* body', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await buildTestApp('sqlite', {
      env: { TOUCHPOINT_HEADERS_TIMEOUT_MS: '300', TOUCHPOINT_API_BODY_LIMIT: '1024' },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  after(() => t.close());

  test('ING-23 headers that never finish: 408 TP_ERR_REQUEST_TIMEOUT, connection closed', async () => {
    const started = performance.now();
    const answer = await raw(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'], 2_000);
    assertCoded(answer, 408, 'TP_ERR_REQUEST_TIMEOUT');
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 5_000, `answered after ${elapsed} ms (limit 300 ms plus the check interval)`);
  });

  test('a malformed request line: 400 TP_ERR_BAD_REQUEST', async () => {
    assertCoded(await raw(port, ['GARBAGE\r\n\r\n']), 400, 'TP_ERR_BAD_REQUEST');
    assertCoded(await raw(port, ['GET / HTTP/9.9\r\nHost: x\r\n\r\n']), 400, 'TP_ERR_BAD_REQUEST');
  });

  test('headers over the size limit: 431 TP_ERR_HEADERS_TOO_LARGE', async () => {
    const answer = await raw(port, [
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ]);
    assertCoded(answer, 431, 'TP_ERR_HEADERS_TOO_LARGE');
  });

  test('a URL longer than the header limit: 431 coded; a path parameter over the router limit: 404 coded', async () => {
    const long = await raw(port, [`GET /api/v1/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    assertCoded(long, 431, 'TP_ERR_HEADERS_TOO_LARGE');
    const param = await raw(port, [
      `GET /api/v1/projects/${'1'.repeat(300)}/members HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ]);
    assertCoded(param, 404, 'TP_ERR_NOT_FOUND');
  });

  test('a body over the API limit: 413 TP_ERR_PAYLOAD_TOO_LARGE; bad percent-encoding in the path: 400 TP_ERR_BAD_REQUEST', async () => {
    const body = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2_000) });
    const big = await raw(port, [
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    ]);
    assertCoded(big, 413, 'TP_ERR_PAYLOAD_TOO_LARGE');
    const bad = await raw(port, [
      `GET /api/v1/projects/%zz/members HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ]);
    assertCoded(bad, 400, 'TP_ERR_BAD_REQUEST');
    assert.ok(!JSON.stringify(bad.json).includes('%zz'), 'the path is not echoed');
  });
});

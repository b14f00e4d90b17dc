import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { judgeAttempt } from '../../src/channels/webhook/protocol/judge-attempt.ts';
import { parseCidrList } from '../../src/config/cidr.ts';
import { GuardedClient, requestTimeoutCeilingMs } from '../../src/net/guarded-client.ts';
import type { OutboundFailure, OutboundResult } from '../../src/net/outbound-result.ts';
import type { Resolver } from '../../src/net/resolver.ts';
import { captureLogger, selfSignedCertificate, startHttp, startHttps, type Listener } from './loopback.ts';

const loopbackAllowed = parseCidrList('127.0.0.1/32');
const listeners: Listener[] = [];
const clients: GuardedClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(listeners.map((l) => l.close()));
});

async function http(handler: Parameters<typeof startHttp>[0], host?: string): Promise<Listener> {
  const listener = await startHttp(handler, host);
  listeners.push(listener);
  return listener;
}
const ok = (_req: unknown, res: ServerResponse) => res.end('{"return_code":0}');

function client(options: Partial<ConstructorParameters<typeof GuardedClient>[0]> = {}): GuardedClient {
  const c = new GuardedClient({ allowTargets: [], ...options });
  clients.push(c);
  return c;
}

/** A stub DNS: answers per host, call by call (the last answer repeats). */
function stubResolver(answers: Record<string, (readonly string[])[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (host: string) => {
    calls.push(host);
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const seen = calls.filter((h) => h === host).length;
    return list[Math.min(seen, list.length) - 1] ?? [];
  };
  return Object.assign(resolver, { calls });
}

function post(c: GuardedClient, url: string, extra: Partial<Parameters<GuardedClient['request']>[0]> = {}) {
  return c.request({ method: 'POST', url, body: '[]', timeoutMs: 5_000, ...extra });
}

function assertFailure(result: OutboundResult, reason: OutboundFailure['reason']): OutboundFailure {
  assert.equal(result.kind, 'failure', JSON.stringify(result));
  assert.equal(result.reason, reason, result.internalDetail);
  return result;
}

test('SSRF-01 loopback and unspecified targets fail invalid_target at send time with no TCP connection', async () => {
  const listener = await http(ok, '::'); // dual-stack: sees IPv4 and IPv6 loopback connections
  const c = client();
  for (const host of ['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '[::]']) {
    assertFailure(await post(c, `http://${host}:${listener.port}/`), 'invalid_target');
  }
  assert.equal(listener.connections(), 0);
  // The same listener is reachable when allowlisted, so "no connection" above means refused.
  const allowed = client({ allowTargets: parseCidrList('127.0.0.1/32') });
  const answer = await post(allowed, `http://127.0.0.1:${listener.port}/`);
  assert.equal(answer.kind, 'response');
  assert.equal(listener.connections(), 1);
});

test('SSRF-02 private and reserved literals fail invalid_target before any connection attempt', async () => {
  const c = client();
  for (const host of [
    '10.0.0.1',
    '172.16.0.1',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '198.18.0.1',
    '192.0.0.1',
    '240.0.0.1',
    '255.255.255.255',
    '224.0.0.1',
    '[fc00::1]',
    '[fe80::1]',
  ]) {
    const failure = assertFailure(await post(c, `http://${host}/`), 'invalid_target');
    assert.match(failure.internalDetail, /refused before connecting/);
  }
});

test('SSRF-03 encoded loopback forms fail invalid_target with no TCP connection', async () => {
  const listener = await http(ok);
  const c = client();
  for (const host of ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0x7f.1']) {
    const failure = assertFailure(await post(c, `http://${host}:${listener.port}/`), 'invalid_target');
    assert.match(failure.internalDetail, /"host":"127\.0\.0\.1"/);
  }
  assert.equal(listener.connections(), 0);
});

test('SSRF-04 IPv4-mapped loopback fails invalid_target with no TCP connection', async () => {
  const listener = await http(ok, '::');
  const c = client();
  for (const host of ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::127.0.0.1]', '[64:ff9b::7f00:1]']) {
    assertFailure(await post(c, `http://${host}:${listener.port}/`), 'invalid_target');
  }
  assert.equal(listener.connections(), 0);
});

test('SSRF-05 a name resolving only to 127.0.0.1 is refused at connect time', async () => {
  const listener = await http(ok);
  const resolver = stubResolver({ 'loopback.test': [['127.0.0.1']] });
  const logger = captureLogger();
  const failure = assertFailure(
    await post(client({ resolver, logger }), `http://loopback.test:${listener.port}/`),
    'invalid_target',
  );
  assert.equal(listener.connections(), 0);
  assert.deepEqual(resolver.calls, ['loopback.test']);
  assert.match(failure.internalDetail, /127\.0\.0\.1 is in the blocked range loopback/);
  assert.equal(failure.message, 'The target address is not allowed.');
  assert.match(logger.lines.join('\n'), /blocked range loopback/);
});

test('SSRF-06 a name resolving to a public and a private address is refused (reject if any)', async () => {
  const listener = await http(ok);
  const resolver = stubResolver({
    'mixed.test': [['93.184.216.34', '10.0.0.5']],
    'first-allowed.test': [['127.0.0.1', '10.0.0.5']],
  });
  const c = client({ resolver, allowTargets: loopbackAllowed });
  assertFailure(await post(c, `http://mixed.test:${listener.port}/`), 'invalid_target');
  // Even when the first answer is reachable, one blocked answer refuses the whole name.
  assertFailure(await post(c, `http://first-allowed.test:${listener.port}/`), 'invalid_target');
  assert.equal(listener.connections(), 0);
});

test('SSRF-07 DNS rebinding: the connection goes to the checked first answer; a later rebind is refused', async () => {
  // Connection: close forces a new connection (and a new resolution) for the second request.
  const listener = await http((_req, res) => res.setHeader('connection', 'close').end('{"return_code":0}'));
  const resolver = stubResolver({ 'rebind.test': [['127.0.0.1'], ['169.254.169.254']] });
  const c = client({ resolver, allowTargets: loopbackAllowed });
  const url = `http://rebind.test:${listener.port}/`;

  const first = await post(c, url);
  assert.equal(first.kind, 'response', JSON.stringify(first));
  // rebind.test exists only in the stub: success proves the socket went to the checked address
  // rather than to a second lookup by the socket layer.
  assert.deepEqual(resolver.calls, ['rebind.test']);
  assert.equal(listener.requests[0]?.headers.host, `rebind.test:${listener.port}`);

  const second = assertFailure(await post(c, url), 'invalid_target');
  assert.match(second.internalDetail, /169\.254\.169\.254 is in the blocked range link-local/);
  assert.deepEqual(resolver.calls, ['rebind.test', 'rebind.test']);
  assert.equal(listener.connections(), 1);
});

test('SSRF-08 a 302 to the metadata address is not followed: 3xx is a failure, the target sees nothing', async () => {
  const metadata = await http(ok);
  const receiver = await http((_req, res) =>
    res.writeHead(302, { location: `http://127.0.0.1:${metadata.port}/latest/meta-data/` }).end(),
  );
  const c = client({ allowTargets: loopbackAllowed });
  const result = await post(c, `${receiver.origin}/hook`);
  assert.equal(result.kind, 'response');
  assert.equal(result.status, 302);
  const verdict = judgeAttempt(result, {
    messageCount: 2,
    strict: true,
    retryFailedItems: false,
    timeoutS: 60,
    nowMs: 0,
  });
  assert.equal(verdict.reason, 'http_3xx');
  assert.deepEqual(
    verdict.outcomes.map((o) => o.state),
    ['failed', 'failed'],
  );
  assert.equal(metadata.connections(), 0);

  const toMetadata = await http((_req, res) =>
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
  );
  const direct = await post(c, toMetadata.origin);
  assert.equal(direct.kind === 'response' && direct.status, 302);
});

test('SSRF-09 an http to https redirect is not followed', async () => {
  const secure = await startHttps(ok, selfSignedCertificate('receiver.test'));
  listeners.push(secure);
  const receiver = await http((_req, res) =>
    res.writeHead(301, { location: `https://127.0.0.1:${secure.port}/hook` }).end(),
  );
  const result = await post(client({ allowTargets: loopbackAllowed }), `${receiver.origin}/hook`);
  assert.equal(result.kind === 'response' && result.status, 301);
  assert.equal(secure.connections(), 0);
});

test('SSRF-11 userinfo tricks: the parsed host is checked; URL credentials are sent as Basic auth, never logged', async () => {
  const listener = await http(ok);
  const logger = captureLogger();
  const blocked = client({ logger, resolver: stubResolver({ 'evil.com': [['127.0.0.1']] }) });
  assertFailure(await post(blocked, `http://evil.com@127.0.0.1:${listener.port}/`), 'invalid_target');
  assertFailure(await post(blocked, `http://127.0.0.1:${listener.port}#@evil.com/`), 'invalid_target');
  // Here the host is evil.com; its (stub) answer is loopback, so it is refused at connect.
  assertFailure(await post(blocked, `http://evil.com:${listener.port}\\@127.0.0.1/`), 'invalid_target');
  assertFailure(await post(blocked, `http://admin:hunter2@127.0.0.1:${listener.port}/`), 'invalid_target');
  assert.equal(listener.connections(), 0);

  const allowed = client({
    logger,
    allowTargets: loopbackAllowed,
    resolver: stubResolver({ 'receiver.test': [['127.0.0.1']] }),
  });
  const result = await post(allowed, `http://admin:hunter2@receiver.test:${listener.port}/in`);
  assert.equal(result.kind, 'response');
  assert.equal(
    listener.requests[0]?.headers.authorization,
    `Basic ${Buffer.from('admin:hunter2').toString('base64')}`,
  );
  assert.equal(listener.requests[0]?.url, '/in');
  await post(allowed, `http://a%zz:b%20c@receiver.test:${listener.port}/`); // malformed escapes are kept
  assert.equal(
    listener.requests[1]?.headers.authorization,
    `Basic ${Buffer.from('a%zz:b c').toString('base64')}`,
  );
  await post(allowed, `http://admin:hunter2@127.0.0.1:1/`); // a failure that gets logged
  assert.ok(logger.lines.length >= 5);
  for (const line of logger.lines) assert.ok(!line.includes('hunter2'), line);
});

test('SSRF-12 port 0 is refused at send time', async () => {
  assertFailure(await post(client(), 'http://93.184.216.34:0/'), 'invalid_target');
});

test('SSRF-13 localhost spellings fail invalid_target with no TCP connection', async () => {
  const listener = await http(ok, '::');
  const c = client();
  for (const host of [
    'localhost.',
    'LOCALHOST',
    'LocalHost.',
    'api.localhost',
    '\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54',
  ]) {
    assertFailure(await post(c, `http://${host}:${listener.port}/`), 'invalid_target');
  }
  assert.equal(listener.connections(), 0);
});

test('SSRF-14 open and closed internal ports give the same customer-visible failure; detail stays in logs', async () => {
  const open = await http((_req, res) => res.end('SSH-2.0-OpenSSH_9.6 banner'));
  const closed = await http(ok);
  await closed.close();
  const logger = captureLogger();
  const resolver = stubResolver({ 'internal.corp': [['10.0.0.7']] });
  const c = client({ logger, resolver });
  const failures = [
    await post(c, `http://127.0.0.1:${open.port}/`),
    await post(c, `http://127.0.0.1:${closed.port}/`),
    await post(c, `http://internal.corp:${open.port}/`),
  ].map((r) => assertFailure(r, 'invalid_target'));
  const visible = failures.map(({ reason, message, requestSent }) => ({ reason, message, requestSent }));
  assert.deepEqual(visible[0], visible[1]);
  assert.deepEqual(visible[0], visible[2]);
  for (const f of failures) {
    assert.ok(!f.message.includes(String(open.port)) && !f.message.includes('127.0.0.1'));
    assert.ok(f.timings.totalMs < 1_000);
  }
  assert.equal(open.connections(), 0);
  assert.match(logger.lines.join('\n'), /10\.0\.0\.7 is in the blocked range private/);
});

test('SSRF-15 with 127.0.0.1/32 allowlisted, 127.0.0.1 is reachable and 127.0.0.2 stays blocked', async () => {
  const allowedListener = await http(ok, '127.0.0.1');
  const neighbour = await http(ok, '127.0.0.2');
  const c = client({ allowTargets: loopbackAllowed });
  assert.equal((await post(c, allowedListener.origin)).kind, 'response');
  assertFailure(await post(c, neighbour.origin), 'invalid_target');
  const resolver = stubResolver({ 'lan.test': [['127.0.0.2']] });
  assertFailure(
    await post(client({ allowTargets: loopbackAllowed, resolver }), `http://lan.test:${neighbour.port}/`),
    'invalid_target',
  );
  assert.equal(neighbour.connections(), 0);
});

test('resolver errors are a generic network failure; the resolver detail only reaches the logs', async () => {
  const logger = captureLogger();
  const failure = assertFailure(
    await post(client({ logger, resolver: stubResolver({}) }), 'http://nx.test/'),
    'network',
  );
  assert.equal(failure.message, 'The receiver could not be reached.');
  assert.match(logger.lines.join('\n'), /ENOTFOUND nx\.test/);
});

test('a resolver that never answers ends at the connect timeout as a timeout', async () => {
  const hanging: Resolver = () => new Promise(() => undefined);
  const started = Date.now();
  const c = client({ resolver: hanging, connectTimeoutMs: 100 });
  assertFailure(await post(c, 'http://slow-dns.test/', { timeoutMs: 5_000 }), 'timeout');
  assert.ok(Date.now() - started < 2_000);
});

test('connections are kept alive per origin', async () => {
  const listener = await http(ok);
  const c = client({ allowTargets: loopbackAllowed });
  for (let i = 0; i < 5; i += 1) assert.equal((await post(c, listener.origin)).kind, 'response');
  assert.ok(listener.connections() <= 2, `${listener.connections()} connections for 5 requests`);
});

test('WH-07 a receiver that accepts TCP but never answers ends at the total timeout', async () => {
  const listener = await http(() => undefined);
  const started = Date.now();
  const failure = assertFailure(
    await post(client({ allowTargets: loopbackAllowed }), listener.origin, { timeoutMs: 200 }),
    'timeout',
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 190 && elapsed < 2_000, `${elapsed} ms`);
  assert.equal(failure.requestSent, true);
});

test('WH-08 headers then a body dripping one byte at a time still ends at the total (not idle) timeout', async () => {
  const listener = await http((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  });
  const started = Date.now();
  assertFailure(
    await post(client({ allowTargets: loopbackAllowed }), listener.origin, { timeoutMs: 300 }),
    'timeout',
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 3_000, `${elapsed} ms`);
});

test('WH-09 an unbounded answer is cut at the cap and fails invalid_response', async () => {
  let written = 0;
  const listener = await http((_req, res) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed && written < 50 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const failure = assertFailure(
    await post(client({ allowTargets: loopbackAllowed }), listener.origin, { maxResponseBytes: 64 * 1024 }),
    'invalid_response',
  );
  assert.match(failure.internalDetail, /larger than 65536 bytes/);
  assert.ok(written < 10 * 1024 * 1024, `the server wrote ${written} bytes`);
});

test('WH-13 a gzip-encoded, chunked answer is decoded; a gzip bomb is capped', async () => {
  const body = '{"return_code":0,"return_message":"success","data":{"fail_list":[]}}';
  const listener = await http((req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' });
    res.end(req.url === '/bomb' ? gzipSync(Buffer.alloc(10 * 1024 * 1024)) : gzipSync(body));
  });
  const c = client({ allowTargets: loopbackAllowed });
  const result = await post(c, `${listener.origin}/ok`);
  assert.equal(result.kind === 'response' && result.body.toString(), body);
  assertFailure(
    await post(c, `${listener.origin}/bomb`, { maxResponseBytes: 64 * 1024 }),
    'invalid_response',
  );
});

test('WH-28 TLS is verified against the URL host: self-signed or wrong-name certificates fail tls', async () => {
  const tls = selfSignedCertificate('receiver.test');
  const secure = await startHttps(ok, tls);
  listeners.push(secure);
  const resolver = stubResolver({ 'receiver.test': [['127.0.0.1']], 'other.test': [['127.0.0.1']] });
  const untrusting = client({ allowTargets: loopbackAllowed, resolver });
  assertFailure(await post(untrusting, `https://receiver.test:${secure.port}/`), 'tls');
  const trusting = client({ allowTargets: loopbackAllowed, resolver, extraCa: [tls.cert] });
  const good = await post(trusting, `https://receiver.test:${secure.port}/`);
  assert.equal(good.kind === 'response' && good.status, 200, JSON.stringify(good));
  assertFailure(await post(trusting, `https://other.test:${secure.port}/`), 'tls');
  assertFailure(await post(trusting, `https://127.0.0.1:${secure.port}/`), 'tls');
});

test('awaitResponse false resolves as sent once the body is written, without waiting for the answer', async () => {
  const listener = await http((_req, res) => setTimeout(() => res.end('late'), 1_500));
  const started = Date.now();
  const result = await post(client({ allowTargets: loopbackAllowed }), listener.origin, {
    awaitResponse: false,
    body: Buffer.alloc(100_000, 'a'),
  });
  assert.equal(result.kind, 'sent');
  assert.ok(Date.now() - started < 1_000);
  assert.equal(
    judgeAttempt(result, { messageCount: 3, strict: true, retryFailedItems: false, timeoutS: -1, nowMs: 0 })
      .outcomes.map((o) => o.state)
      .join(),
    'sent,sent,sent',
  );
  assert.equal(requestTimeoutCeilingMs, 3_600_000);
});

test('a refused connection is a network failure (retryable), not invalid_target', async () => {
  const gone = await http(ok);
  await gone.close();
  const failure = assertFailure(
    await post(client({ allowTargets: loopbackAllowed }), gone.origin),
    'network',
  );
  assert.equal(failure.requestSent, false);
});

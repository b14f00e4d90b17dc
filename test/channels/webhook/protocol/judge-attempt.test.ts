import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import {
  judgeAttempt,
  judgeLocalFailure,
  type JudgeOptions,
} from '../../../../src/channels/webhook/protocol/judge-attempt.ts';
import type { AttemptVerdict } from '../../../../src/channels/message-outcome.ts';
import { parseReceiverResponse } from '../../../../src/channels/webhook/protocol/parse-receiver-response.ts';
import { parseRetryAfter } from '../../../../src/channels/webhook/protocol/parse-retry-after.ts';
import { requestTimeout } from '../../../../src/channels/webhook/protocol/request-timeout.ts';
import { parseCidrList } from '../../../../src/config/cidr.ts';
import { GuardedClient } from '../../../../src/net/guarded-client.ts';
import type { OutboundResult } from '../../../../src/net/outbound-result.ts';
import { startHttp } from '../../../net/loopback.ts';

const nowMs = Date.parse('2026-05-01T12:00:00Z');
const five: JudgeOptions = { messageCount: 5, strict: true, retryFailedItems: false, timeoutS: 60, nowMs };

function response(
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): OutboundResult {
  return {
    kind: 'response',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    timings: { responseStartMs: 1, totalMs: 2 },
  };
}

const states = (verdict: AttemptVerdict) => verdict.outcomes.map((o) => o.state).join(',');
const failList = (list: unknown) =>
  JSON.stringify({ return_code: 0, return_message: 'success', data: { fail_list: list } });

function assertWholeBatchInvalid(verdict: AttemptVerdict, detail: RegExp, label: string): void {
  assert.equal(verdict.result, 'failure', label);
  assert.equal(verdict.reason, 'invalid_response', label);
  assert.match(verdict.detail, detail, label);
  assert.equal(states(verdict), 'retry,retry,retry,retry,retry', label);
  assert.ok(
    verdict.outcomes.every((o) => o.state !== 'delivered'),
    label,
  );
}

test('WH-01 a 200 with a "no failures" body delivers every message', () => {
  for (const body of [failList([]), failList(null), '{"return_code":0}', '{"return_code":0,"data":null}']) {
    const verdict = judgeAttempt(response(200, body), five);
    assert.equal(verdict.result, 'success', body);
    assert.equal(states(verdict), 'delivered,delivered,delivered,delivered,delivered');
  }
});

test('WH-10 a valid partial failure [2,5]: 1,3,4 delivered; 2 and 5 failed with the receiver message, or retried', () => {
  const body = failList([
    { index: 2, message: 'the player token does not exist' },
    { index: 5, message: 'push id not found' },
  ]);
  const verdict = judgeAttempt(response(200, body), five);
  assert.equal(verdict.result, 'partial');
  assert.equal(states(verdict), 'delivered,failed,delivered,delivered,failed');
  assert.deepEqual(verdict.outcomes[1], {
    state: 'failed',
    cause: 'fail_list',
    receiverMessage: 'the player token does not exist',
  });
  assert.match(verdict.detail, /fail_list names 2 of 5: 2, 5/);
  const retried = judgeAttempt(response(200, body), { ...five, retryFailedItems: true });
  assert.equal(states(retried), 'delivered,retry,delivered,delivered,retry');
});

test('WH-11 malformed fail_list variants fail the whole batch with invalid_response and a detail', () => {
  const cases: [unknown, RegExp][] = [
    [[{ index: 0, message: 'x' }], /index is 0; indexes are 1-based and run 1\.\.5/],
    [[{ index: 6, message: 'x' }], /index is 6/],
    [[{ index: -1, message: 'x' }], /index is -1/],
    [[{ index: '2', message: 'x' }], /index is "2", not an integer/],
    [[{ index: 2.5, message: 'x' }], /index is 2\.5, not an integer/],
    [[{ index: null, message: 'x' }], /index is null, not an integer/],
    [[{ message: 'no index' }], /fail_list\[0\]\.index is missing/],
    [{ index: 2, message: 'object instead of array' }, /fail_list is not an array/],
    [[2, 5], /fail_list\[0\] is not an object/],
    [[{ index: 2, message: 42 }], /message is not a string/],
    [[{ index: 2 }, { index: 0 }], /fail_list\[1\]\.index is 0/],
  ];
  for (const [list, detail] of cases) {
    assertWholeBatchInvalid(judgeAttempt(response(200, failList(list)), five), detail, JSON.stringify(list));
  }
  assertWholeBatchInvalid(
    judgeAttempt(response(200, '{"return_code":0,"data":[]}'), five),
    /data is not an object/,
    'data array',
  );
  assertWholeBatchInvalid(
    judgeAttempt(response(200, '{"return_code":0,"return_message":7}'), five),
    /return_message is not a string/,
    'return_message number',
  );
});

test('WH-11 tolerated variants: duplicate indexes, an item without message, unknown extra fields', () => {
  const duplicates = judgeAttempt(
    response(
      200,
      failList([
        { index: 2, message: 'first' },
        { index: 2, message: 'second' },
      ]),
    ),
    five,
  );
  assert.equal(states(duplicates), 'delivered,failed,delivered,delivered,delivered');
  assert.deepEqual(duplicates.outcomes[1], { state: 'failed', cause: 'fail_list', receiverMessage: 'first' });
  const noMessage = judgeAttempt(response(200, failList([{ index: 3 }, { index: 4, message: null }])), five);
  assert.equal(states(noMessage), 'delivered,delivered,failed,failed,delivered');
  assert.deepEqual(noMessage.outcomes[2], { state: 'failed', cause: 'fail_list', receiverMessage: null });
  const extra = JSON.stringify({
    return_code: 0,
    return_message: 'success',
    trace: 'abc',
    data: { fail_list: [{ index: 1, message: 'm', code: 'E1' }], total: 5 },
  });
  assert.equal(
    states(judgeAttempt(response(200, extra), five)),
    'failed,delivered,delivered,delivered,delivered',
  );
});

test('WH-12 a 200 with an empty, HTML, text/plain or invalid JSON body fails invalid_response (strict), retried', () => {
  const cases: [string, Record<string, string>][] = [
    ['', {}],
    ['   ', {}],
    ['<html><body>Welcome to the hotel Wi-Fi</body></html>', { 'content-type': 'text/html' }],
    ['OK', { 'content-type': 'text/plain' }],
    ['{"return_code":0,', {}],
    ['[]', {}],
    ['{"return_code":"0"}', {}],
    ['null', {}],
  ];
  for (const [body, headers] of cases) {
    const verdict = judgeAttempt(response(200, body, headers), five);
    assert.equal(verdict.reason, 'invalid_response', body);
    assert.equal(states(verdict), 'retry,retry,retry,retry,retry', body);
  }
  // Content-Type is ignored: the body decides.
  assert.equal(
    judgeAttempt(response(200, failList([]), { 'content-type': 'text/plain' }), five).result,
    'success',
  );
  assert.equal(judgeAttempt(response(200, Buffer.from([0xff, 0xfe, 0x00])), five).reason, 'invalid_response');
  assert.equal(judgeAttempt(response(200, `\ufeff${failList([])}`), five).result, 'success');
});

test('strict off: an empty or unparseable 200 succeeds, a response-shaped body is still judged', () => {
  const lax = { ...five, strict: false };
  for (const body of ['', '<html>captive portal</html>', 'OK', '{"ok":true}', '[]']) {
    assert.equal(judgeAttempt(response(200, body), lax).result, 'success', body);
  }
  assert.equal(
    states(judgeAttempt(response(200, failList([{ index: 4, message: 'x' }])), lax)),
    'delivered,delivered,delivered,failed,delivered',
  );
  assert.equal(judgeAttempt(response(200, '{"return_code":1}'), lax).reason, 'http_5xx');
  // A body that speaks the protocol but names messages wrongly is never taken as success.
  assertWholeBatchInvalid(
    judgeAttempt(response(200, failList([{ index: 0 }])), lax),
    /index is 0/,
    'lax index 0',
  );
  // Non-200 answers are judged the same in both modes.
  assert.equal(judgeAttempt(response(500, ''), lax).reason, 'http_5xx');
});

test('the seed response examples: the uncorrected one (missing commas) is malformed; the corrected one is partial', () => {
  const dir = 'test/fixtures/protocol/responses';
  const seed = readFileSync(`${dir}/seed-example.txt`);
  assert.equal(parseReceiverResponse(seed, 5).kind, 'unparseable');
  assertWholeBatchInvalid(judgeAttempt(response(200, seed), five), /not JSON/, 'seed example');
  assert.equal(judgeAttempt(response(200, seed), { ...five, strict: false }).result, 'success');
  const corrected = judgeAttempt(response(200, readFileSync(`${dir}/seed-example-corrected.json`)), five);
  assert.equal(states(corrected), 'delivered,failed,delivered,failed,delivered');
  assert.deepEqual(corrected.outcomes[3], {
    state: 'failed',
    cause: 'fail_list',
    receiverMessage: 'push id not found',
  });
  const integrity = judgeAttempt(response(200, readFileSync(`${dir}/seed-integrity-example.json`)), {
    ...five,
    messageCount: 1,
  });
  assert.equal(integrity.result, 'success');
});

test('a non-zero return_code fails every message and retries like a 5xx, whatever fail_list says', () => {
  const verdict = judgeAttempt(
    response(
      200,
      JSON.stringify({
        return_code: 1,
        return_message: 'mail system down',
        data: { fail_list: [{ index: 0 }] },
      }),
    ),
    five,
  );
  assert.equal(verdict.reason, 'http_5xx');
  assert.match(verdict.detail, /return_code 1: mail system down/);
  assert.equal(states(verdict), 'retry,retry,retry,retry,retry');
  assert.equal(judgeAttempt(response(200, '{"return_code":-3}'), five).reason, 'http_5xx');
});

test('HTTP statuses map onto the closed reasons: only 200 succeeds; 3xx and 4xx fail; 408, 429 and 5xx retry; 410 is gone', () => {
  const cases: [number, string, string][] = [
    [201, 'invalid_response', 'retry'],
    [204, 'invalid_response', 'retry'],
    [301, 'http_3xx', 'failed'],
    [302, 'http_3xx', 'failed'],
    [307, 'http_3xx', 'failed'],
    [308, 'http_3xx', 'failed'],
    [400, 'http_4xx', 'failed'],
    [401, 'http_4xx', 'failed'],
    [404, 'http_4xx', 'failed'],
    [408, 'http_4xx', 'retry'],
    [410, 'gone', 'failed'],
    [422, 'http_4xx', 'failed'],
    [429, 'http_4xx', 'retry'],
    [500, 'http_5xx', 'retry'],
    [502, 'http_5xx', 'retry'],
    [503, 'http_5xx', 'retry'],
    [599, 'http_5xx', 'retry'],
    [600, 'invalid_response', 'retry'],
  ];
  for (const [status, reason, state] of cases) {
    const verdict = judgeAttempt(response(status, failList([])), five);
    assert.equal(verdict.reason, reason, String(status));
    assert.equal(verdict.status, status);
    assert.ok(
      verdict.outcomes.every((o) => o.state === state),
      `${status} → ${state}`,
    );
  }
});

test('WH-05/WH-06 Retry-After is parsed (seconds or HTTP date) and reported uncapped', () => {
  assert.equal(judgeAttempt(response(429, '', { 'retry-after': '120' }), five).retryAfterMs, 120_000);
  assert.equal(
    judgeAttempt(response(429, '', { 'retry-after': '999999999' }), five).retryAfterMs,
    999_999_999_000,
  );
  assert.equal(
    judgeAttempt(response(503, '', { 'retry-after': 'Fri, 01 May 2026 12:02:30 GMT' }), five).retryAfterMs,
    150_000,
  );
  assert.equal(parseRetryAfter('Friday, 01-May-26 12:00:10 GMT', nowMs), 10_000);
  assert.equal(parseRetryAfter('Fri May  1 12:00:05 2026', nowMs), 5_000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2015 00:00:00 GMT', nowMs), 0);
  for (const bad of ['soon', '-5', '1.5', '', 'Fri, 01 May 2026 12:02:30'])
    assert.equal(parseRetryAfter(bad, nowMs), undefined, bad);
  assert.equal(judgeAttempt(response(503, ''), five).retryAfterMs, undefined);
});

test('transport failures: timeout, network, tls and invalid_response retry; invalid_target fails for good', () => {
  const failure = (
    reason: 'timeout' | 'tls' | 'invalid_target' | 'invalid_response' | 'network',
    requestSent = false,
  ): OutboundResult => ({
    kind: 'failure',
    reason,
    message: `customer-visible ${reason}`,
    internalDetail: 'internal 10.0.0.7:22',
    requestSent,
    timings: { totalMs: 1 },
  });
  for (const reason of ['timeout', 'network', 'tls', 'invalid_response'] as const) {
    const verdict = judgeAttempt(failure(reason), five);
    assert.equal(verdict.reason, reason);
    assert.equal(states(verdict), 'retry,retry,retry,retry,retry');
  }
  const target = judgeAttempt(failure('invalid_target'), five);
  assert.equal(states(target), 'failed,failed,failed,failed,failed');
  assert.ok(!target.detail.includes('10.0.0.7'), 'internal detail never reaches the attempt record');
  const secret = judgeLocalFailure('secret_unreadable', 'the channel token cannot be decrypted', 2);
  assert.equal(states(secret), 'failed,failed');
  assert.equal(secret.reason, 'secret_unreadable');
});

test('timeout -1: messages end sent once the body was written, never delivered or failed; 0 means the 1 h ceiling', () => {
  const unawaited = { ...five, timeoutS: -1 };
  assert.equal(
    states(judgeAttempt({ kind: 'sent', timings: { totalMs: 1 } }, unawaited)),
    'sent,sent,sent,sent,sent',
  );
  assert.equal(states(judgeAttempt(response(500, ''), unawaited)), 'sent,sent,sent,sent,sent');
  const afterWrite: OutboundResult = {
    kind: 'failure',
    reason: 'network',
    message: 'm',
    internalDetail: 'd',
    requestSent: true,
    timings: { totalMs: 1 },
  };
  assert.equal(judgeAttempt(afterWrite, unawaited).result, 'sent');
  const beforeWrite: OutboundResult = { ...afterWrite, requestSent: false };
  assert.equal(states(judgeAttempt(beforeWrite, unawaited)), 'retry,retry,retry,retry,retry');
  assert.deepEqual(requestTimeout(-1), { awaitResponse: false, timeoutMs: 60_000 });
  assert.deepEqual(requestTimeout(0), { awaitResponse: true, timeoutMs: 3_600_000 });
  assert.deepEqual(requestTimeout(60), { awaitResponse: true, timeoutMs: 60_000 });
  assert.deepEqual(requestTimeout(3600), { awaitResponse: true, timeoutMs: 3_600_000 });
  for (const bad of [-2, 3601, 1.5]) assert.throws(() => requestTimeout(bad), RangeError);
});

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

test('WH-12 through a real listener and the guarded client: unreadable 200s fail, a text/plain JSON answer succeeds', async () => {
  const bodies: Record<string, [string, string]> = {
    '/empty': ['', 'application/json'],
    '/html': ['<html><body>captive portal</body></html>', 'text/html'],
    '/plain': ['all good', 'text/plain'],
    '/broken': ['{"return_code":0,"data":{"fail_list":[{"index":2 "message":"x"}]}}', 'application/json'],
    '/mislabelled': [failList([{ index: 2, message: 'nope' }]), 'text/plain'],
  };
  const listener = await startHttp((req, res) => {
    const [body, type] = bodies[req.url ?? ''] ?? ['', 'text/plain'];
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  const client = new GuardedClient({ allowTargets: parseCidrList('127.0.0.1/32') });
  closers.push(
    () => client.close(),
    () => listener.close(),
  );
  for (const path of ['/empty', '/html', '/plain', '/broken']) {
    const result = await client.request({
      method: 'POST',
      url: `${listener.origin}${path}`,
      body: '[]',
      timeoutMs: 5_000,
    });
    const verdict = judgeAttempt(result, { ...five, messageCount: 3 });
    assert.equal(verdict.reason, 'invalid_response', path);
    assert.equal(states(verdict), 'retry,retry,retry', path);
  }
  const mislabelled = await client.request({
    method: 'POST',
    url: `${listener.origin}/mislabelled`,
    body: '[]',
    timeoutMs: 5_000,
  });
  assert.equal(states(judgeAttempt(mislabelled, { ...five, messageCount: 3 })), 'delivered,failed,delivered');
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import express from 'express';
import {
  expressReceiver,
  handleReceiverRequest,
  parseRequest,
  verifySignature,
  verifyWebhookV2,
  type CustomChannelMessage,
} from '../../../../packages/receiver-kit/src/index.ts';
import { buildBatch } from '../../../../src/channels/webhook/protocol/build-batch.ts';
import { judgeAttempt } from '../../../../src/channels/webhook/protocol/judge-attempt.ts';
import { prepareRequest } from '../../../../src/channels/webhook/protocol/prepare-request.ts';
import { serializeBatch } from '../../../../src/channels/webhook/protocol/serialize-batch.ts';
import { generateV2Key } from '../../../../src/channels/webhook/protocol/sign-v2.ts';
import type { RenderedMessage } from '../../../../src/channels/message.ts';
import { parseCidrList } from '../../../../src/config/cidr.ts';
import { GuardedClient } from '../../../../src/net/guarded-client.ts';
import { goldenMessages, goldenTimeZone } from '../../../fixtures/protocol/golden-input.ts';

const token = 'interop-token';
const nowS = () => Math.floor(Date.now() / 1000);

function rendered(n: number): RenderedMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    pushId: i === 2 ? 'unknown-player' : `role-${i + 1}`,
    params: { title: '每日活动\u2028🎉', when: new Date(Date.UTC(2026, 0, i + 1)), ratio: 0.1 * i },
    customParams: { level: i, vip: null },
    receipt: { requestId: randomUUID(), taskId: '5', taskInstanceId: '2', projectId: 1 },
  }));
}

test('the receiver kit verifies requests built by the protocol module (v1 and v2, gzip or not)', async () => {
  const v2Key = generateV2Key();
  for (const compression of [true, false]) {
    const json = serializeBatch(buildBatch(goldenMessages, { timeZone: goldenTimeZone }));
    const request = prepareRequest({ json, compression, token, v2: { keys: [v2Key], timestampS: nowS() } });
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const parsed = parseRequest(request.body, headers['content-encoding']);
    assert.ok(parsed.ok);
    assert.ok(parsed.json.equals(json));
    assert.equal(verifySignature(parsed.json, headers['x-te-ops-signature'], token), true);
    assert.equal(verifyWebhookV2(parsed.json, headers, v2Key), true);
    assert.equal(verifySignature(parsed.json, headers['x-te-ops-signature'], 'other'), false);
    assert.equal(parsed.messages.length, 3);
    const answer = await handleReceiverRequest(request.body, headers, {
      secret: token,
      v2Secrets: [v2Key],
      onBatch: (messages) => messages.map((m) => (m.push_id === '2002' ? 'no such player' : null)),
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body).data.fail_list, [{ index: 2, message: 'no such player' }]);
  }
});

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('an Express app using the kit answers a real request from the guarded client (WH-29 gzip + signature)', async () => {
  const seen: { messages: CustomChannelMessage[]; contentLength: string | undefined }[] = [];
  const app = express();
  app.post(
    '/touchpoint',
    (req, _res, next) => {
      seen.push({ messages: [], contentLength: req.headers['content-length'] });
      next();
    },
    expressReceiver({
      secret: token,
      onBatch(messages) {
        seen.at(-1)!.messages = messages;
        return messages.map((m) => (m.push_id === 'unknown-player' ? 'push id not found' : null));
      },
    }),
  );
  const url = `${await listen(createServer(app))}/touchpoint`;
  const client = new GuardedClient({ allowTargets: parseCidrList('127.0.0.1/32') });
  closers.push(() => client.close());

  const messages = rendered(4);
  const json = serializeBatch(buildBatch(messages, { timeZone: 'Asia/Shanghai' }));
  const request = prepareRequest({ json, compression: true, token });
  const result = await client.request({
    method: 'POST',
    url,
    headers: request.headers,
    body: request.body,
    timeoutMs: 5_000,
  });
  assert.equal(result.kind, 'response', JSON.stringify(result));
  const verdict = judgeAttempt(result, {
    messageCount: 4,
    strict: true,
    retryFailedItems: false,
    timeoutS: 5,
    nowMs: Date.now(),
  });
  assert.equal(verdict.result, 'partial', verdict.detail);
  assert.deepEqual(
    verdict.outcomes.map((o) => o.state),
    ['delivered', 'delivered', 'failed', 'delivered'],
  );
  assert.deepEqual(verdict.outcomes[2], {
    state: 'failed',
    cause: 'fail_list',
    receiverMessage: 'push id not found',
  });
  // WH-29: Content-Length is the compressed size; the signature verified on the decompressed bytes.
  assert.equal(seen[0]?.contentLength, String(request.body.length));
  assert.ok(request.body.length !== json.length);
  assert.deepEqual(seen[0]?.messages, JSON.parse(json.toString()));

  const forged = prepareRequest({ json, compression: true, token: 'stolen?' });
  const refused = await client.request({
    method: 'POST',
    url,
    headers: forged.headers,
    body: forged.body,
    timeoutMs: 5_000,
  });
  assert.equal(refused.kind === 'response' && refused.status, 401);
  assert.equal(
    judgeAttempt(refused, { messageCount: 4, strict: true, retryFailedItems: false, timeoutS: 5, nowMs: 0 })
      .reason,
    'http_4xx',
  );
});

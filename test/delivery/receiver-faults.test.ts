// RELIABILITY §1.4 receiver faults through the real dispatcher and guarded client: each ends in the
// SPEC §4 state and reason, with an attempt record; none hangs a worker. Both databases.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { AddressInfo, Socket } from 'node:net';
import type { Json } from '../channels/channel-fixture.ts';
import { selfSignedCertificate, startHttps } from '../net/loopback.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

/** A raw TCP receiver: `respond(socket)` decides what bytes (if any) go back. */
async function rawReceiver(
  respond: (socket: Socket) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    // The client may close first (timeouts, caps): a write after that is expected, not a failure.
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => respond(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

for (const kind of storeKinds) {
  describe(`receiver faults [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    before(async () => {
      // One attempt only (schedule of one long retry): each test reads the first attempt's verdict.
      d = await deliveryFixture(kind, { TOUCHPOINT_DELIVERY_RETRY_SCHEDULE: '1h' });
      receiver = await scriptableReceiver();
      await d.users([{ userId: 'u-1' }]);
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    /** Sends one message to `url` and answers its first attempt once recorded. */
    async function firstAttempt(
      url: string,
      channelOverrides: Json = {},
    ): Promise<{ message: Json; attempt: Json }> {
      const channel = await d.channel(url, { timeout_s: 1, ...channelOverrides });
      const res = await d.send({
        channel_id: channel.id,
        template_values: { title: 'T', content: 'C' },
        recipients: [{ id_type: 'user_id', id: 'u-1' }],
      });
      assert.equal(res.statusCode, 202);
      const listed = await d.f.as('adminA', d.f.a, { url: `${d.base}/messages?send_id=${res.json.send_id}` });
      const id = listed.json().items[0].ops_request_id as string;
      let detail: Json = {};
      await d.deliverUntil(async () => {
        detail = await d.message(id);
        return detail.attempts.length > 0;
      });
      return { message: detail.message, attempt: detail.attempts[0] };
    }

    test('WH-06 503 with an HTTP-date Retry-After: the retry is scheduled no earlier than that date', async () => {
      const at = new Date(Date.now() + 120_000);
      receiver.script = () => ({ status: 503, headers: { 'retry-after': at.toUTCString() }, body: '' });
      const { message, attempt } = await firstAttempt(`${receiver.origin}/hook`);
      assert.equal(message.state, 'queued');
      assert.equal(attempt.reason, 'http_5xx');
      assert.ok(Date.parse(message.next_attempt_at) >= at.getTime() - 1000, message.next_attempt_at);
    });

    test('WH-07 a receiver that accepts and never answers: the attempt ends at the channel timeout (timeout), queued for retry', async () => {
      const hang = await rawReceiver(() => {});
      try {
        const started = Date.now();
        const { message, attempt } = await firstAttempt(hang.url);
        assert.equal(attempt.reason, 'timeout');
        assert.equal(message.state, 'queued');
        assert.ok(Date.now() - started < 10_000, 'the worker was not held past the timeout');
      } finally {
        await hang.close();
      }
    });

    test('WH-08 headers then a dripping body: the total timeout fires (timeout)', async () => {
      const drip = await rawReceiver((socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
        const timer = setInterval(() => socket.write(' '), 100);
        socket.on('close', () => clearInterval(timer));
      });
      try {
        const { attempt } = await firstAttempt(drip.url);
        assert.equal(attempt.reason, 'timeout');
      } finally {
        await drip.close();
      }
    });

    test('WH-09 an unbounded answer is capped and fails invalid_response; the excerpt stays within 4 KiB', async () => {
      const flood = await rawReceiver((socket) => {
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        );
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const pump = () => {
          if (socket.destroyed) return;
          socket.write(`${chunk.length.toString(16)}\r\n`);
          socket.write(chunk);
          socket.write('\r\n');
          setImmediate(pump);
        };
        pump();
      });
      try {
        const { attempt } = await firstAttempt(flood.url);
        assert.equal(attempt.reason, 'invalid_response');
        assert.ok((attempt.response_excerpt ?? '').length <= 4096);
      } finally {
        await flood.close();
      }
    });

    for (const [name, answer] of [
      ['index 0', JSON.stringify({ return_code: 0, data: { fail_list: [{ index: 0, message: 'x' }] } })],
      ['index out of range', JSON.stringify({ return_code: 0, data: { fail_list: [{ index: 6 }] } })],
      ['string index', JSON.stringify({ return_code: 0, data: { fail_list: [{ index: '1' }] } })],
      ['fail_list not a list', JSON.stringify({ return_code: 0, data: { fail_list: { index: 1 } } })],
      ['empty body', ''],
      ['HTML (captive portal)', '<html><body>Sign in</body></html>'],
      ['invalid JSON', '{"return_code":0,'],
    ] as const) {
      test(`WH-11/WH-12 strict mode: ${name} is invalid_response for the whole batch, retried, never delivered`, async () => {
        receiver.script = () => ({ body: answer });
        const { message, attempt } = await firstAttempt(`${receiver.origin}/hook`);
        assert.equal(attempt.reason, 'invalid_response');
        assert.equal(message.state, 'queued');
      });
    }

    test('WH-13 a gzip-encoded valid answer is decoded and accepted', async () => {
      const gz = await rawReceiver((socket) => {
        const body = gzipSync(ok());
        socket.end(
          Buffer.concat([
            Buffer.from(
              `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
            ),
            body,
          ]),
        );
      });
      try {
        const { message } = await firstAttempt(gz.url);
        assert.equal(message.state, 'delivered');
      } finally {
        await gz.close();
      }
    });

    test('WH-14 the receiver takes the batch but the connection drops before the answer: a failure (network), retried with the same id', async () => {
      const drop = await rawReceiver((socket) => socket.destroy());
      try {
        const { message, attempt } = await firstAttempt(drop.url);
        assert.equal(attempt.reason, 'network');
        assert.equal(message.state, 'queued');
      } finally {
        await drop.close();
      }
    });

    test('WH-28 a self-signed certificate fails with reason tls; nothing is sent in clear', async () => {
      const tls = await startHttps((_req, res) => res.end(ok()), selfSignedCertificate('localhost'));
      try {
        const { attempt } = await firstAttempt(`${tls.origin}/hook`);
        assert.equal(attempt.reason, 'tls');
        assert.equal(tls.requests.length, 0);
      } finally {
        await tls.close();
      }
    });

    test('WH-29 gzip on: the signature verifies on the decompressed bytes and Content-Length is the compressed size', async () => {
      receiver.script = () => ({ body: ok() });
      const start = receiver.received.length;
      const { message } = await firstAttempt(`${receiver.origin}/hook`, { compression: true });
      assert.equal(message.state, 'delivered');
      const seen = receiver.received[start]!;
      assert.equal(seen.headers['content-encoding'], 'gzip');
      assert.ok(seen.signatureOk);
      const raw = receiver.requests[start]!.body;
      assert.equal(Number(seen.headers['content-length']), raw.length);
      assert.ok(raw.length < Buffer.byteLength(seen.json) + 64, 'the compressed bytes went on the wire');
    });
  });
}

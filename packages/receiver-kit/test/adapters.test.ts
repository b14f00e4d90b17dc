import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import express from 'express';
import Fastify from 'fastify';
import {
  expressReceiver,
  fastifyReceiver,
  nodeReceiver,
  type CustomChannelMessage,
  type ReceiverOptions,
} from '../src/index.ts';

const secret = 'adapter-secret';
const batch = [1, 2, 3].map((n) => ({
  push_id: n === 2 ? '' : `r-${n}`,
  params: { title: `消息 ${n}` },
  custom_params: {},
  '#ops_receipt_properties': {
    ops_request_id: `id-${n}`,
    ops_task_id: '1',
    ops_task_instance_id: '1',
    ops_project_id: 1,
  },
}));
const json = Buffer.from(JSON.stringify(batch));
const sign = (bytes: Buffer) => createHmac('sha1', secret).update(bytes).digest('hex');

const received: CustomChannelMessage[][] = [];
const options: ReceiverOptions = {
  secret,
  onBatch(messages) {
    received.push(messages);
    if (messages[0]?.push_id === 'explode') throw new Error('downstream is down');
    return messages.map((m) => (m.push_id ? null : 'push_id is empty'));
  },
};

const servers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of servers) await close();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A plain node:http client request (the kit's tests stand alone, without Touchpoint's client). */
function send(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  method = 'POST',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { 'content-length': String(body.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function exercise(url: string): Promise<void> {
  const plain = await send(url, json, {
    'content-type': 'application/json',
    'x-te-ops-signature': sign(json),
  });
  assert.equal(plain.status, 200, plain.body);
  assert.deepEqual(JSON.parse(plain.body), {
    return_code: 0,
    return_message: 'success',
    data: { fail_list: [{ index: 2, message: 'push_id is empty' }] },
  });
  assert.deepEqual(received.at(-1), batch);

  const gzipped = await send(url, gzipSync(json), {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
    'x-te-ops-signature': sign(json),
  });
  assert.equal(gzipped.status, 200, gzipped.body);

  const before = received.length;
  const forged = await send(url, json, {
    'content-type': 'application/json',
    'x-te-ops-signature': sign(Buffer.from('[]')),
  });
  assert.equal(forged.status, 401);
  assert.equal(JSON.parse(forged.body).return_code, 1);
  assert.equal((await send(url, json, { 'content-type': 'application/json' })).status, 401);
  assert.equal(received.length, before, 'onBatch never sees an unsigned batch');

  // Content-Type is not trusted: a mislabelled body is still read.
  assert.equal(
    (await send(url, json, { 'content-type': 'text/plain', 'x-te-ops-signature': sign(json) })).status,
    200,
  );
  const notJson = Buffer.from('{oops');
  assert.equal(
    (await send(url, notJson, { 'content-type': 'application/json', 'x-te-ops-signature': sign(notJson) }))
      .status,
    400,
  );
  const explode = Buffer.from(JSON.stringify([{ ...batch[0], push_id: 'explode' }]));
  const failed = await send(url, explode, {
    'content-type': 'application/json',
    'x-te-ops-signature': sign(explode),
  });
  assert.equal(failed.status, 500);
  assert.equal(JSON.parse(failed.body).return_code, 1);
}

test('node:http adapter answers signed batches, refuses forged ones, answers 500 when the handler throws', async () => {
  const url = await listen(createServer(nodeReceiver(options)));
  await exercise(url);
  assert.equal((await send(url, Buffer.alloc(0), {}, 'GET')).status, 405);
  const small = await listen(createServer(nodeReceiver({ ...options, maxBodyBytes: 100 })));
  assert.equal((await send(small, json, { 'x-te-ops-signature': sign(json) })).status, 413);
});

test('Express adapter works mounted before express.json(), and with express.raw()', async () => {
  const app = express();
  app.post('/touchpoint', expressReceiver(options));
  app.use(express.json());
  app.post('/other', (req, res) => void res.json({ echoed: req.body }));
  const rawApp = express();
  rawApp.post('/touchpoint', express.raw({ type: '*/*' }), expressReceiver(options));
  const misordered = express();
  misordered.use(express.json());
  misordered.post('/touchpoint', expressReceiver(options));
  misordered.use(
    (_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('misconfigured');
    },
  );

  const url = await listen(createServer(app));
  await exercise(`${url}/touchpoint`);
  const other = await send(`${url}/other`, Buffer.from('{"a":1}'), { 'content-type': 'application/json' });
  assert.deepEqual(JSON.parse(other.body), { echoed: { a: 1 } });
  await exercise(`${await listen(createServer(rawApp))}/touchpoint`);
  const wrong = await send(`${await listen(createServer(misordered))}/touchpoint`, json, {
    'content-type': 'application/json',
    'x-te-ops-signature': sign(json),
  });
  assert.equal(wrong.status, 500);
  assert.equal(wrong.body, 'misconfigured');
});

test('Fastify plugin answers on its path and leaves the JSON parser of other routes alone', async () => {
  const app = Fastify();
  await app.register(fastifyReceiver({ ...options, path: '/touchpoint' }));
  app.post('/other', async (request) => ({ echoed: request.body }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  servers.push(() => app.close());
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await exercise(`${url}/touchpoint`);
  const other = await send(`${url}/other`, Buffer.from('{"a":1}'), { 'content-type': 'application/json' });
  assert.deepEqual(JSON.parse(other.body), { echoed: { a: 1 } });
  const noType = await send(`${url}/touchpoint`, json, { 'x-te-ops-signature': sign(json) });
  assert.equal(noType.status, 200, noType.body);
});

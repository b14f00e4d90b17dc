// What the delivery browser tests set up through the API before the console is used: users made
// through the real ingest path, and a receiver on 127.0.0.1 that answers batches as told.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { ApiCall } from './api-session.ts';
import { until } from './console-actions.ts';

/** Shrunk delivery for browser tests: 127.0.0.1 allowed, retries after 50 and 100 ms, then dead. */
export const deliveryEnv = {
  TOUCHPOINT_ALLOW_TARGETS: '127.0.0.1/32',
  TOUCHPOINT_DELIVERY_RETRY_SCHEDULE: '50ms,100ms',
  TOUCHPOINT_DELIVERY_POLL_MS: '20',
} as const;

export interface BatchMessage {
  readonly push_id: string;
  readonly [field: string]: unknown;
}

/** How the receiver answers one request: a status and body (default 200 success), maybe late. */
export interface BatchAnswer {
  readonly status?: number;
  readonly body?: unknown;
  readonly delayMs?: number;
}

export interface BatchReceiver {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

/** SPEC §3.2's success answer, naming the refused messages by 1-based index. */
export const success = (failList: { index: number; message: string }[] = []) => ({
  return_code: 0,
  return_message: 'success',
  data: { fail_list: failList },
});

/** A custom-channel receiver: each request's messages (decompressed, parsed) go to `answer`. */
export async function startBatchReceiver(
  answer: (messages: BatchMessage[], request: IncomingMessage) => BatchAnswer,
): Promise<BatchReceiver> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      const reply = answer(JSON.parse(raw.toString()) as BatchMessage[], req);
      const send = () =>
        res
          .writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
          .end(JSON.stringify(reply.body ?? success()));
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Creates an app and a server data source in project 1, identifies `users` through /v1/batch
 * (traits from `traitsOf`) and waits until the last one has a profile.
 */
export async function seedProfiles(
  baseUrl: string,
  admin: ApiCall,
  users: readonly string[],
  traitsOf: (user: string) => Record<string, unknown> = () => ({}),
): Promise<void> {
  const app = await admin<{ id: string }>('POST', '/api/v1/projects/1/apps', {
    name: 'Game',
    app_type: 'app',
  });
  const source = await admin<{ credentials: { app_key: string } }>('POST', '/api/v1/projects/1/sources', {
    name: 'Game server',
    app_id: app.id,
    platforms: [{ platform: 'server' }],
  });
  const ingest = await fetch(`${baseUrl}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${source.credentials.app_key}:`).toString('base64')}`,
    },
    body: JSON.stringify({
      batch: users.map((u) => ({ type: 'identify', userId: u, traits: traitsOf(u) })),
    }),
  });
  assert.equal(ingest.status, 200, await ingest.text());
  await until('the profiles', async () => {
    const found = await admin<{ items: unknown[] }>(
      'GET',
      `/api/v1/projects/1/profiles?id_type=user_id&value=${users.at(-1)}`,
    );
    return found.items.length ? true : undefined;
  });
}

// A real app with real profiles, a real webhook channel and a scriptable receiver on 127.0.0.1;
// the dispatcher is driven directly (no runner) so a test decides when delivery happens.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { signBody } from '../../../src/channels/webhook/protocol/sign-body.ts';
import { webhookBody, type Json } from '../../channels/channel-fixture.ts';
import { startHttp, type Listener } from '../../net/loopback.ts';
import type { StoreKind } from '../../support/stores.ts';
import { createTenancyFixture, type TenancyFixture } from '../../support/tenancy-fixture.ts';

export const TOKEN = 'delivery-token-5c1e';

/** One request as the receiver saw it: verified, decompressed and parsed. */
export interface Received {
  readonly at: number;
  /** The request's path (several channels may share one receiver). */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly json: string;
  readonly messages: Json[];
  readonly signatureOk: boolean;
}

/** What the receiver does with its n-th request (0-based) carrying `messages`. */
export type Script = (
  n: number,
  messages: Json[],
) =>
  { status?: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'hang' | 'destroy';

/** The answer of SPEC §3.2 with a 1-based fail_list. */
export const ok = (failList: { index: number; message: string }[] = []) =>
  JSON.stringify({ return_code: 0, return_message: 'success', data: { fail_list: failList } });

export interface ScriptableReceiver extends Listener {
  readonly received: Received[];
  script: Script;
  /** Every ops_request_id received, in order (duplicates kept). */
  ids(): string[];
}

export async function scriptableReceiver(
  script: Script = () => ({ body: ok() }),
): Promise<ScriptableReceiver> {
  const received: Received[] = [];
  const holder = { script };
  const listener = await startHttp((req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const raw = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
    const json = raw.toString('utf8');
    const messages = JSON.parse(json) as Json[];
    received.push({
      at: Date.now(),
      path: req.url ?? '',
      headers: req.headers,
      json,
      messages,
      signatureOk: req.headers['x-te-ops-signature'] === signBody(raw, TOKEN),
    });
    const action = holder.script(received.length - 1, messages);
    if (action === 'hang') return;
    if (action === 'destroy') return void req.socket.destroy();
    const answer = () =>
      res
        .writeHead(action.status ?? 200, { 'content-type': 'application/json', ...action.headers })
        .end(action.body ?? ok());
    if (action.delayMs) setTimeout(answer, action.delayMs);
    else answer();
  });
  Object.defineProperty(listener, 'script', {
    get: () => holder.script,
    set: (next: Script) => {
      holder.script = next;
    },
  });
  return Object.assign(listener as Listener & { script: Script }, {
    received,
    ids: () =>
      received.flatMap((r) => r.messages.map((m) => String(m['#ops_receipt_properties'].ops_request_id))),
  });
}

export interface DeliveryFixture {
  readonly f: TenancyFixture;
  readonly base: string;
  readonly workspaceId: string;
  /** Creates users through the real ingest path (Segment identify) and applies profiles. */
  users(list: { userId: string; traits?: Json }[]): Promise<void>;
  /** A webhook channel to `url`, authorized to the first workspace. */
  channel(url: string, overrides?: Json): Promise<Json>;
  send(payload: Json): Promise<{ statusCode: number; json: Json }>;
  /** Runs the dispatcher until `done()` holds (or fails after `timeoutMs`). */
  deliverUntil(done: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  message(opsRequestId: string): Promise<Json>;
  close(): Promise<void>;
}

/** Shrunk schedule: retries after 50 ms, 100 ms, then dead. */
export const shrunkEnv = {
  TOUCHPOINT_ALLOW_TARGETS: '127.0.0.1/32',
  TOUCHPOINT_DELIVERY_RETRY_SCHEDULE: '50ms,100ms',
  TOUCHPOINT_DELIVERY_POLL_MS: '20',
  TOUCHPOINT_DELIVERY_LEASE_MARGIN_MS: '2000',
};

export async function deliveryFixture(
  kind: StoreKind,
  env: Record<string, string> = {},
): Promise<DeliveryFixture> {
  const f = await createTenancyFixture(kind, { env: { ...shrunkEnv, ...env } });
  const base = `/api/v1/projects/${f.a.project.id}`;
  const workspaceId = f.a.workspaces[0].id;
  let sourceKey: string | undefined;
  let n = 0;
  return {
    f,
    base,
    workspaceId,
    async users(list) {
      if (!sourceKey) {
        const app = (
          await f.as('adminA', f.a, {
            method: 'POST',
            url: `${base}/apps`,
            payload: { name: 'Game', app_type: 'app' },
          })
        ).json();
        const source = (
          await f.as('adminA', f.a, {
            method: 'POST',
            url: `${base}/sources`,
            payload: { name: 'Game server', app_id: app.id, platforms: [{ platform: 'android' }] },
          })
        ).json();
        sourceKey = source.credentials.app_key as string;
      }
      const res = await f.t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: `Basic ${Buffer.from(`${sourceKey}:`).toString('base64')}` },
        payload: {
          batch: list.map((u) => ({
            type: 'identify',
            userId: u.userId,
            messageId: `m-${u.userId}-${(n += 1)}`,
            traits: u.traits ?? {},
          })),
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      await f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
    },
    async channel(url, overrides = {}) {
      const created = await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base}/channels`,
        payload: webhookBody({
          name: `Hook ${(n += 1)}`,
          url,
          send_id_type: 'user_id',
          token: TOKEN,
          batch_size: 10,
          ...overrides,
        }),
      });
      assert.equal(created.statusCode, 201, created.body);
      const channel = created.json();
      const authorized = await f.as('adminA', f.a, {
        method: 'PUT',
        url: `${base}/channels/${channel.id}/workspaces/${workspaceId}`,
      });
      assert.equal(authorized.statusCode, 200, authorized.body);
      return channel;
    },
    async send(payload) {
      const res = await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base}/workspaces/${workspaceId}/sends`,
        payload,
      });
      return { statusCode: res.statusCode, json: res.json() };
    },
    async deliverUntil(done, timeoutMs = 15_000) {
      const started = Date.now();
      const controller = new AbortController();
      while (!(await done())) {
        if (Date.now() - started > timeoutMs)
          throw new Error('delivery did not reach the expected state in time');
        await f.t.deps.dispatcher.run(controller.signal);
        await sleep(10);
      }
    },
    async message(opsRequestId) {
      const res = await f.as('adminA', f.a, { url: `${base}/messages/${opsRequestId}` });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    },
    close: () => f.close(),
  };
}

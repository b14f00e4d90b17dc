// Touchpoint as users run it, for campaign tests: real `serve` processes on a fresh database
// (SQLite: the embedded default, one process; PostgreSQL: an API process and two workers), an
// admin token from the CLI, a data source, and a receiver built with the receiver kit on
// 127.0.0.1 that records every message it accepts.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeReceiver, type CustomChannelMessage } from '../../../packages/receiver-kit/src/index.ts';
import type { Json } from '../../channels/channel-fixture.ts';
import { freePort, queryDatabase, ServeProcess } from '../../delivery/support/crash-workload.ts';
import { runTouchpoint } from '../../support/cli.ts';
import { createTestDatabase, type StoreKind, type TestDatabase } from '../../support/stores.ts';

const ADMIN = 'admin@touchpoint.local';
const PASSWORD = 'campaign cluster passphrase 7';
export const RECEIVER_TOKEN = 'campaign-receiver-token-3b8e';

export interface KitReceiver {
  readonly url: string;
  /** Every message accepted, in arrival order (duplicates kept). */
  readonly messages: CustomChannelMessage[];
  close(): Promise<void>;
}

/** A custom-channel endpoint built with the receiver kit, verifying signatures. */
export async function kitReceiver(): Promise<KitReceiver> {
  const messages: CustomChannelMessage[] = [];
  const server = createServer(
    nodeReceiver({
      secret: RECEIVER_TOKEN,
      onBatch(batch) {
        messages.push(...batch);
      },
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/touchpoint`,
    messages,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CampaignCluster {
  readonly kind: StoreKind;
  readonly db: TestDatabase;
  readonly env: Record<string, string>;
  readonly processes: ServeProcess[];
  readonly base: string;
  readonly project: string;
  readonly workspaceId: string;
  readonly appKey: string;
  readonly receiver: KitReceiver;
  /** The admin API with the cluster's token; throws on a status ≥ 300. */
  api(method: string, path: string, body?: unknown): Promise<Json>;
  rows(sqlText: string): Promise<Record<string, unknown>[]>;
  /** Waits until the profiles table holds `n` profiles. */
  profiles(n: number, timeoutMs?: number): Promise<void>;
  /** A webhook channel to the receiver, authorized to the workspace. */
  channel(overrides?: Json): Promise<string>;
  close(): Promise<void>;
}

export async function startCampaignCluster(options: {
  kind: StoreKind;
  workers?: number;
  env?: Record<string, string>;
  /** SQLite too as an API process and workers on the one file (default: the embedded `all`). */
  split?: boolean;
}): Promise<CampaignCluster> {
  const db = createTestDatabase(options.kind);
  const receiver = await kitReceiver();
  const port = await freePort();
  const env: Record<string, string> = {
    ...db.env,
    TOUCHPOINT_MASTER_KEY: randomBytes(32).toString('base64'),
    TOUCHPOINT_ADMIN_PASSWORD: PASSWORD,
    TOUCHPOINT_ALLOW_TARGETS: '127.0.0.1/32',
    TOUCHPOINT_PORT: String(port),
    TOUCHPOINT_HOST: '127.0.0.1',
    TOUCHPOINT_DELIVERY_POLL_MS: '50',
    TOUCHPOINT_CAMPAIGN_POLL_MS: '100',
    ...options.env,
  };
  const processes =
    options.kind === 'sqlite' && !options.split
      ? [new ServeProcess('all', 'all', env, ['--embedded'])]
      : [
          new ServeProcess('api', 'api', env, ['--embedded']),
          ...Array.from(
            { length: options.workers ?? 2 },
            (_, i) => new ServeProcess(`worker-${i + 1}`, 'worker', env),
          ),
        ];
  const base = `http://127.0.0.1:${port}`;
  const close = async () => {
    await Promise.all(processes.map((p) => p.kill9()));
    await receiver.close();
    await db.drop();
  };
  try {
    for (const p of processes) await p.start();
    const created = await runTouchpoint(
      ['token', 'create', '--project', '1', '--as', ADMIN, '--name', 'campaigns'],
      env,
    );
    if (created.code !== 0) throw new Error(`token create failed: ${created.stderr}`);
    const token = created.stdout.trim();
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
      return (text === '' ? {} : JSON.parse(text)) as Json;
    };
    const project = '/api/v1/projects/1';
    const workspaceId = (await api('GET', `${project}/workspaces`)).items[0].id as string;
    const app = await api('POST', `${project}/apps`, { name: 'Game', app_type: 'app' });
    const source = await api('POST', `${project}/sources`, {
      name: 'Game server',
      app_id: app.id,
      platforms: [{ platform: 'android' }],
    });
    const rows = (sqlText: string) => queryDatabase(options.kind, db.dataDir, db.schema, sqlText);
    return {
      kind: options.kind,
      db,
      env,
      processes,
      base,
      project,
      workspaceId,
      appKey: source.credentials.app_key as string,
      receiver,
      api,
      rows,
      async profiles(n, timeoutMs = 120_000) {
        for (const deadline = Date.now() + timeoutMs; ;) {
          const [row] = await rows('SELECT count(*) AS n FROM profiles');
          if (Number(row?.n) >= n) return;
          if (Date.now() > deadline) throw new Error(`only ${String(row?.n)} of ${n} profiles in time`);
          await sleep(100);
        }
      },
      async channel(overrides = {}) {
        const channel = await api('POST', `${project}/channels`, {
          name: 'Campaign hook',
          category: 'notification',
          url: receiver.url,
          send_id_type: 'user_id',
          auth: 'token',
          token: RECEIVER_TOKEN,
          batch_size: 100,
          template: [
            { key: 'title', label: 'Title', type: 'text' },
            { key: 'content', label: 'Content', type: 'dynamic_text' },
          ],
          custom_params: [{ key: 'name', property: 'nickname', default: 'Player' }],
          receipt_funnel: [],
          ...overrides,
        });
        await api('PUT', `${project}/channels/${channel.id}/workspaces/${workspaceId}`);
        return channel.id as string;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Polls `check` until it answers a value (not undefined) or the time is up. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

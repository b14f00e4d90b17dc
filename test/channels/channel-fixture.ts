import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/build-app.ts';
import { ChannelsService, type ChannelUsage } from '../../src/channels/channel-service.ts';
import type { TestSendLimits } from '../../src/channels/test-send-limiter.ts';
import { parseCidrList } from '../../src/config/cidr.ts';
import { GuardedClient } from '../../src/net/guarded-client.ts';
import type { Resolver } from '../../src/net/resolver.ts';
import type { ProfileLookup } from '../../src/profiles/profile-lookup.ts';
import type { ProjectFixture, TenancyFixture, UserKey } from '../support/tenancy-fixture.ts';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A complete, valid webhook channel body with every template field type. */
export function webhookBody(overrides: Json = {}): Json {
  return {
    name: 'SMS gateway',
    category: 'notification',
    url: 'https://hooks.example.com/touchpoint',
    send_id_type: 'role_id',
    auth: 'token',
    token: 'channel-token-canary-7f3a9c',
    description: 'Coupons and texts',
    template: [
      { key: 'title', label: 'Title', type: 'text', prompt: 'Shown as the headline' },
      { key: 'content', label: 'Content', type: 'dynamic_text' },
      { key: 'amount', label: 'Amount', type: 'number', required: false },
      { key: 'send_at', label: 'Send at', type: 'date', required: false },
      {
        key: 'coupon',
        label: 'Coupon',
        type: 'enum',
        required: false,
        options: [
          { code: 'c10', name: '10% off' },
          { code: 'c20', name: '20% off' },
        ],
      },
      {
        key: 'attachment',
        label: 'Attachment',
        type: 'array_row',
        required: false,
        columns: [
          { key: 'item_id', label: 'Item', type: 'text' },
          { key: 'count', label: 'Count', type: 'number' },
        ],
      },
    ],
    custom_params: [
      { key: 'gameuid', property: 'gameuid' },
      { key: 'name', property: 'nickname', default: 'Player' },
    ],
    receipt_funnel: [
      { label: 'Opened', event: 'ops_push_open' },
      { label: 'Clicked', event: 'ops_push_click' },
    ],
    ...overrides,
  };
}

/** A stub resolver answering per call (last answer repeats), recording every question. */
export function stubResolver(answers: Record<string, string[][]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolver = async (host: string) => {
    calls.push(host);
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`stub: ${host} unknown`), { code: 'ENOTFOUND' });
    const seen = calls.filter((h) => h === host).length;
    return list[Math.min(seen, list.length) - 1] ?? [];
  };
  return Object.assign(resolver, { calls });
}

/**
 * A second app over the fixture's store whose channels service has its own guarded client
 * (stub resolver, allowlist), limits, profile lookup and campaign usage — what the send tests
 * need, without changing the fixture's app (whose empty allowlist the SSRF tests need).
 */
export async function channelApp(
  f: TenancyFixture,
  options: {
    allowTargets?: string;
    resolver?: Resolver;
    testSendLimits?: TestSendLimits;
    profiles?: ProfileLookup;
    usage?: ChannelUsage;
    now?: () => number;
  } = {},
): Promise<{
  app: FastifyInstance;
  channels: ChannelsService;
  client: GuardedClient;
  as(user: UserKey, project: ProjectFixture, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}> {
  const allowTargets = parseCidrList(options.allowTargets ?? '');
  const client = new GuardedClient({
    allowTargets,
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  const { deps } = f.t;
  const channels = new ChannelsService({
    store: deps.store,
    secrets: deps.secrets,
    audit: deps.audit,
    access: deps.access,
    client,
    allowTargets,
    ...(options.profiles ? { profiles: options.profiles } : {}),
    ...(options.usage ? { usage: options.usage } : {}),
    ...(options.testSendLimits ? { testSendLimits: options.testSendLimits } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const app = await buildApp({ ...deps, channels, outbound: client });
  await app.ready();
  return {
    app,
    channels,
    client,
    as(user, project, injectOptions) {
      const token = f.tokens[user]?.[project.project.id];
      return app.inject({
        ...injectOptions,
        headers: { ...(injectOptions.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    },
    async close() {
      await app.close();
      await client.close();
    },
  };
}

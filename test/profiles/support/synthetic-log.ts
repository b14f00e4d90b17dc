// A synthetic event log for the applier's benchmark and shutdown test: users = events / 10;
// 60 % track (a third from a second device's anonymous id), 20 % Segment identify (traits),
// 10 % ThinkingData user_add, 5 % alias folding the second device in (a merge), 5 % page.
import { systemScope } from '../../../src/access/scope.ts';
import type { NormalizedEvent } from '../../../src/ingest/event.ts';
import type { Store } from '../../../src/store/store.ts';

export const syntheticContext = {
  ip: '203.0.113.9',
  library: { name: '@segment/analytics-node', version: '3.1.0' },
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0',
  locale: 'en-US',
  page: { path: '/p/mugs', title: 'Mugs and cups', referrer: 'https://search.example.test/?q=mug' },
};

/** The n-th event of the synthetic log (deterministic). */
export function syntheticEvent(
  n: number,
  users: number,
  epochs: Map<number, number>,
  now: number,
): NormalizedEvent {
  const u = (n * 7919) % users;
  const roll = n % 20;
  const epoch = epochs.get(u) ?? 0;
  const base = {
    format: 'segment' as const,
    messageId: `m-${n}`,
    messageIdGenerated: false,
    eventName: null,
    userId: null,
    anonymousId: null,
    accountId: null,
    distinctId: null,
    previousId: null,
    groupId: null,
    identities: {},
    properties: {},
    traits: {},
    context: syntheticContext,
    extra: {},
    receiptProperties: null,
    opsRequestId: null,
    eventTime: now - 3_600_000 + n,
    sentAt: null,
    receivedAt: now - 3_600_000 + n,
  };
  if (roll < 12) {
    // track: a third from a second device's anonymous id (folded in by a later alias)
    const device = roll < 4;
    return {
      ...base,
      type: 'track',
      eventName: 'Product Viewed',
      userId: device ? null : `user-${u}`,
      anonymousId: device ? `dev-${u}-${epoch}` : `anon-${u}`,
      properties: { sku: `SKU-${n % 500}`, price: 19.99, currency: 'USD', position: n % 20 },
    };
  }
  if (roll < 16)
    return {
      ...base,
      type: 'identify',
      userId: `user-${u}`,
      anonymousId: `anon-${u}`,
      traits: { email: `user-${u}@example.test`, plan: n % 3 ? 'pro' : 'free', name: `User ${u}` },
    };
  if (roll < 18)
    return {
      ...base,
      format: 'thinkingdata',
      type: 'user_add',
      accountId: `user-${u}`,
      properties: { coins: n % 7 },
    };
  if (roll === 18) {
    epochs.set(u, epoch + 1);
    return { ...base, type: 'alias', userId: `user-${u}`, previousId: `dev-${u}-${epoch}` };
  }
  return {
    ...base,
    type: 'page',
    userId: `user-${u}`,
    properties: { url: `https://shop.example.test/p/${n % 500}` },
  };
}

export async function prefill(
  store: Store,
  projectId: number,
  sourceId: string,
  count: number,
): Promise<number> {
  const users = Math.max(10, Math.round(count / 10));
  const epochs = new Map<number, number>();
  const now = Date.now();
  const started = performance.now();
  const scope = systemScope('bench/profiles pre-fills the event log');
  for (let start = 0; start < count; start += 5000) {
    const events: { projectId: number; sourceId: string; event: NormalizedEvent }[] = [];
    for (let n = start; n < Math.min(count, start + 5000); n++)
      events.push({ projectId, sourceId, event: syntheticEvent(n, users, epochs, now) });
    await store.transaction((tx) => tx.events.insertNew(scope, events));
  }
  return (performance.now() - started) / 1000;
}

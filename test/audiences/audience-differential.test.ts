// Issue 18 acceptance: SQLite and PostgreSQL give the same members for 200 randomized audiences
// over one seeded data set (properties of every type, missing and null values, Unicode, date
// strings and epoch numbers, events with properties, a merge). Seeded: a failure reproduces.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ProjectScope } from '../../src/access/scope.ts';
import type { ConditionJson } from '../../src/audiences/model.ts';
import { parseConditions } from '../../src/audiences/parse-conditions.ts';
import { openTestStore } from '../support/stores.ts';
import {
  analyzeTestDatabase,
  seedEvents,
  seedMerge,
  seedProfiles,
  seedProject,
  type SeedEvent,
  type SeedProfile,
} from './seed.ts';

const SEED = Number(process.env.AUDIENCE_SEED ?? 18);
const ZONE = 'America/New_York'; // DST, so day boundaries move
const NOW = Date.UTC(2026, 2, 10, 12);
const D = 86_400_000;

/** mulberry32 */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = random(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const words = ['pro', 'free', 'Pro', 'trial', '北京', '上海', 'Zürich', 'café', '🚀 rocket', '', 'pro plus'];
const dateOf = (t: number) => new Date(t).toISOString();
const days = (n: number) => new Date(NOW - n * D).toISOString().slice(0, 10);

function randomValue(kind: string): unknown {
  switch (kind) {
    case 'plan':
    case 'city':
      return pick(words);
    case 'age':
      return rnd() < 0.9 ? int(10, 70) + (rnd() < 0.2 ? 0.5 : 0) : String(int(10, 70));
    case 'vip':
      return rnd() < 0.8 ? rnd() < 0.5 : null;
    case 'tags':
      return Array.from({ length: int(0, 3) }, () => pick(['a', 'b', 'c', '标签']));
    case 'signup': {
      const t = NOW - int(0, 60) * D - int(0, 23) * 3_600_000;
      const r = rnd();
      return r < 0.4
        ? dateOf(t)
        : r < 0.7
          ? t
          : r < 0.85
            ? dateOf(t).slice(0, 10)
            : dateOf(t).replace('Z', '-05:00');
    }
    default:
      return null;
  }
}

const propertyNames = ['plan', 'city', 'age', 'vip', 'tags', 'signup'];
const profiles: SeedProfile[] = [];
for (let i = 0; i < 300; i++) {
  const properties: Record<string, unknown> = {};
  for (const name of propertyNames) if (rnd() < 0.8) properties[name] = randomValue(name);
  const identities = [];
  if (rnd() < 0.5) identities.push({ type: 'phone', value: `+1555${String(i).padStart(6, '0')}` });
  if (rnd() < 0.4) identities.push({ type: 'email', value: `u${i}@example.com` });
  profiles.push({ tpUid: `tp_${String(i).padStart(4, '0')}`, properties, identities });
}
const events: SeedEvent[] = [];
for (let i = 0; i < 2500; i++)
  events.push({
    tpUid: pick(profiles).tpUid,
    name: pick(['purchase', 'login', 'view']),
    time: NOW - int(0, 45 * 24) * 3_600_000 - int(0, 3_599_999),
    properties: {
      amount: int(1, 300),
      sku: pick(['x', 'y', 'ž']),
      ...(rnd() < 0.3 ? { coupon: rnd() < 0.5 } : {}),
    },
  });

function randomProperty(event: boolean): ConditionJson {
  if (event) {
    const c = pick([
      { property: 'amount', operator: pick(['greater_than', 'less_than']), value: int(1, 300) },
      { property: 'amount', operator: 'between', values: [int(1, 150), int(150, 300)] },
      { property: 'sku', operator: pick(['equals', 'not_equals']), value: pick(['x', 'y', 'ž']) },
      { property: 'coupon', operator: pick(['is_true', 'is_false', 'is_set', 'is_not_set']) },
    ]);
    return { type: 'property', ...c } as ConditionJson;
  }
  const c = pick<Record<string, unknown>>([
    {
      property: pick(['plan', 'city']),
      operator: pick(['equals', 'not_equals', 'contains', 'not_contains', 'starts_with']),
      value: pick(words.filter(Boolean)).slice(0, int(1, 3)),
    },
    {
      property: pick(['plan', 'city']),
      operator: pick(['in', 'not_in']),
      values: [pick(words), pick(words)],
    },
    {
      property: 'age',
      operator: pick(['equals', 'not_equals', 'greater_than', 'less_than']),
      value: int(10, 70),
    },
    { property: 'age', operator: 'between', values: [int(10, 40), int(40, 70)] },
    { property: 'age', operator: pick(['in', 'not_in']), values: [int(10, 70), int(10, 70) + 0.5] },
    { property: 'vip', operator: pick(['is_true', 'is_false', 'is_set', 'is_not_set']) },
    { property: 'tags', operator: pick(['contains', 'not_contains']), value: pick(['a', 'b', '标签']) },
    { property: pick(propertyNames), operator: pick(['is_set', 'is_not_set']) },
    { property: 'signup', operator: pick(['before', 'after']), value: days(int(0, 60)) },
    { property: 'signup', operator: 'between', values: [days(int(30, 60)), days(int(0, 29))] },
    { property: 'signup', operator: 'within_last_days', days: int(1, 40) },
    {
      property: 'signup',
      operator: pick(['greater_than', 'less_than']),
      value: dateOf(NOW - int(0, 60) * D),
    },
  ]);
  return { type: 'property', ...c } as ConditionJson;
}

function randomBehavior(): ConditionJson {
  const didIt = rnd() < 0.7;
  const window =
    rnd() < 0.4
      ? { last_days: int(1, 40) }
      : rnd() < 0.5
        ? { from: days(int(20, 45)), to: days(int(0, 19)) }
        : undefined;
  return {
    type: 'behavior',
    event: pick(['purchase', 'login', 'view']),
    did: didIt,
    ...(rnd() < 0.5 ? { filters: Array.from({ length: int(1, 2) }, () => randomProperty(true)) } : {}),
    ...(didIt && rnd() < 0.5
      ? { count: { operator: pick(['at_least', 'at_most', 'exactly'] as const), value: int(1, 4) } }
      : {}),
    ...(window ? { window } : {}),
  } as ConditionJson;
}

function randomGroup(depth: number): ConditionJson {
  return {
    type: 'group',
    combinator: pick(['and', 'or'] as const),
    conditions: Array.from({ length: int(1, 3) }, () =>
      depth < 3 && rnd() < 0.25
        ? randomGroup(depth + 1)
        : rnd() < 0.6
          ? randomProperty(false)
          : randomBehavior(),
    ),
  };
}

const audiences = Array.from({ length: 200 }, () => randomGroup(1));

const opened: Awaited<ReturnType<typeof openTestStore>>[] = [];
const scopes: ProjectScope[] = [];

before(async () => {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const o = await openTestStore(kind);
    opened.push(o);
    const scope = await seedProject(o.store, ZONE);
    scopes.push(scope);
    await seedProfiles(o.store, scope, profiles);
    await seedEvents(o.store, scope, events);
    await seedMerge(o.store, scope, 'tp_0000', 'tp_0001');
    await analyzeTestDatabase(o.db);
  }
});
after(async () => {
  for (const o of opened) await o.close();
});

test(`AUD-DIFF: SQLite and PostgreSQL agree on 200 randomized audiences (seed ${SEED})`, async () => {
  const sizes: number[] = [];
  for (const [i, audience] of audiences.entries()) {
    const { query } = parseConditions(audience, { timeZone: ZONE, now: NOW });
    const [sqlite, postgres] = await Promise.all(
      opened.map(async (o, k) => {
        const members: string[] = [];
        for await (const page of o.store.audiences.streamMembers(scopes[k] as ProjectScope, query, {
          pageSize: 1000,
        }))
          members.push(...page);
        const estimate = await o.store.audiences.estimate(scopes[k] as ProjectScope, query, 'phone');
        assert.equal(estimate.size, members.length, `estimate = streamed members (audience ${i})`);
        return { members, reachable: estimate.reachable };
      }),
    );
    assert.deepEqual(sqlite, postgres, `audience ${i}: ${JSON.stringify(audience)}`);
    sizes.push(sqlite?.members.length ?? 0);
  }
  // The generator must produce audiences that tell databases apart: neither all empty nor all full.
  const between = sizes.filter((n) => n > 0 && n < 299).length;
  assert.ok(between >= 100, `only ${between} of 200 audiences are neither empty nor everyone`);
});

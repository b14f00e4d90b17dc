// Issue 18 acceptance, store part: every operator on every type (missing properties, null vs
// empty, Unicode, date strings and epoch numbers, day boundaries in the project's time zone),
// behavior conditions with counts, windows and filters, merged profiles, groups, estimates with a
// send ID type and streaming — on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ProjectScope } from '../../src/access/scope.ts';
import type { ConditionJson } from '../../src/audiences/model.ts';
import { parseConditions } from '../../src/audiences/parse-conditions.ts';
import { forEachStore } from '../support/stores.ts';
import { seedEvents, seedMerge, seedProfiles, seedProject } from './seed.ts';

const ZONE = 'Asia/Shanghai'; // UTC+8, no DST
const NOW = Date.UTC(2026, 2, 10, 4, 0, 0); // 2026-03-10 12:00 in Shanghai
const H = 3_600_000;
const D = 24 * H;
const ALL = ['u1', 'u2', 'u3', 'u4', 'u5'];

const and = (...conditions: ConditionJson[]): ConditionJson => ({
  type: 'group',
  combinator: 'and',
  conditions,
});
const or = (...conditions: ConditionJson[]): ConditionJson => ({
  type: 'group',
  combinator: 'or',
  conditions,
});
const prop = (property: string, operator: string, rest: Record<string, unknown> = {}) =>
  ({ type: 'property', property, operator, ...rest }) as ConditionJson;
const did = (event: string, rest: Record<string, unknown> = {}) =>
  ({ type: 'behavior', event, ...rest }) as ConditionJson;

/** [name, condition, expected members]. */
const cases: [string, ConditionJson, string[]][] = [
  ['string equals is case-sensitive and exact', prop('plan', 'equals', { value: 'pro' }), ['u1']],
  [
    'string not equals includes profiles without the property',
    prop('plan', 'not_equals', { value: 'pro' }),
    ['u2', 'u3', 'u4', 'u5'],
  ],
  ['string in', prop('plan', 'in', { values: ['pro', 'free'] }), ['u1', 'u2']],
  ['string not in includes missing', prop('plan', 'not_in', { values: ['pro', 'free'] }), ['u3', 'u4', 'u5']],
  ['contains is a case-sensitive substring', prop('plan', 'contains', { value: 'ro' }), ['u1', 'u3', 'u5']],
  ['not contains includes missing', prop('plan', 'not_contains', { value: 'ro' }), ['u2', 'u4']],
  ['starts with (emoji after a space)', prop('plan', 'starts_with', { value: 'pro ' }), ['u5']],
  ['Unicode: CJK contains', prop('city', 'contains', { value: '北' }), ['u1']],
  ['Unicode: CJK starts with', prop('city', 'starts_with', { value: '北京' }), ['u1']],
  ['Unicode: accented equals', prop('city', 'equals', { value: 'Zürich' }), ['u2']],
  ['Unicode: emoji contains', prop('plan', 'contains', { value: '🚀' }), ['u5']],
  ['list contains an element', prop('tags', 'contains', { value: 'a' }), ['u1']],
  ['list contains an element (two profiles)', prop('tags', 'contains', { value: 'b' }), ['u1', 'u2']],
  ['number equals reads numbers only', prop('age', 'equals', { value: 30 }), ['u1']],
  ['string "30" is not the number 30', prop('age', 'equals', { value: '30' }), ['u3']],
  ['number greater than', prop('age', 'greater_than', { value: 17 }), ['u1', 'u5']],
  ['number less than', prop('age', 'less_than', { value: 30 }), ['u2']],
  ['number between includes both ends', prop('age', 'between', { values: [17, 30] }), ['u1', 'u2']],
  ['number in with a fraction', prop('age', 'in', { values: [17, 45.5] }), ['u2', 'u5']],
  [
    'number not in includes missing and strings',
    prop('age', 'not_in', { values: [17, 45.5] }),
    ['u1', 'u3', 'u4'],
  ],
  ['boolean true', prop('vip', 'is_true'), ['u1']],
  ['boolean false (missing is not false)', prop('vip', 'is_false'), ['u2']],
  ['is set', prop('vip', 'is_set'), ['u1', 'u2']],
  ['is not set', prop('vip', 'is_not_set'), ['u3', 'u4', 'u5']],
  ['empty string is not set', prop('nick', 'is_set'), ['u2', 'u3']],
  ['empty string and missing are not set', prop('nick', 'is_not_set'), ['u1', 'u4', 'u5']],
  ['JSON null is not set', prop('note', 'is_set'), []],
  ['an empty list is set', prop('tags', 'is_set'), ['u1', 'u2', 'u5']],
  ['a property nobody has is not set for everyone', prop('nope', 'is_not_set'), ALL],
  [
    'date before a day starts at local midnight',
    prop('signup', 'before', { value: '2026-03-02' }),
    ['u1', 'u3'],
  ],
  [
    'date after a day ends at the next local midnight',
    prop('signup', 'after', { value: '2026-03-01' }),
    ['u2', 'u5'],
  ],
  [
    'date between one local day (string and epoch-ms values)',
    prop('signup', 'between', { values: ['2026-03-01', '2026-03-01'] }),
    ['u1', 'u3'],
  ],
  [
    'date within the last 2 days (zone-less date is UTC)',
    prop('signup', 'within_last_days', { days: 2 }),
    ['u5'],
  ],
  ['date within the last 1 day is today only', prop('signup', 'within_last_days', { days: 1 }), []],
  ['date greater than an instant', prop('signup', 'greater_than', { value: '2026-03-01T16:00:00Z' }), ['u5']],
  ['date less than an instant', prop('signup', 'less_than', { value: '2026-03-01T16:00:00Z' }), ['u1', 'u3']],
  ['date with an offset', prop('signup', 'before', { value: '2026-03-02T00:00:00+08:00' }), ['u1', 'u3']],
  ['did the event (a merged-away profile counts for the winner)', did('purchase'), ['u1', 'u2']],
  ['did not do the event', did('purchase', { did: false }), ['u3', 'u4', 'u5']],
  [
    'at least 3 times counts the merged-away events',
    did('purchase', { count: { operator: 'at_least', value: 3 } }),
    ['u1'],
  ],
  ['exactly once', did('purchase', { count: { operator: 'exactly', value: 1 } }), ['u2']],
  [
    'at most once includes those who never did it',
    did('purchase', { count: { operator: 'at_most', value: 1 } }),
    ['u2', 'u3', 'u4', 'u5'],
  ],
  ['in the last 7 days', did('purchase', { window: { last_days: 7 } }), ['u1']],
  [
    'with a number filter',
    did('purchase', { filters: [prop('amount', 'greater_than', { value: 60 })] }),
    ['u1', 'u2'],
  ],
  [
    'filter and window: only the merged-away event matches',
    did('purchase', { filters: [prop('amount', 'greater_than', { value: 60 })], window: { last_days: 7 } }),
    ['u1'],
  ],
  ['with a string filter', did('purchase', { filters: [prop('sku', 'equals', { value: 'x' })] }), ['u1']],
  ['last 1 day starts at local midnight', did('login', { window: { last_days: 1 } }), ['u4']],
  ['last 2 days', did('login', { window: { last_days: 2 } }), ['u2', 'u3', 'u4']],
  [
    'between two dates is whole local days',
    did('login', { window: { from: '2026-03-09', to: '2026-03-09' } }),
    ['u2', 'u3'],
  ],
  ['from a date only', did('login', { window: { from: '2026-03-09' } }), ['u2', 'u3', 'u4']],
  [
    'did not in the last day',
    did('login', { did: false, window: { last_days: 1 } }),
    ['u1', 'u2', 'u3', 'u5'],
  ],
  ['AND of property and behavior', and(prop('plan', 'equals', { value: 'pro' }), did('purchase')), ['u1']],
  ['OR', or(prop('vip', 'is_false'), did('purchase', { did: false })), ['u2', 'u3', 'u4', 'u5']],
  [
    'nested groups',
    and(
      or(prop('age', 'greater_than', { value: 17 }), prop('city', 'equals', { value: 'Zürich' })),
      did('login', { did: false, window: { last_days: 1 } }),
    ),
    ['u1', 'u2', 'u5'],
  ],
  ['empty AND is everyone', and(), ALL],
  ['empty OR is nobody', or(), []],
];

forEachStore('audience query', (ctx) => {
  let scope: ProjectScope;
  let other: ProjectScope;
  before(async () => {
    scope = await seedProject(ctx.store, ZONE);
    other = await seedProject(ctx.store, ZONE);
    await seedProfiles(ctx.store, scope, [
      {
        tpUid: 'u1',
        properties: {
          plan: 'pro',
          age: 30,
          vip: true,
          city: '北京',
          tags: ['a', 'b'],
          signup: '2026-03-01T15:59:59Z',
          nick: '',
          note: null,
          score: 1.5,
        },
        identities: [{ type: 'phone', value: '+8613800000000' }],
      },
      {
        tpUid: 'u2',
        properties: {
          plan: 'free',
          age: 17,
          vip: false,
          city: 'Zürich',
          tags: ['b'],
          signup: '2026-03-01T16:00:00Z',
          nick: 'Ann',
        },
        identities: [{ type: 'email', value: 'ann@example.com' }],
      },
      {
        tpUid: 'u3',
        properties: {
          plan: 'Pro',
          age: '30',
          city: 'beijing',
          signup: Date.UTC(2026, 1, 28, 16),
          nick: 'ann',
        },
      },
      { tpUid: 'u4', properties: {} },
      { tpUid: 'u5', properties: { plan: 'pro 🚀', age: 45.5, signup: '2026-03-09', tags: [] } },
      { tpUid: 'm1', properties: { plan: 'pro' }, identities: [{ type: 'phone', value: '+8613900000000' }] },
    ]);
    await seedProfiles(ctx.store, other, [{ tpUid: 'u1', properties: { plan: 'pro' } }]);
    const todayStart = Date.UTC(2026, 2, 9, 16); // 2026-03-10 00:00 in Shanghai
    await seedEvents(ctx.store, scope, [
      { tpUid: 'u1', name: 'purchase', time: NOW - H, properties: { amount: 50, sku: 'x' } },
      { tpUid: 'u1', name: 'purchase', time: NOW - 3 * D, properties: { amount: 5 } },
      { tpUid: 'u1', name: 'login', time: NOW - 40 * D },
      { tpUid: 'm1', name: 'purchase', time: NOW - 2 * H, properties: { amount: 100 } },
      { tpUid: 'u2', name: 'purchase', time: NOW - 10 * D, properties: { amount: 200 } },
      { tpUid: 'u2', name: 'login', time: NOW - D },
      { tpUid: 'u3', name: 'login', time: todayStart - 1000 },
      { tpUid: 'u4', name: 'login', time: todayStart },
    ]);
    await seedEvents(ctx.store, other, [{ tpUid: 'u1', name: 'purchase', time: NOW - H }]);
    await seedMerge(ctx.store, scope, 'u1', 'm1', [{ type: 'phone', value: '+8613900000000' }]);
  });

  const members = async (condition: ConditionJson) => {
    const { query } = parseConditions(and(condition), { timeZone: ZONE, now: NOW });
    return (
      await ctx.store.audiences.membersPage(scope, query, { after: null, limit: 100, sendIdType: null })
    ).sort();
  };

  for (const [name, condition, expected] of cases) {
    test(`AUD: ${name}`, async () => {
      assert.deepEqual(await members(condition), expected.sort());
    });
  }

  test('AUD: estimate counts members and those holding the send ID type', async () => {
    const { query } = parseConditions(and(), { timeZone: ZONE, now: NOW });
    assert.deepEqual(await ctx.store.audiences.estimate(scope, query, null), { size: 5, reachable: null });
    assert.deepEqual(await ctx.store.audiences.estimate(scope, query, 'phone'), { size: 5, reachable: 1 });
    assert.deepEqual(await ctx.store.audiences.estimate(scope, query, 'email'), { size: 5, reachable: 1 });
    assert.deepEqual(await ctx.store.audiences.estimate(scope, query, 'openid'), { size: 5, reachable: 0 });
    const buyers = parseConditions(and(did('purchase')), { timeZone: ZONE, now: NOW }).query;
    // m1's phone moved to u1 with the merge; u1 is counted once.
    assert.deepEqual(await ctx.store.audiences.estimate(scope, buyers, 'phone'), { size: 2, reachable: 1 });
  });

  test('AUD: another project with the same tp_uid is never counted', async () => {
    const { query } = parseConditions(and(did('purchase')), { timeZone: ZONE, now: NOW });
    assert.deepEqual(await ctx.store.audiences.estimate(other, query, null), { size: 1, reachable: null });
  });

  test('AUD: members stream in keyset pages', async () => {
    const { query } = parseConditions(and(), { timeZone: ZONE, now: NOW });
    const pages: string[][] = [];
    for await (const page of ctx.store.audiences.streamMembers(scope, query, { pageSize: 2 }))
      pages.push(page);
    assert.deepEqual(pages, [['u1', 'u2'], ['u3', 'u4'], ['u5']]);
    const reachable: string[] = [];
    for await (const page of ctx.store.audiences.streamMembers(scope, query, {
      pageSize: 2,
      sendIdType: 'email',
    }))
      reachable.push(...page);
    assert.deepEqual(reachable, ['u2']);
  });

  test('AUD: property types are discovered from current profiles', async () => {
    const types = await ctx.store.audiences.profilePropertyTypes(scope);
    const byName = Object.fromEntries(types.map((t) => [t.name, t.types]));
    assert.deepEqual(byName.age, ['number', 'string']);
    assert.deepEqual(byName.tags, ['array']);
    assert.deepEqual(byName.vip, ['boolean']);
    assert.deepEqual(byName.note, ['null']);
    assert.equal(types.find((t) => t.name === 'plan')?.profiles, 4); // m1 (merged) is left out
  });
});

// Issue 18 acceptance, API part: saved audiences CRUD with audit entries, estimates with and
// without a channel (send-ID exclusion), previews, validation errors with codes and JSON paths,
// tenant isolation (another project's ids answer 404) and permissions — on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectScope } from '../../src/access/scope.ts';
import { webhookBody } from '../channels/channel-fixture.ts';
import { storeKinds } from '../support/stores.ts';
import { createTenancyFixture, type TenancyFixture } from '../support/tenancy-fixture.ts';
import { seedEventStats, seedEvents, seedProfiles, type SeedEvent } from '../audiences/seed.ts';

type Json = Record<string, unknown>;

const group = (combinator: 'and' | 'or', ...conditions: Json[]) => ({
  type: 'group',
  combinator,
  conditions,
});
const vip = { type: 'property', property: 'vip', operator: 'is_true' };
const bought = { type: 'behavior', event: 'purchase', window: { last_days: 30 } };

for (const kind of storeKinds) {
  describe(`audiences API [${kind}]`, () => {
    let f: TenancyFixture;
    let ws: string;
    let ws2: string;
    let channelId: string;
    const base = () => `/api/v1/projects/${f.a.project.id}/workspaces/${ws}/audiences`;
    const errorOf = (res: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(res.statusCode, status, res.body);
      const error = (JSON.parse(res.body) as { error: { code: string; details: Json } }).error;
      assert.equal(error.code, code, res.body);
      return error.details;
    };

    before(async () => {
      f = await createTenancyFixture(kind);
      ws = f.a.workspaces[0].id;
      ws2 = f.a.workspaces[1].id;
      const scope = projectScope(f.a.project.id);
      const now = Date.now();
      await seedProfiles(f.t.deps.store, scope, [
        {
          tpUid: 'a1',
          properties: { vip: true, plan: 'pro', city: '上海' },
          identities: [{ type: 'role_id', value: 'r1' }],
        },
        { tpUid: 'a2', properties: { vip: true, plan: 'free' } },
        {
          tpUid: 'a3',
          properties: { vip: false, plan: 'pro' },
          identities: [{ type: 'role_id', value: 'r3' }],
        },
      ]);
      const events: SeedEvent[] = [
        { tpUid: 'a1', name: 'purchase', time: now - 3_600_000, properties: { amount: 9 } },
        { tpUid: 'a3', name: 'purchase', time: now - 3_600_000, properties: { amount: 9 } },
      ];
      await seedEvents(f.t.deps.store, scope, events);
      await seedEventStats(f.t.deps.store, scope, events);
      await seedProfiles(f.t.deps.store, projectScope(f.b.project.id), [
        { tpUid: 'b1', properties: { vip: true } },
      ]);
      const channel = await f.as('adminA', f.a, {
        method: 'POST',
        url: `/api/v1/projects/${f.a.project.id}/channels`,
        payload: webhookBody({ name: 'Game mail', send_id_type: 'role_id' }),
      });
      assert.equal(channel.statusCode, 201, channel.body);
      channelId = channel.json().id;
      const authorized = await f.as('adminA', f.a, {
        method: 'PUT',
        url: `/api/v1/projects/${f.a.project.id}/channels/${channelId}/workspaces/${ws}`,
      });
      assert.equal(authorized.statusCode, 200, authorized.body);
    });
    after(() => f.close());

    test('AUD-API: estimate with and without a channel leaves out members without its send ID type', async () => {
      const estimate = (payload: Json) =>
        f.as('viewerA', f.a, { method: 'POST', url: `${base()}/estimate`, payload });
      const plain = await estimate({ conditions: group('and', vip) });
      assert.equal(plain.statusCode, 200, plain.body);
      assert.deepEqual(plain.json(), { size: 2, reachable: null, send_id_type: null });
      const withChannel = await estimate({ conditions: group('or', vip, bought), channel_id: channelId });
      assert.deepEqual(withChannel.json(), { size: 3, reachable: 2, send_id_type: 'role_id' });
      const both = await estimate({ conditions: group('and', vip, bought), channel_id: channelId });
      assert.deepEqual(both.json(), { size: 1, reachable: 1, send_id_type: 'role_id' });
    });

    test('AUD-API: a channel not authorized to the workspace, or of another project, is refused', async () => {
      const other = `/api/v1/projects/${f.a.project.id}/workspaces/${ws2}/audiences/estimate`;
      errorOf(
        await f.as('adminA', f.a, {
          method: 'POST',
          url: other,
          payload: { conditions: group('and'), channel_id: channelId },
        }),
        403,
        'TP_ERR_CHANNEL_NOT_AUTHORIZED',
      );
      const channelB = await f.as('adminB', f.b, {
        method: 'POST',
        url: `/api/v1/projects/${f.b.project.id}/channels`,
        payload: webhookBody({ name: 'B mail' }),
      });
      errorOf(
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/estimate`,
          payload: { conditions: group('and'), channel_id: channelB.json().id },
        }),
        404,
        'TP_ERR_NOT_FOUND',
      );
    });

    test('AUD-API: preview shows sample members with the properties the conditions use', async () => {
      const res = await f.as('viewerA', f.a, {
        method: 'POST',
        url: `${base()}/preview`,
        payload: {
          conditions: group('and', vip, { type: 'property', property: 'city', operator: 'is_set' }),
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        properties: ['vip', 'city'],
        members: [
          {
            tp_uid: 'a1',
            identities: [{ type: 'role_id', value: 'r1' }],
            properties: { vip: true, city: '上海' },
          },
        ],
      });
    });

    test('AUD-API: validation errors carry a code and the JSON path of the bad part', async () => {
      const post = (conditions: unknown) =>
        f.as('adminA', f.a, { method: 'POST', url: base(), payload: { name: 'Bad', conditions } });
      const cases: [unknown, string, string][] = [
        [
          group('and', { type: 'property', property: 'nope', operator: 'is_set' }),
          'TP_ERR_AUDIENCE_UNKNOWN_PROPERTY',
          '/conditions/conditions/0/property',
        ],
        [
          group('and', vip, group('or', { type: 'behavior', event: 'refund' })),
          'TP_ERR_AUDIENCE_UNKNOWN_EVENT',
          '/conditions/conditions/1/conditions/0/event',
        ],
        [
          group('and', {
            type: 'behavior',
            event: 'purchase',
            filters: [{ property: 'sku', operator: 'equals', value: 'x' }],
          }),
          'TP_ERR_AUDIENCE_UNKNOWN_EVENT_PROPERTY',
          '/conditions/conditions/0/filters/0/property',
        ],
        [
          group('and', { type: 'property', property: 'plan', operator: 'greater_than', value: 3 }),
          'TP_ERR_AUDIENCE_OPERATOR_MISMATCH',
          '/conditions/conditions/0/operator',
        ],
        [
          group('and', { type: 'property', property: 'vip', operator: 'contains', value: 'x' }),
          'TP_ERR_AUDIENCE_OPERATOR_MISMATCH',
          '/conditions/conditions/0/operator',
        ],
        [
          group('and', {
            type: 'behavior',
            event: 'purchase',
            filters: [{ property: 'amount', operator: 'between', values: [5, 1] }],
          }),
          'TP_ERR_AUDIENCE_VALUE_INVALID',
          '/conditions/conditions/0/filters/0/values',
        ],
        [
          group('and', { type: 'behavior', event: 'purchase', window: { from: '2026-02-30' } }),
          'TP_ERR_AUDIENCE_VALUE_INVALID',
          '/conditions/conditions/0/window/from',
        ],
        [
          group('and', {
            type: 'behavior',
            event: 'purchase',
            did: false,
            count: { operator: 'at_least', value: 2 },
          }),
          'TP_ERR_AUDIENCE_INVALID',
          '/conditions/conditions/0/count',
        ],
        [{ type: 'group', conditions: [] }, 'TP_ERR_AUDIENCE_INVALID', '/conditions/combinator'],
        [
          group('and', { type: 'property', property: 'vip', operator: 'is_true', value: 1 }),
          'TP_ERR_AUDIENCE_INVALID',
          '/conditions/conditions/0/value',
        ],
        [
          group('and', { type: 'property', property: 'vip', operator: 'is_sett' }),
          'TP_ERR_AUDIENCE_INVALID',
          '/conditions/conditions/0/operator',
        ],
        [
          group('and', group('and', group('and', group('and', group('and', group('and')))))),
          'TP_ERR_AUDIENCE_TOO_COMPLEX',
          '/conditions/conditions/0/conditions/0/conditions/0/conditions/0/conditions/0',
        ],
      ];
      for (const [conditions, code, path] of cases) {
        const details = errorOf(await post(conditions), 400, code);
        assert.equal(details.path, path, JSON.stringify(conditions));
      }
      errorOf(
        await f.as('adminA', f.a, { method: 'POST', url: base(), payload: { name: 'x' } }),
        400,
        'TP_ERR_VALIDATION',
      );
    });

    test('AUD-API: saved audiences: create, list, get, change, estimate, preview, delete, all audited', async () => {
      const created = await f.as('operatorA', f.a, {
        method: 'POST',
        url: base(),
        payload: { name: 'VIP buyers', conditions: group('and', vip, bought) },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      errorOf(
        await f.as('adminA', f.a, {
          method: 'POST',
          url: base(),
          payload: { name: 'vip BUYERS ', conditions: group('and') },
        }),
        409,
        'TP_ERR_AUDIENCE_NAME_TAKEN',
      );
      const list = await f.as('viewerA', f.a, { url: base() });
      assert.deepEqual(
        list.json().items.map((a: Json) => a.name),
        ['VIP buyers'],
      );
      assert.equal(
        (await f.as('viewerA', f.a, { url: `${base()}/${id}` })).json().conditions.combinator,
        'and',
      );
      const estimate = await f.as('viewerA', f.a, {
        url: `${base()}/${id}/estimate?channel_id=${channelId}`,
      });
      assert.deepEqual(estimate.json(), { size: 1, reachable: 1, send_id_type: 'role_id' });
      const changed = await f.as('wsAdminA', f.a, {
        method: 'PATCH',
        url: `${base()}/${id}`,
        payload: { conditions: group('or', vip, bought) },
      });
      assert.equal(changed.statusCode, 200, changed.body);
      const preview = await f.as('viewerA', f.a, { url: `${base()}/${id}/preview?limit=2` });
      assert.deepEqual(
        preview.json().members.map((m: Json) => m.tp_uid),
        ['a1', 'a2'],
      );
      const deleted = await f.as('adminA', f.a, { method: 'DELETE', url: `${base()}/${id}` });
      assert.equal(deleted.statusCode, 204);
      errorOf(await f.as('adminA', f.a, { url: `${base()}/${id}` }), 404, 'TP_ERR_NOT_FOUND');
      const audit = await f.as('adminA', f.a, { url: `/api/v1/projects/${f.a.project.id}/audit?limit=200` });
      const actions = (audit.json().items as { action: string; target: { id: string } }[])
        .filter((e) => e.target.id === id)
        .map((e) => e.action)
        .sort();
      assert.deepEqual(actions, ['audience.created', 'audience.deleted', 'audience.updated']);
    });

    test('AUD-API: permissions: viewers read and estimate, writing needs audience.manage in a workspace of theirs', async () => {
      const payload = { name: 'By viewer', conditions: group('and', vip) };
      errorOf(await f.as('viewerA', f.a, { method: 'POST', url: base(), payload }), 403, 'TP_ERR_FORBIDDEN');
      const made = await f.as('adminA', f.a, {
        method: 'POST',
        url: base(),
        payload: { ...payload, name: 'Kept' },
      });
      const id = made.json().id as string;
      errorOf(
        await f.as('viewerA', f.a, { method: 'PATCH', url: `${base()}/${id}`, payload: { name: 'x' } }),
        403,
        'TP_ERR_FORBIDDEN',
      );
      errorOf(
        await f.as('viewerA', f.a, { method: 'DELETE', url: `${base()}/${id}` }),
        403,
        'TP_ERR_FORBIDDEN',
      );
      // The operator belongs to the first workspace only: the second one does not exist for it.
      const second = `/api/v1/projects/${f.a.project.id}/workspaces/${ws2}/audiences`;
      errorOf(
        await f.as('operatorA', f.a, { method: 'POST', url: second, payload }),
        404,
        'TP_ERR_NOT_FOUND',
      );
      errorOf(await f.as('operatorA', f.a, { url: second }), 404, 'TP_ERR_NOT_FOUND');
      errorOf(await f.as('outsider', f.a, { url: base() }), 401, 'TP_ERR_AUTH_REQUIRED');
      // A saved audience is visible only in its own workspace.
      errorOf(await f.as('adminA', f.a, { url: `${second}/${id}` }), 404, 'TP_ERR_NOT_FOUND');
    });

    test("AUD-API: tenant isolation: another project's ids answer 404 on every route", async () => {
      const made = await f.as('adminA', f.a, {
        method: 'POST',
        url: base(),
        payload: { name: 'Isolated', conditions: group('and', vip) },
      });
      const id = made.json().id as string;
      const wsB = f.b.workspaces[0].id;
      const inB = `/api/v1/projects/${f.b.project.id}/workspaces`;
      const routes: [string, string, Json?][] = [
        ['GET', `${inB}/${ws}/audiences`],
        ['POST', `${inB}/${ws}/audiences`, { name: 'x', conditions: group('and') }],
        ['POST', `${inB}/${ws}/audiences/estimate`, { conditions: group('and') }],
        ['POST', `${inB}/${ws}/audiences/preview`, { conditions: group('and') }],
        ['GET', `${inB}/${ws}/audiences/catalog`],
        ['GET', `${inB}/${wsB}/audiences/${id}`],
        ['PATCH', `${inB}/${wsB}/audiences/${id}`, { name: 'stolen' }],
        ['DELETE', `${inB}/${wsB}/audiences/${id}`],
        ['GET', `${inB}/${wsB}/audiences/${id}/estimate`],
        ['GET', `${inB}/${wsB}/audiences/${id}/preview`],
      ];
      for (const [method, url, payload] of routes) {
        const res = await f.as('adminB', f.b, {
          method: method as 'GET',
          url,
          ...(payload ? { payload } : {}),
        });
        errorOf(res, 404, 'TP_ERR_NOT_FOUND');
      }
      // adminB is no member of project A at all.
      errorOf(await f.as('adminB', f.b, { url: base() }), 404, 'TP_ERR_NOT_FOUND');
      // Project B's estimate never counts project A's profiles.
      const estimateB = await f.as('adminB', f.b, {
        method: 'POST',
        url: `${inB}/${wsB}/audiences/estimate`,
        payload: { conditions: group('and') },
      });
      assert.deepEqual(estimateB.json(), { size: 1, reachable: null, send_id_type: null });
    });

    test('AUD-API: the catalog lists profile properties and events with their types', async () => {
      const res = await f.as('viewerA', f.a, { url: `${base()}/catalog` });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as {
        profile_properties: { name: string; types: string[] }[];
        events: { name: string }[];
      };
      assert.deepEqual(
        body.profile_properties.map((p) => `${p.name}:${p.types.join('|')}`),
        ['city:string', 'plan:string', 'vip:boolean'],
      );
      assert.deepEqual(
        body.events.map((e) => e.name),
        ['purchase'],
      );
    });
  });
}

// Issue 20 item 4 over the API: DELETE …/profiles/{tpUid} and the bulk POST …/profiles/erase —
// project.manage only, another project's tp_uid answers 404 and changes nothing, per-item
// results, coded errors for bad items (nothing erased), and an identity nobody holds yet is still
// blocked: its events waiting for the profile applier never make a profile.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectScope, systemScope } from '../../src/access/scope.ts';
import { seedProfiles } from '../audiences/seed.ts';
import { storeKinds } from '../support/stores.ts';
import {
  createTenancyFixture,
  type ProjectFixture,
  type TenancyFixture,
} from '../support/tenancy-fixture.ts';

type Json = Record<string, unknown>;

for (const kind of storeKinds) {
  describe(`erasure API [${kind}]`, () => {
    let f: TenancyFixture;
    const keys = new Map<number, string>();
    let n = 0;

    async function ingest(p: ProjectFixture, batch: Json[]): Promise<void> {
      let key = keys.get(p.project.id);
      if (!key) {
        const admin = p === f.a ? 'adminA' : 'adminB';
        const app = (
          await f.as(admin, p, {
            method: 'POST',
            url: `${base(p)}/apps`,
            payload: { name: 'A', app_type: 'app' },
          })
        ).json();
        const source = (
          await f.as(admin, p, {
            method: 'POST',
            url: `${base(p)}/sources`,
            payload: { name: 'S', app_id: app.id, platforms: [{ platform: 'android' }] },
          })
        ).json();
        key = source.credentials.app_key as string;
        keys.set(p.project.id, key);
      }
      const res = await f.t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
        payload: { batch: batch.map((e) => ({ messageId: `ea-${(n += 1)}`, ...e })) },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
    const apply = () => f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
    const tpUidOf = async (p: ProjectFixture, idType: string, value: string) => {
      const admin = p === f.a ? 'adminA' : 'adminB';
      const res = await f.as(admin, p, { url: `${base(p)}/profiles?id_type=${idType}&value=${value}` });
      return (res.json().items[0] as { tp_uid: string } | undefined)?.tp_uid;
    };
    const errorOf = (res: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(res.statusCode, status, res.body);
      const error = (JSON.parse(res.body) as { error: { code: string; details: Json } }).error;
      assert.equal(error.code, code, res.body);
      return error.details;
    };

    before(async () => {
      f = await createTenancyFixture(kind);
      await ingest(f.a, [
        { type: 'identify', userId: 'a-1', traits: { email: 'a1@example.com' } },
        { type: 'identify', userId: 'a-2', traits: { email: 'a2@example.com' } },
        { type: 'identify', userId: 'a-3' },
        { type: 'identify', userId: 'a-4' },
      ]);
      await ingest(f.b, [{ type: 'identify', userId: 'a-1' }]);
      await apply();
    });
    after(() => f.close());

    test('only project.manage erases: viewers and operators get 403 and nothing changes', async () => {
      const tpUid = (await tpUidOf(f.a, 'user_id', 'a-1'))!;
      for (const user of ['viewerA', 'operatorA'] as const) {
        errorOf(
          await f.as(user, f.a, { method: 'DELETE', url: `${base(f.a)}/profiles/${tpUid}` }),
          403,
          'TP_ERR_FORBIDDEN',
        );
        errorOf(
          await f.as(user, f.a, {
            method: 'POST',
            url: `${base(f.a)}/profiles/erase`,
            payload: { items: [{ tp_uid: tpUid }] },
          }),
          403,
          'TP_ERR_FORBIDDEN',
        );
      }
      assert.equal(await tpUidOf(f.a, 'user_id', 'a-1'), tpUid);
    });

    test("another project's tp_uid answers 404 and the profile stays", async () => {
      const tpUid = (await tpUidOf(f.a, 'user_id', 'a-1'))!;
      // B's admin names A's profile under B's project; A's admin names it under B's project.
      errorOf(
        await f.as('adminB', f.b, { method: 'DELETE', url: `${base(f.b)}/profiles/${tpUid}` }),
        404,
        'TP_ERR_NOT_FOUND',
      );
      errorOf(
        await f.as('adminA', f.a, { method: 'DELETE', url: `${base(f.b)}/profiles/${tpUid}` }),
        404,
        'TP_ERR_NOT_FOUND',
      );
      const bulk = await f.as('adminB', f.b, {
        method: 'POST',
        url: `${base(f.b)}/profiles/erase`,
        payload: { items: [{ tp_uid: tpUid }] },
      });
      assert.equal(bulk.statusCode, 200, bulk.body);
      assert.equal(bulk.json().results[0].status, 'not_found');
      assert.equal(await tpUidOf(f.a, 'user_id', 'a-1'), tpUid);
      assert.ok(await tpUidOf(f.b, 'user_id', 'a-1'), "B's own a-1 stays too");
    });

    test('bad items are refused with a code and nothing is erased', async () => {
      const details = errorOf(
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base(f.a)}/profiles/erase`,
          payload: {
            items: [
              { id_type: 'user_id', value: 'a-1' },
              { id_type: 'shoe_size', value: '42' },
            ],
          },
        }),
        400,
        'TP_ERR_ERASURE_ID_TYPE_UNKNOWN',
      );
      assert.deepEqual(details, { index: 1, id_type: 'shoe_size' });
      assert.ok(await tpUidOf(f.a, 'user_id', 'a-1'));
      errorOf(
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base(f.a)}/profiles/erase`,
          payload: { items: Array.from({ length: 1001 }, (_, i) => ({ tp_uid: `tpu_${i}` })) },
        }),
        400,
        'TP_ERR_VALIDATION',
      );
      for (const item of [{ tp_uid: 'x', id_type: 'user_id', value: 'a-1' }, { id_type: 'user_id' }, {}])
        errorOf(
          await f.as('adminA', f.a, {
            method: 'POST',
            url: `${base(f.a)}/profiles/erase`,
            payload: { items: [item] },
          }),
          400,
          'TP_ERR_VALIDATION',
        );
      errorOf(
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base(f.a)}/profiles/erase`,
          payload: { items: [] },
        }),
        400,
        'TP_ERR_VALIDATION',
      );
    });

    test('the bulk form erases by tp_uid or identity, in order, with one result per item', async () => {
      const tp2 = (await tpUidOf(f.a, 'user_id', 'a-2'))!;
      // A user whose events still wait for the profile applier: no profile yet.
      await ingest(f.a, [{ type: 'identify', userId: 'ghost-1', traits: { email: 'ghost@example.com' } }]);
      const res = await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base(f.a)}/profiles/erase`,
        payload: {
          items: [
            { id_type: 'email', value: 'a1@example.com' },
            { tp_uid: tp2 },
            { id_type: 'user_id', value: 'ghost-1' },
            { tp_uid: 'tpu_nobody' },
            { id_type: 'tp_uid', value: tp2 },
          ],
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      const results = res.json().results as Json[];
      assert.deepEqual(
        results.map((r) => [r.index, r.status, r.profiles, r.blocked_identities]),
        [
          [0, 'erased', 1, 2],
          [1, 'erased', 1, 2],
          [2, 'not_found', 0, 1],
          [3, 'not_found', 0, 0],
          [4, 'not_found', 0, 0],
        ],
      );
      await apply();
      assert.equal(await tpUidOf(f.a, 'user_id', 'a-1'), undefined);
      assert.equal(await tpUidOf(f.a, 'user_id', 'a-2'), undefined);
      assert.equal(await tpUidOf(f.a, 'user_id', 'ghost-1'), undefined, 'the pending event was dropped');
      assert.ok(await tpUidOf(f.a, 'user_id', 'a-3'), 'others stay');
      assert.ok(await tpUidOf(f.b, 'user_id', 'a-1'), 'the same id in project B stays');
      const audit = await f.as('adminA', f.a, { url: `${base(f.a)}/audit` });
      const erased = (audit.json().items as Json[]).filter((e) => e.action === 'profile.erased');
      assert.equal(erased.length, 3, 'one entry per item that erased or blocked something');
      assert.ok(!JSON.stringify(erased).includes('a1@example.com'));
      assert.ok(!JSON.stringify(erased).includes(tp2));
    });

    test('DELETE by tp_uid answers the counts; a merged-away tp_uid erases the profile it joined', async () => {
      await ingest(f.a, [{ type: 'track', anonymousId: 'anon-9', event: 'Seen' }]);
      await apply();
      const anon = (await tpUidOf(f.a, 'anonymous_id', 'anon-9'))!;
      await ingest(f.a, [{ type: 'track', userId: 'a-4', anonymousId: 'anon-9', event: 'Linked' }]);
      await apply();
      const survivor = (await tpUidOf(f.a, 'user_id', 'a-4'))!;
      assert.equal(await tpUidOf(f.a, 'anonymous_id', 'anon-9'), survivor);
      const merged = anon === survivor ? survivor : anon;
      const res = await f.as('adminA', f.a, { method: 'DELETE', url: `${base(f.a)}/profiles/${merged}` });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        status: 'erased',
        profiles: anon === survivor ? 1 : 2,
        identities: 2,
        events: 3,
        verify_entries: 0,
        consent_entries: 0,
        messages_cancelled: 0,
        messages_stripped: 0,
        attempts_stripped: 0,
        blocked_identities: 2,
      });
      assert.equal(await tpUidOf(f.a, 'user_id', 'a-4'), undefined);
      assert.equal(await tpUidOf(f.a, 'anonymous_id', 'anon-9'), undefined);
    });
  });
}

for (const kind of storeKinds) {
  describe(`erasure and the rest of the store [${kind}]`, () => {
    let f: TenancyFixture;
    before(async () => {
      f = await createTenancyFixture(kind);
    });
    after(() => f.close());

    test("a campaign run on the erased profile keeps its place without naming it, its page in flight cannot commit; the applier's window is invalidated", async () => {
      const store = f.t.deps.store;
      const scope = projectScope(f.a.project.id);
      await seedProfiles(store, scope, [
        { tpUid: 'tpu_a', properties: {} },
        { tpUid: 'tpu_b', properties: {}, identities: [{ type: 'user_id', value: 'run-b' }] },
        { tpUid: 'tpu_c', properties: {} },
      ]);
      const at = Date.now();
      const campaign = await store.campaigns.create(scope, {
        id: 'cmp_erasure',
        workspaceId: f.a.workspaces[0].id,
        createdBy: f.accounts.adminA.id,
        at,
        name: 'Erasure run',
        description: null,
        audienceId: null,
        channelId: null,
        trigger: { type: 'now' },
        templateValues: {},
        variables: [],
        conversion: null,
        frequencyCap: null,
        quietHours: 'delay',
      });
      assert.ok(
        await store.campaigns.transition(scope, campaign.id, ['draft'], 'scheduled', { nextRunAt: at }, at),
      );
      assert.ok(
        await store.campaigns.fire(
          scope,
          campaign,
          { id: 'run_erasure', scheduledFor: at, state: 'rendering' },
          null,
          at,
        ),
      );
      const run = await store.campaigns.claimRun(
        systemScope('test claims the run'),
        { token: 'lease-1', by: 'test', untilMs: at + 60_000 },
        at,
      );
      assert.equal(run?.id, 'run_erasure');
      assert.ok(
        await store.campaigns.checkpoint(
          scope,
          'run_erasure',
          'lease-1',
          {
            cursor: 'tpu_b',
            processed: 2,
            queued: 0,
            skipped: 2,
            suppressed: 0,
            unsubscribed: 0,
            capped: 0,
            quiet: 0,
          },
          at + 60_000,
          at,
        ),
      );
      const before = await store.profiles.cursor(scope);
      const res = await f.as('adminA', f.a, { method: 'DELETE', url: `${base(f.a)}/profiles/tpu_b` });
      assert.equal(res.statusCode, 200, res.body);
      const moved = await store.campaigns.getRun(scope, campaign.id, 'run_erasure');
      assert.equal(moved?.cursor, 'tpu_a', 'the previous remaining profile: tpu_c is still ahead');
      // A page read before the erasure (it may hold the user) cannot commit: its lease is gone.
      assert.equal(
        await store.campaigns.checkpoint(
          scope,
          'run_erasure',
          'lease-1',
          {
            cursor: 'tpu_c',
            processed: 1,
            queued: 0,
            skipped: 1,
            suppressed: 0,
            unsubscribed: 0,
            capped: 0,
            quiet: 0,
          },
          at + 60_000,
          at,
        ),
        false,
      );
      const again = await store.campaigns.claimRun(
        systemScope('test claims the run'),
        { token: 'lease-2', by: 'test', untilMs: Date.now() + 60_000 },
        Date.now(),
      );
      assert.equal(again?.id, 'run_erasure', 'claimed again at once');
      assert.equal(again?.cursor, 'tpu_a');
      const afterErasure = await store.profiles.cursor(scope);
      assert.equal(afterErasure.appliedThrough, before.appliedThrough);
      assert.ok(afterErasure.movedAt > before.movedAt, 'a window read before the erasure is read again');
    });
  });
}

const base = (p: ProjectFixture) => `/api/v1/projects/${p.project.id}`;

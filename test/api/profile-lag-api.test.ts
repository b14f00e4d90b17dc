// Profile lag (issue 14): per project at GET …/profile-lag (the console's notice), across projects
// on /readyz and at /metrics; another project's member gets 404. Both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storeKinds } from '../support/stores.ts';
import { createTenancyFixture, type TenancyFixture } from '../support/tenancy-fixture.ts';

for (const kind of storeKinds) {
  describe(`profile lag [${kind}]`, () => {
    let f: TenancyFixture;
    const base = () => `/api/v1/projects/${f.a.project.id}`;

    before(async () => {
      f = await createTenancyFixture(kind);
      const app = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/apps`,
          payload: { name: 'A', app_type: 'app' },
        })
      ).json();
      const source = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/sources`,
          payload: { name: 'S', app_id: app.id, platforms: [{ platform: 'android' }] },
        })
      ).json();
      const auth = `Basic ${Buffer.from(`${source.credentials.app_key}:`).toString('base64')}`;
      const batch = await f.t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: { authorization: auth, 'content-type': 'application/json' },
        payload: {
          batch: [1, 2, 3].map((n) => ({ type: 'track', userId: 'u-1', messageId: `m-${n}`, event: 'E' })),
        },
      });
      assert.equal(batch.statusCode, 200, batch.body);
    });
    after(() => f.close());

    test('backlog and lag before and after the applier runs: per project, on /readyz, at /metrics', async () => {
      await new Promise((r) => setTimeout(r, 150)); // lag is reported in tenths of a second
      const behind = await f.as('viewerA', f.a, { url: `${base()}/profile-lag` });
      assert.equal(behind.statusCode, 200, behind.body);
      assert.equal(behind.json().backlog_events, 3);
      assert.ok(behind.json().lag_seconds > 0);
      const ready = (await f.t.app.inject({ url: '/readyz' })).json();
      assert.equal(ready.status, 'ready');
      assert.equal(ready.profiles.backlog_events, 3);
      const metrics = (await f.t.app.inject({ url: '/metrics' })).body;
      assert.match(metrics, /^touchpoint_profile_backlog_events 3$/m);
      assert.match(metrics, /^touchpoint_profile_backlog_seconds [0-9.e-]+$/m);

      await f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
      assert.deepEqual((await f.as('viewerA', f.a, { url: `${base()}/profile-lag` })).json(), {
        backlog_events: 0,
        lag_seconds: 0,
      });
      assert.deepEqual((await f.t.app.inject({ url: '/readyz' })).json().profiles, {
        backlog_events: 0,
        backlog_seconds: 0,
      });
      assert.match(
        (await f.t.app.inject({ url: '/metrics' })).body,
        /^touchpoint_profile_backlog_events 0$/m,
      );
    });

    test("MT-02 another project cannot read this project's profile lag", async () => {
      assert.equal((await f.as('adminB', f.b, { url: `${base()}/profile-lag` })).statusCode, 404);
      const own = await f.as('adminB', f.b, { url: `/api/v1/projects/${f.b.project.id}/profile-lag` });
      assert.equal(own.statusCode, 200, own.body);
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SourcesService } from '../../src/sources/sources-service.ts';
import { REPORTING_WINDOW_MS } from '../../src/sources/model.ts';
import { startServer } from '../support/cli.ts';
import { storeKinds } from '../support/stores.ts';
import { createTenancyFixture, login, type TenancyFixture } from '../support/tenancy-fixture.ts';

type Json = Record<string, unknown> & { id: string };

for (const kind of storeKinds) {
  describe(`data sources [${kind}]`, () => {
    let f: TenancyFixture;
    let appA: Json;
    let webApp: Json;
    let source: Json & { credentials: { app_key: string; master_secret: string; scheme: string | null } };
    const base = () => `/api/v1/projects/${f.a.project.id}`;
    const reveal = async (id = source.id) =>
      (await f.as('adminA', f.a, { method: 'POST', url: `${base()}/sources/${id}/reveal-secret` })).json()
        .master_secret as string;

    before(async () => {
      f = await createTenancyFixture(kind);
      appA = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/apps`,
          payload: { name: 'Shop app', app_type: 'app' },
        })
      ).json();
      webApp = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/apps`,
          payload: { name: 'Shop web', app_type: 'web' },
        })
      ).json();
      const created = await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/sources`,
        payload: {
          name: 'Shop Android+iOS',
          app_id: appA.id,
          platforms: [
            { platform: 'android' },
            { platform: 'ios' },
            { platform: 'server', require_secret: true },
          ],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      source = created.json();
    });
    after(() => f.close());

    test('a source spans platforms and shows its ID, app key, masked secret and scheme', async () => {
      assert.match(source.id, /^src_/);
      assert.match(source.credentials.app_key, /^[0-9a-f]{32}$/);
      assert.match(source.credentials.master_secret, /^\*{8}.{4}$/);
      assert.match(source.credentials.scheme ?? '', /^tp[0-9a-f]{10}$/);
      assert.equal(source.status, 'enabled');
      assert.equal(source.reporting_status, 'never_reported');
      assert.equal(source.effective_time_zone, 'Asia/Shanghai');
      const prompts = source.integration as { platform: string; code: string }[];
      assert.deepEqual([...new Set(prompts.map((p) => p.platform))], ['android', 'ios', 'server']);
      for (const p of prompts) assert.ok(p.code.includes(source.credentials.app_key), p.platform);
      // Without TOUCHPOINT_PUBLIC_URL, prompts use the address the request came to.
      assert.ok(
        prompts.some((p) => p.code.includes('http://localhost:80')),
        JSON.stringify(prompts),
      );
    });

    test('app type is immutable; platforms must fit the app type; web needs valid origins', async () => {
      const change = await f.as('adminA', f.a, {
        method: 'PATCH',
        url: `${base()}/apps/${appA.id}`,
        payload: { app_type: 'web' },
      });
      assert.equal(change.statusCode, 400);
      assert.equal(change.json().error.code, 'TP_ERR_SOURCE_APP_TYPE_IMMUTABLE');
      const rename = await f.as('adminA', f.a, {
        method: 'PATCH',
        url: `${base()}/apps/${appA.id}`,
        payload: { name: 'Shop App', app_type: 'app' },
      });
      assert.equal(rename.statusCode, 200);
      const cases: [unknown[], string, string][] = [
        [[{ platform: 'android' }], 'TP_ERR_SOURCE_PLATFORM_NOT_ALLOWED', ''],
        [[{ platform: 'web' }], 'TP_ERR_VALIDATION', '/platforms/0/origins'],
        [
          [{ platform: 'web', origins: ['https://shop.example.com/path'] }],
          'TP_ERR_VALIDATION',
          '/platforms/0/origins/0',
        ],
        [
          [{ platform: 'web', origins: ['ftp://shop.example.com'] }],
          'TP_ERR_VALIDATION',
          '/platforms/0/origins/0',
        ],
        [
          [
            { platform: 'web', origins: ['https://a.example.com'] },
            { platform: 'web', origins: ['https://b.example.com'] },
          ],
          'TP_ERR_VALIDATION',
          '/platforms/1/platform',
        ],
        [
          [{ platform: 'web', origins: ['https://a.example.com'], require_secret: true }],
          'TP_ERR_VALIDATION',
          '/platforms/0/require_secret',
        ],
        [[{ platform: 'mars' }], 'TP_ERR_VALIDATION', '/platforms/0/platform'],
      ];
      for (const [platforms, code, path] of cases) {
        const res = await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/sources`,
          payload: { name: 'W', app_id: webApp.id, platforms },
        });
        assert.equal(res.statusCode, 400, JSON.stringify(platforms));
        assert.equal(res.json().error.code, code);
        if (path) assert.equal(res.json().error.details.issues[0].path, path);
      }
      const web = await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/sources`,
        payload: {
          name: 'Web',
          app_id: webApp.id,
          platforms: [{ platform: 'web', origins: ['https://Shop.example.com:8443/'] }],
          time_zone: 'UTC',
        },
      });
      assert.equal(web.statusCode, 201);
      assert.deepEqual(web.json().platforms, [
        { platform: 'web', origins: ['https://shop.example.com:8443'] },
      ]);
      assert.equal(web.json().credentials.scheme, null);
      assert.equal(web.json().effective_time_zone, 'UTC');
    });

    test('SEC-08 no answer carries the plaintext secret; SEC-12 reveal is permissioned and audited', async () => {
      const denied = await f.as('viewerA', f.a, {
        method: 'POST',
        url: `${base()}/sources/${source.id}/reveal-secret`,
      });
      assert.equal(denied.statusCode, 403);
      const secret = await reveal();
      assert.equal(secret.length, 32);
      assert.ok(source.credentials.master_secret.endsWith(secret.slice(-4)));
      for (const url of [`${base()}/sources/${source.id}`, `${base()}/sources`, '/api/openapi.json']) {
        const res = await f.as('adminA', f.a, { url });
        assert.ok(!res.body.includes(secret), url);
      }
      const audit = (await f.as('adminA', f.a, { url: `${base()}/audit?limit=200` })).json().items as {
        action: string;
        actor: { label: string };
      }[];
      assert.ok(audit.some((e) => e.action === 'secret.reveal.denied' && e.actor.label.includes('viewer-a')));
      assert.ok(audit.some((e) => e.action === 'secret.revealed'));
      assert.ok(!JSON.stringify(audit).includes(secret));
    });

    test('SEC-09 editing other fields keeps the secret; SEC-10/11 masked or cleared secrets are refused', async () => {
      const secret = await reveal();
      const edit = await f.as('adminA', f.a, {
        method: 'PATCH',
        url: `${base()}/sources/${source.id}`,
        payload: { name: 'Shop mobile', time_zone: 'Europe/Berlin' },
      });
      assert.equal(edit.statusCode, 200);
      assert.equal(edit.json().name, 'Shop mobile');
      assert.equal(await reveal(), secret);
      for (const masked of [
        source.credentials.master_secret,
        '********',
        '*******',
        `*********${secret.slice(-4)}`,
        '****abcd',
      ]) {
        const res = await f.as('adminA', f.a, {
          method: 'PATCH',
          url: `${base()}/sources/${source.id}`,
          payload: { master_secret: masked },
        });
        assert.equal(res.statusCode, 400, masked);
        assert.equal(res.json().error.code, 'TP_ERR_SECRET_MASKED_VALUE');
      }
      for (const value of [null, 'a-new-secret-typed-by-hand']) {
        const res = await f.as('adminA', f.a, {
          method: 'PATCH',
          url: `${base()}/sources/${source.id}`,
          payload: { master_secret: value },
        });
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error.code, 'TP_ERR_SOURCE_SECRET_NOT_EDITABLE');
      }
      assert.equal(await reveal(), secret);
    });

    test('SEC-13 rotation: the old secret is refused at once, the new one works, audited', async () => {
      const key = source.credentials.app_key;
      const old = await reveal();
      assert.equal((await f.t.deps.sources.lookupIngestKey(key, old)).status, 'ok');
      const rotated = await f.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/sources/${source.id}/rotate-secret`,
      });
      assert.equal(rotated.statusCode, 200);
      const fresh = rotated.json().master_secret as string;
      assert.notEqual(fresh, old);
      assert.deepEqual(await f.t.deps.sources.lookupIngestKey(key, old), {
        status: 'secret_mismatch',
        missing: false,
        owner: { id: source.id, projectId: f.a.project.id },
      });
      assert.equal((await f.t.deps.sources.lookupIngestKey(key, fresh)).status, 'ok');
      // require_secret: no secret at all is a mismatch too.
      assert.deepEqual(await f.t.deps.sources.lookupIngestKey(key, undefined), {
        status: 'secret_mismatch',
        missing: true,
        owner: { id: source.id, projectId: f.a.project.id },
      });
      const audit = (await f.as('adminA', f.a, { url: `${base()}/audit?action=secret.rotated` })).json()
        .items;
      assert.equal(audit.length, 1);
    });

    test('lifecycle: disable, enable and delete change the key lookup at once', async () => {
      const created = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/sources`,
          payload: { name: 'Lifecycle', app_id: appA.id, platforms: [{ platform: 'android' }] },
        })
      ).json() as typeof source;
      const key = created.credentials.app_key;
      const lookup = async () => (await f.t.deps.sources.lookupIngestKey(key, undefined)).status;
      assert.equal(await lookup(), 'ok');
      assert.equal(
        (await f.as('adminA', f.a, { method: 'POST', url: `${base()}/sources/${created.id}/disable` }))
          .statusCode,
        204,
      );
      assert.equal(await lookup(), 'disabled');
      const disabledList = (await f.as('adminA', f.a, { url: `${base()}/sources?status=disabled` })).json()
        .items as Json[];
      assert.deepEqual(
        disabledList.map((s) => s.id),
        [created.id],
      );
      assert.equal(
        (await f.as('adminA', f.a, { method: 'POST', url: `${base()}/sources/${created.id}/enable` }))
          .statusCode,
        204,
      );
      assert.equal(await lookup(), 'ok');
      assert.equal(
        (await f.as('adminA', f.a, { method: 'DELETE', url: `${base()}/sources/${created.id}` })).statusCode,
        204,
      );
      assert.equal(await lookup(), 'unknown');
      assert.equal((await f.as('adminA', f.a, { url: `${base()}/sources/${created.id}` })).statusCode, 404);
      assert.equal((await f.t.deps.sources.lookupIngestKey('not-a-key', undefined)).status, 'unknown');
      const actions = (
        (await f.as('adminA', f.a, { url: `${base()}/audit?limit=200` })).json().items as { action: string }[]
      ).map((e) => e.action);
      for (const a of ['source.created', 'source.disabled', 'source.enabled', 'source.deleted'])
        assert.ok(actions.includes(a), a);
    });

    test('reporting status follows recordSourceActivity and the 24 h window (injected clock)', async () => {
      let now = Date.now();
      const service = new SourcesService({
        store: f.t.deps.store,
        secrets: f.t.deps.secrets,
        audit: f.t.deps.audit,
        config: f.t.deps.config,
        now: () => now,
      });
      const access = (await f.t.deps.access.memberAccess(f.accounts.adminA.id, f.a.project.id))!;
      const status = async () => {
        const s = await service.getSource(access, source.id);
        return {
          status: (await import('../../src/sources/model.ts')).reportingStatus(s.lastEventAt, now),
          events: s.events24h,
        };
      };
      assert.deepEqual(await status(), { status: 'never_reported', events: 0 });
      await f.t.deps.store.transaction((tx) =>
        tx.sources.recordActivity(source.id, f.a.project.id, 7, now - 1000),
      );
      await f.t.deps.store.transaction((tx) => tx.sources.recordActivity(source.id, f.a.project.id, 3, now));
      assert.deepEqual(await status(), { status: 'reporting', events: 10 });
      const reporting = await service.listSources(access, { reportingStatus: 'reporting' }, { limit: 50 });
      assert.deepEqual(
        reporting.map((s) => s.id),
        [source.id],
      );
      // Counts are kept per hour, so the 24 h count may include up to one more hour.
      now += REPORTING_WINDOW_MS + 2 * 3_600_000;
      assert.deepEqual(await status(), { status: 'stopped', events: 0 });
      assert.deepEqual(
        (await service.listSources(access, { reportingStatus: 'stopped' }, { limit: 50 })).map((s) => s.id),
        [source.id],
      );
      assert.ok(
        !(await service.listSources(access, { reportingStatus: 'never_reported' }, { limit: 50 })).some(
          (s) => s.id === source.id,
        ),
      );
    });

    test('MT-02..MT-05 another project cannot see or touch a source; foreign cursors are refused', async () => {
      const aBase = base();
      const missing = `${aBase}/sources/src_missing`;
      const targets: [string, 'GET' | 'PATCH' | 'DELETE' | 'POST', unknown?][] = [
        ['', 'GET'],
        ['', 'PATCH', { name: 'x' }],
        ['', 'DELETE'],
        ['/disable', 'POST'],
        ['/reveal-secret', 'POST'],
        ['/rotate-secret', 'POST'],
      ];
      for (const [suffix, method, payload] of targets) {
        const foreign = await f.as('adminB', f.b, {
          method,
          url: `${aBase}/sources/${source.id}${suffix}`,
          payload: payload as object,
        });
        assert.equal(foreign.statusCode, 404, `${method} ${suffix}`);
        const nested = await f.as('adminB', f.b, {
          method,
          url: `/api/v1/projects/${f.b.project.id}/sources/${source.id}${suffix}`,
          payload: payload as object,
        });
        assert.equal(nested.statusCode, 404, `nested ${method} ${suffix}`);
        const absent = await f.as('adminA', f.a, {
          method,
          url: `${missing}${suffix}`,
          payload: payload as object,
        });
        assert.equal(absent.statusCode, 404);
        const strip = (b: string) => ({ ...JSON.parse(b).error, requestId: undefined });
        assert.deepEqual(strip(nested.body), strip(absent.body));
      }
      assert.equal(await reveal(), await reveal()); // A's source untouched
      const foreignApp = await f.as('adminB', f.b, {
        method: 'POST',
        url: `/api/v1/projects/${f.b.project.id}/sources`,
        payload: { name: 'x', app_id: appA.id, platforms: [{ platform: 'android' }] },
      });
      assert.equal(foreignApp.statusCode, 404);
      const page = await f.as('adminA', f.a, { url: `${aBase}/sources?limit=1` });
      const cursor = page.json().next_cursor as string;
      assert.ok(cursor);
      const reused = await f.as('dual', f.b, {
        url: `/api/v1/projects/${f.b.project.id}/sources?limit=1&cursor=${encodeURIComponent(cursor)}`,
      });
      assert.equal(reused.statusCode, 400);
      assert.equal(
        (await f.as('viewerA', f.a, { method: 'POST', url: `${aBase}/sources/${source.id}/disable` }))
          .statusCode,
        403,
      );
      assert.equal(
        (
          await f.as('wsAdminA', f.a, {
            method: 'POST',
            url: `${aBase}/apps`,
            payload: { name: 'n', app_type: 'web' },
          })
        ).statusCode,
        403,
      );
    });

    if (kind === 'postgres') {
      test('a rotation made through another server process is refused here at once', async () => {
        const server = await startServer({ ...f.t.db.env, TOUCHPOINT_MASTER_KEY: '' });
        try {
          const key = source.credentials.app_key;
          const before = await reveal();
          assert.equal((await f.t.deps.sources.lookupIngestKey(key, before)).status, 'ok'); // cached here
          const session = await login(f.t, f.accounts.adminA.email);
          const res = await fetch(`${server.url}${base()}/sources/${source.id}/rotate-secret`, {
            method: 'POST',
            headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
          });
          assert.equal(res.status, 200);
          assert.deepEqual(await f.t.deps.sources.lookupIngestKey(key, before), {
            status: 'secret_mismatch',
            missing: false,
            owner: { id: source.id, projectId: f.a.project.id },
          });
          const disabled = await fetch(`${server.url}${base()}/sources/${source.id}/disable`, {
            method: 'POST',
            headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
          });
          assert.equal(disabled.status, 204);
          const fresh = ((await res.json()) as { master_secret: string }).master_secret;
          assert.equal((await f.t.deps.sources.lookupIngestKey(key, fresh)).status, 'disabled');
        } finally {
          await server.stop();
        }
      });
    }
  });
}

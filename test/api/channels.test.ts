import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { storeKinds, testPostgresUrl } from '../support/stores.ts';
import { createTenancyFixture, type TenancyFixture } from '../support/tenancy-fixture.ts';
import { channelApp, webhookBody, type Json } from '../channels/channel-fixture.ts';

const TOKEN = 'channel-token-canary-7f3a9c';

for (const kind of storeKinds) {
  describe(`reach channels [${kind}]`, () => {
    let f: TenancyFixture;
    const base = () => `/api/v1/projects/${f.a.project.id}`;
    const create = (payload: Json, user: 'adminA' | 'viewerA' | 'operatorA' | 'wsAdminA' = 'adminA') =>
      f.as(user, f.a, { method: 'POST', url: `${base()}/channels`, payload });
    const made = async (payload: Json): Promise<Json> => {
      const res = await create(payload);
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    const act = (id: string, action: string, payload?: Json) =>
      f.as('adminA', f.a, { method: 'POST', url: `${base()}/channels/${id}/${action}`, payload });
    const patch = (id: string, payload: Json) =>
      f.as('adminA', f.a, { method: 'PATCH', url: `${base()}/channels/${id}`, payload });
    const expectError = (
      res: { statusCode: number; body: string },
      status: number,
      code: string,
      path?: string,
    ) => {
      assert.equal(res.statusCode, status, res.body);
      const error = JSON.parse(res.body).error;
      assert.equal(error.code, code, res.body);
      if (path !== undefined)
        assert.ok(
          (error.details.issues as { path: string }[]).some((i) => i.path === path),
          `${path} not in ${res.body}`,
        );
      return error;
    };

    before(async () => {
      f = await createTenancyFixture(kind);
    });
    after(() => f.close());

    test('a new channel is enabled, untested, authorized to no workspace, with SPEC §3.1 defaults', async () => {
      const channel = await made(webhookBody({ name: '  通知短信网关 ' }));
      assert.match(channel.id, /^chn_/);
      assert.equal(channel.name, '通知短信网关');
      assert.equal(channel.kind, 'webhook');
      assert.equal(channel.status, 'enabled');
      assert.equal(channel.test_status, 'untested');
      assert.deepEqual(channel.workspace_ids, []);
      assert.deepEqual(
        [
          channel.batch_size,
          channel.rate_limit,
          channel.timeout_s,
          channel.compression,
          channel.strict_response,
        ],
        [100, -1, 60, true, true],
      );
      assert.equal(channel.retry_failed_items, false);
      assert.deepEqual(channel.token, { set: true });
      assert.deepEqual(channel.signature_v2, {
        enabled: false,
        key: { set: false },
        previous_key_expires_at: null,
      });
      assert.equal(channel.template.length, 6);
      assert.equal(channel.template[0].required, true);
      assert.deepEqual(channel.template[5].columns[1], {
        key: 'count',
        label: 'Count',
        type: 'number',
        required: true,
      });
      assert.deepEqual(channel.custom_params, [
        { key: 'gameuid', property: 'gameuid', default: null },
        { key: 'name', property: 'nickname', default: 'Player' },
      ]);
      assert.deepEqual(channel.receipt_funnel[1], { label: 'Clicked', event: 'ops_push_click' });
      const read = (await f.as('viewerA', f.a, { url: `${base()}/channels/${channel.id}` })).json();
      assert.deepEqual(read, channel);
      const audit = (await f.as('adminA', f.a, { url: `${base()}/audit?action=channel.created` })).json()
        .items;
      assert.equal(audit[0].target.id, channel.id);
    });

    test('every field rule of SPEC §3.1 answers its exact error', async () => {
      const longName = 'x'.repeat(16);
      const cases: [Json, number, string, string?][] = [
        [{ name: '   ' }, 400, 'TP_ERR_VALIDATION', '/name'],
        [{ name: longName }, 400, 'TP_ERR_VALIDATION', '/name'],
        [{ name: '一二三四五六七八九十一二三四五六' }, 400, 'TP_ERR_VALIDATION', '/name'],
        [{ category: 'sms' }, 400, 'TP_ERR_VALIDATION', '/category'],
        [{ kind: 'carrier_pigeon' }, 400, 'TP_ERR_VALIDATION', '/kind'],
        [{ batch_size: 0 }, 400, 'TP_ERR_VALIDATION', '/batch_size'],
        [{ batch_size: 501 }, 400, 'TP_ERR_VALIDATION', '/batch_size'],
        [{ rate_limit: 0 }, 400, 'TP_ERR_VALIDATION', '/rate_limit'],
        [{ rate_limit: -2 }, 400, 'TP_ERR_VALIDATION', '/rate_limit'],
        [{ rate_limit: 10001 }, 400, 'TP_ERR_VALIDATION', '/rate_limit'],
        [{ timeout_s: -2 }, 400, 'TP_ERR_VALIDATION', '/timeout_s'],
        [{ timeout_s: 3601 }, 400, 'TP_ERR_VALIDATION', '/timeout_s'],
        [{ timeout_s: 1.5 }, 400, 'TP_ERR_VALIDATION', '/timeout_s'],
        [{ compression: 'yes' }, 400, 'TP_ERR_VALIDATION', '/compression'],
        [{ send_id_type: 'role id' }, 400, 'TP_ERR_VALIDATION', '/send_id_type'],
        [{ token: undefined }, 400, 'TP_ERR_VALIDATION', '/token'],
        [{ auth: 'none' }, 400, 'TP_ERR_VALIDATION', '/token'],
        [{ auth: 'basic' }, 400, 'TP_ERR_VALIDATION', '/auth'],
        [{ token: '********9c' }, 400, 'TP_ERR_SECRET_MASKED_VALUE'],
        [{ url: 'https://user:pw@hooks.example.com/x' }, 400, 'TP_ERR_CHANNEL_URL_CREDENTIALS'],
        [
          { template: [{ key: '1st', label: 'A', type: 'text' }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/key',
        ],
        [
          { template: [{ key: 'a-b', label: 'A', type: 'text' }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/key',
        ],
        [
          {
            template: [
              { key: 'a', label: 'A', type: 'text' },
              { key: 'a', label: 'B', type: 'text' },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/template/1/key',
        ],
        [
          { template: [{ key: 'a', label: ' ', type: 'text' }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/label',
        ],
        [
          { template: [{ key: 'a', label: 'A', type: 'color' }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/type',
        ],
        [
          { template: [{ key: 'a', label: 'A', type: 'enum' }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/options',
        ],
        [
          {
            template: [
              {
                key: 'a',
                label: 'A',
                type: 'enum',
                options: [{ code: 'x', name: 'X' }],
                options_url: 'https://options.example.com/',
              },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/options',
        ],
        [
          {
            template: [
              {
                key: 'a',
                label: 'A',
                type: 'enum',
                options: [
                  { code: 'x', name: 'X' },
                  { code: 'x', name: 'Y' },
                ],
              },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/options/1/code',
        ],
        [
          { template: [{ key: 'a', label: 'A', type: 'enum', options: [] }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/options',
        ],
        [
          {
            template: [
              {
                key: 'a',
                label: 'A',
                type: 'enum',
                options: Array.from({ length: 1001 }, (_, i) => ({ code: `c${i}`, name: `n${i}` })),
              },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/options',
        ],
        [
          { template: [{ key: 'a', label: 'A', type: 'text', options: [{ code: 'x', name: 'X' }] }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/options',
        ],
        [
          {
            template: [
              { key: 'a', label: 'A', type: 'text', columns: [{ key: 'c', label: 'C', type: 'text' }] },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/columns',
        ],
        [
          { template: [{ key: 'a', label: 'A', type: 'array_row' }] },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/columns',
        ],
        [
          {
            template: [
              { key: 'a', label: 'A', type: 'array_row', columns: [{ key: '9', label: 'C', type: 'text' }] },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/columns/0/key',
        ],
        [
          {
            template: [
              { key: 'a', label: 'A', type: 'array_row', columns: [{ key: 'c', label: 'C', type: 'enum' }] },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/template/0/columns/0/options',
        ],
        [
          { custom_params: [{ key: 'a b', property: 'x' }] },
          400,
          'TP_ERR_VALIDATION',
          '/custom_params/0/key',
        ],
        [
          { custom_params: [{ key: 'a', property: ' ' }] },
          400,
          'TP_ERR_VALIDATION',
          '/custom_params/0/property',
        ],
        [
          {
            custom_params: [
              { key: 'a', property: 'x' },
              { key: 'a', property: 'y' },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/custom_params/1/key',
        ],
        [
          { receipt_funnel: [{ label: 'Opened', event: 'push open' }] },
          400,
          'TP_ERR_VALIDATION',
          '/receipt_funnel/0/event',
        ],
        [
          {
            receipt_funnel: [
              { label: 'Opened', event: 'ops_push_open' },
              { label: 'Again', event: 'ops_push_open' },
            ],
          },
          400,
          'TP_ERR_VALIDATION',
          '/receipt_funnel/1/event',
        ],
        [{ owner: 'me' }, 400, 'TP_ERR_VALIDATION'],
        [{ app_id: 'app_missing' }, 404, 'TP_ERR_NOT_FOUND'],
      ];
      for (const [overrides, status, code, path] of cases) {
        const res = await create(webhookBody({ name: 'Rules', ...overrides }));
        expectError(res, status, code, path);
      }
      // Limits that hold: 15 characters (CJK counts one each), 500, 10000, -1, 0, 3600.
      for (const [i, overrides] of [
        { name: '一二三四五六七八九十一二三四五', batch_size: 500, rate_limit: 10000, timeout_s: -1 },
        { name: 'fifteen chars 1', batch_size: 1, rate_limit: 1, timeout_s: 0 },
        { name: 'no auth', auth: 'none', token: undefined, timeout_s: 3600, template: [] },
      ].entries()) {
        const res = await create(webhookBody(overrides));
        assert.equal(res.statusCode, 201, `${i}: ${res.body}`);
      }
      // Names are unique ignoring case; several channels may share one URL.
      assert.equal((await create(webhookBody())).statusCode, 201);
      expectError(await create(webhookBody({ name: 'SMS GATEWAY' })), 409, 'TP_ERR_CHANNEL_NAME_TAKEN');
    });

    test('an optional linked app must be one of the project', async () => {
      const appA = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/apps`,
          payload: { name: 'Game', app_type: 'app' },
        })
      ).json();
      const appB = (
        await f.as('adminB', f.b, {
          method: 'POST',
          url: `/api/v1/projects/${f.b.project.id}/apps`,
          payload: { name: 'Game', app_type: 'app' },
        })
      ).json();
      const linked = await made(webhookBody({ name: 'Linked', app_id: appA.id }));
      assert.equal(linked.app_id, appA.id);
      expectError(
        await create(webhookBody({ name: 'Foreign app', app_id: appB.id })),
        404,
        'TP_ERR_NOT_FOUND',
      );
    });

    test('SSRF-01/03/10/11/13 refused at save through create, update and the enum options URL', async () => {
      const blocked = [
        'http://127.0.0.1/',
        'http://localhost/',
        'http://[::1]/',
        'http://0.0.0.0/',
        'http://[::]/',
        'http://2130706433/',
        'http://0x7f000001/',
        'http://0177.0.0.1/',
        'http://127.1/',
        'http://0x7f.1/',
        'http://evil.com@127.0.0.1/',
        'http://127.0.0.1#@evil.com/',
        'http://localhost./',
        'http://LOCALHOST/',
        'http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/',
        'http://api.localhost/',
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/',
      ];
      const schemes = [
        'file:///etc/passwd',
        'gopher://example.com/',
        'ftp://example.com/',
        'ws://example.com/',
        'data:text/plain,x',
        'javascript:alert(1)',
      ];
      const disabled = await made(webhookBody({ name: 'SSRF edit' }));
      await act(disabled.id, 'disable');
      for (const url of [...blocked, ...schemes]) {
        const scheme = schemes.includes(url);
        const expected = scheme ? 'TP_ERR_URL_SCHEME_INVALID' : 'TP_ERR_TARGET_INVALID';
        const onCreate = await create(webhookBody({ name: 'SSRF', url }));
        const error = expectError(onCreate, 400, expected);
        assert.equal(error.details.field, '/url', url);
        expectError(await patch(disabled.id, { url }), 400, expected);
        const enumField = [{ key: 'coupon', label: 'Coupon', type: 'enum', options_url: url }];
        const onOptions = expectError(
          await create(webhookBody({ name: 'SSRF opts', template: enumField })),
          400,
          expected,
        );
        assert.equal(onOptions.details.field, '/template/0/options_url', url);
        if (!scheme) assert.ok(!JSON.stringify(onCreate.json()).includes('evil.com@'), 'credentials masked');
      }
      // Nothing was saved with any of these URLs.
      const all = (await f.as('adminA', f.a, { url: `${base()}/channels?limit=200` })).json().items as Json[];
      assert.ok(!all.some((c) => c.name.startsWith('SSRF ') && c.name !== 'SSRF edit'));
      assert.equal(all.find((c) => c.id === disabled.id)?.url, 'https://hooks.example.com/touchpoint');
    });

    test('lifecycle: edit only while disabled, kind immutable, disable refused while in use, delete only when disabled', async () => {
      const channel = await made(webhookBody({ name: 'Lifecycle' }));
      expectError(await patch(channel.id, { description: 'x' }), 409, 'TP_ERR_CHANNEL_EDIT_WHILE_ENABLED');
      expectError(await patch(channel.id, { kind: 'email' }), 400, 'TP_ERR_CHANNEL_KIND_IMMUTABLE');
      expectError(
        await f.as('adminA', f.a, { method: 'DELETE', url: `${base()}/channels/${channel.id}` }),
        409,
        'TP_ERR_CHANNEL_DELETE_WHILE_ENABLED',
      );
      const disabled = await act(channel.id, 'disable');
      assert.equal(disabled.statusCode, 200);
      assert.equal(disabled.json().status, 'disabled');
      expectError(await patch(channel.id, { kind: 'email' }), 400, 'TP_ERR_CHANNEL_KIND_IMMUTABLE');
      const edited = await patch(channel.id, {
        kind: 'webhook',
        name: 'Lifecycle 2',
        batch_size: 50,
        url: 'https://other.example.com/in',
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.deepEqual(
        [edited.json().name, edited.json().batch_size, edited.json().kind],
        ['Lifecycle 2', 50, 'webhook'],
      );
      assert.deepEqual(edited.json().token, { set: true });
      expectError(await patch(channel.id, { batch_size: 0 }), 400, 'TP_ERR_VALIDATION', '/batch_size');
      expectError(await patch(channel.id, { name: 'sms gateway' }), 409, 'TP_ERR_CHANNEL_NAME_TAKEN');
      assert.equal((await act(channel.id, 'enable')).json().status, 'enabled');

      // The in-use check is the campaigns module's interface; here a stand-in names two campaigns.
      const blocking = await channelApp(f, {
        usage: {
          blockingCampaigns: async (_scope, id) =>
            id === channel.id
              ? [
                  { id: 'cmp_1', name: 'Spring sale', state: 'running' },
                  { id: 'cmp_2', name: 'Welcome', state: 'pending_approval' },
                ]
              : [],
        },
      });
      try {
        const refused = await blocking.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/channels/${channel.id}/disable`,
        });
        const error = expectError(refused, 409, 'TP_ERR_CHANNEL_IN_USE');
        assert.deepEqual(
          error.details.campaigns.map((c: Json) => c.name),
          ['Spring sale', 'Welcome'],
        );
        assert.match(error.message, /Spring sale \(running\), Welcome \(pending_approval\)/);
      } finally {
        await blocking.close();
      }
      assert.equal(
        (await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).json().status,
        'enabled',
      );

      await f.as('adminA', f.a, {
        method: 'PUT',
        url: `${base()}/channels/${channel.id}/workspaces/${f.a.workspaces[0].id}`,
      });
      await f.as('adminA', f.a, {
        method: 'PUT',
        url: `${base()}/channels/${channel.id}/grants/${f.accounts.operatorA.id}`,
      });
      await act(channel.id, 'disable');
      const deleted = await f.as('adminA', f.a, {
        method: 'DELETE',
        url: `${base()}/channels/${channel.id}`,
      });
      assert.equal(deleted.statusCode, 204);
      assert.equal((await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).statusCode, 404);
      assert.equal(
        await f.t.deps.store.members.hasUsageGrant(
          { kind: 'project', projectId: f.a.project.id },
          f.accounts.operatorA.id,
          channel.id,
        ),
        false,
      );
      // Its name is free again.
      assert.equal((await create(webhookBody({ name: 'Lifecycle 2' }))).statusCode, 201);
      const actions = (
        (await f.as('adminA', f.a, { url: `${base()}/audit?limit=200` })).json().items as Json[]
      )
        .filter((e) => e.target?.id === channel.id)
        .map((e) => e.action);
      for (const action of [
        'channel.created',
        'channel.disabled',
        'channel.updated',
        'channel.enabled',
        'channel.deleted',
      ])
        assert.ok(actions.includes(action), action);
    });

    test('workspace authorization needs channel.authorize and a workspace of the project (MT-11)', async () => {
      const channel = await made(webhookBody({ name: 'Authorize' }));
      const [w1, w2] = f.a.workspaces;
      const put = (user: 'adminA' | 'wsAdminA' | 'operatorA' | 'viewerA' | 'dual', workspaceId: string) =>
        f.as(user, f.a, { method: 'PUT', url: `${base()}/channels/${channel.id}/workspaces/${workspaceId}` });
      const ok = await put('adminA', w1.id);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().workspace_ids, [w1.id]);
      // A workspace admin authorizes only its own workspaces; others are invisible (404).
      expectError(await put('wsAdminA', w2.id), 404, 'TP_ERR_NOT_FOUND');
      expectError(await put('operatorA', w1.id), 403, 'TP_ERR_FORBIDDEN');
      expectError(await put('viewerA', w1.id), 403, 'TP_ERR_FORBIDDEN');
      // Project A's channel to project B's workspace: 404, also for a member of both.
      expectError(await put('adminA', f.b.workspaces[0].id), 404, 'TP_ERR_NOT_FOUND');
      expectError(await put('dual', f.b.workspaces[0].id), 403, 'TP_ERR_FORBIDDEN');
      const viaB = await f.as('dual', f.b, {
        method: 'PUT',
        url: `/api/v1/projects/${f.b.project.id}/channels/${channel.id}/workspaces/${f.b.workspaces[0].id}`,
      });
      expectError(viaB, 404, 'TP_ERR_NOT_FOUND');
      const both = await put('adminA', w2.id);
      assert.deepEqual(both.json().workspace_ids, [w1.id, w2.id]);
      const removed = await f.as('adminA', f.a, {
        method: 'DELETE',
        url: `${base()}/channels/${channel.id}/workspaces/${w1.id}`,
      });
      assert.deepEqual(removed.json().workspace_ids, [w2.id]);
      const audit = (
        (await f.as('adminA', f.a, { url: `${base()}/audit?limit=200` })).json().items as Json[]
      ).filter((e) => e.target?.id === channel.id);
      assert.ok(audit.some((e) => e.action === 'channel.authorized'));
      assert.ok(audit.some((e) => e.action === 'channel.deauthorized'));
    });

    test('usage grants: given and revoked by admins to members of the project (MT-09, MT-11)', async () => {
      const channel = await made(webhookBody({ name: 'Grants' }));
      const grantUrl = (accountId: string) => `${base()}/channels/${channel.id}/grants/${accountId}`;
      assert.equal(
        (await f.as('adminA', f.a, { method: 'PUT', url: grantUrl(f.accounts.operatorA.id) })).statusCode,
        204,
      );
      assert.equal(
        (await f.as('wsAdminA', f.a, { method: 'PUT', url: grantUrl(f.accounts.dual.id) })).statusCode,
        204,
      );
      const list = (await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}/grants` })).json()
        .items as Json[];
      assert.deepEqual(
        new Set(list.map((g) => g.account_id)),
        new Set([f.accounts.operatorA.id, f.accounts.dual.id]),
      );
      expectError(
        await f.as('operatorA', f.a, { method: 'PUT', url: grantUrl(f.accounts.operatorA.id) }),
        403,
        'TP_ERR_FORBIDDEN',
      );
      expectError(
        await f.as('viewerA', f.a, { method: 'PUT', url: grantUrl(f.accounts.operatorA.id) }),
        403,
        'TP_ERR_FORBIDDEN',
      );
      expectError(
        await f.as('adminA', f.a, { method: 'PUT', url: grantUrl(f.accounts.outsider.id) }),
        404,
        'TP_ERR_NOT_FOUND',
      );
      expectError(
        await f.as('adminA', f.a, { method: 'PUT', url: grantUrl(f.accounts.adminB.id) }),
        404,
        'TP_ERR_NOT_FOUND',
      );
      // B's admin granting on A's channel through B's project: the channel is not there.
      expectError(
        await f.as('dual', f.b, {
          method: 'PUT',
          url: `/api/v1/projects/${f.b.project.id}/channels/${channel.id}/grants/${f.accounts.dual.id}`,
        }),
        404,
        'TP_ERR_NOT_FOUND',
      );
      assert.equal(
        (await f.as('adminA', f.a, { method: 'DELETE', url: grantUrl(f.accounts.operatorA.id) })).statusCode,
        204,
      );
      const after = (await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}/grants` })).json()
        .items as Json[];
      assert.deepEqual(
        after.map((g) => g.account_id),
        [f.accounts.dual.id],
      );
      const actions = (
        (await f.as('adminA', f.a, { url: `${base()}/audit?limit=200` })).json().items as Json[]
      )
        .filter((e) => e.target?.id === channel.id)
        .map((e) => e.action);
      assert.ok(actions.includes('channel.grant.added') && actions.includes('channel.grant.removed'));
    });

    test('MT-09 viewers, operators and workspace admins cannot manage channels; nothing changes', async () => {
      const channel = await made(webhookBody({ name: 'BFLA' }));
      const before = (await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).body;
      for (const user of ['viewerA', 'operatorA', 'wsAdminA'] as const) {
        const calls: [string, string, Json?][] = [
          ['POST', `${base()}/channels`, webhookBody({ name: `By ${user}` })],
          ['PATCH', `${base()}/channels/${channel.id}`, { description: 'x' }],
          ['POST', `${base()}/channels/${channel.id}/disable`],
          ['DELETE', `${base()}/channels/${channel.id}`],
          ['POST', `${base()}/channels/${channel.id}/rotate-signing-key`, {}],
          ['PUT', `${base()}/channels/${channel.id}/credentials`, { token: 'new-token-value' }],
          [
            'POST',
            `${base()}/channels/${channel.id}/test-send`,
            { properties: { role_id: 'r1' }, params: {} },
          ],
        ];
        for (const [method, url, payload] of calls) {
          const res = await f.as(user, f.a, { method: method as 'POST', url, payload });
          expectError(res, 403, 'TP_ERR_FORBIDDEN');
        }
      }
      assert.equal((await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).body, before);
    });

    test('MT-02..MT-05 another project cannot see or touch a channel; foreign cursors are refused', async () => {
      const channel = await made(webhookBody({ name: 'Isolated' }));
      await made(webhookBody({ name: 'Isolated 2' }));
      const before = (await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).body;
      const targets: [string, 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT', Json?][] = [
        ['', 'GET'],
        ['', 'PATCH', { description: 'x' }],
        ['', 'DELETE'],
        ['/disable', 'POST'],
        ['/enable', 'POST'],
        ['/rotate-signing-key', 'POST', { force: true }],
        ['/credentials', 'PUT', { token: 'stolen-token-1' }],
        ['/test-send', 'POST', { properties: { role_id: 'r1' }, params: {} }],
        ['/grants', 'GET'],
        [`/grants/${f.accounts.adminB.id}`, 'PUT'],
        ['/fields/coupon/options', 'GET'],
      ];
      const strip = (b: string) => ({ ...JSON.parse(b).error, requestId: undefined });
      for (const [suffix, method, payload] of targets) {
        const foreign = await f.as('adminB', f.b, {
          method,
          url: `${base()}/channels/${channel.id}${suffix}`,
          payload,
        });
        assert.equal(foreign.statusCode, 404, `${method} ${suffix}`);
        const nested = await f.as('adminB', f.b, {
          method,
          url: `/api/v1/projects/${f.b.project.id}/channels/${channel.id}${suffix}`,
          payload,
        });
        assert.equal(nested.statusCode, 404, `nested ${method} ${suffix}`);
        const absent = await f.as('adminA', f.a, {
          method,
          url: `${base()}/channels/chn_missing${suffix}`,
          payload,
        });
        assert.equal(absent.statusCode, 404, `absent ${method} ${suffix}`);
        assert.deepEqual(strip(nested.body), strip(absent.body));
      }
      // Workspace-scoped routes with the other project's workspace.
      for (const [method, url] of [
        ['GET', `/api/v1/projects/${f.b.project.id}/workspaces/${f.a.workspaces[0].id}/channels`],
        [
          'POST',
          `/api/v1/projects/${f.b.project.id}/workspaces/${f.b.workspaces[0].id}/channels/${channel.id}/test-send`,
        ],
      ] as const) {
        const res = await f.as('adminB', f.b, {
          method,
          url,
          payload: method === 'POST' ? { properties: { role_id: 'r' } } : undefined,
        });
        assert.equal(res.statusCode, 404, url);
      }
      assert.equal((await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).body, before);
      const listB = (
        await f.as('adminB', f.b, { url: `/api/v1/projects/${f.b.project.id}/channels` })
      ).json();
      assert.deepEqual(listB.items, []);
      const page = (await f.as('adminA', f.a, { url: `${base()}/channels?limit=1` })).json();
      assert.ok(page.next_cursor);
      const reused = await f.as('adminB', f.b, {
        url: `/api/v1/projects/${f.b.project.id}/channels?limit=1&cursor=${encodeURIComponent(page.next_cursor)}`,
      });
      expectError(reused, 400, 'TP_ERR_CURSOR_INVALID');
      const filtered = await f.as('adminB', f.b, {
        url: `/api/v1/projects/${f.b.project.id}/channels?project_id=${f.a.project.id}`,
      });
      expectError(filtered, 400, 'TP_ERR_VALIDATION');
    });

    test('SEC-08 no answer carries a channel secret; SEC-09 other edits keep it; SEC-10/11 masked or cleared tokens are refused', async () => {
      const channel = await made(webhookBody({ name: 'Secrets', signature_v2: true }));
      const v2Key = channel.signature_v2.new_key as string;
      assert.match(v2Key, /^whsec_/);
      const scope = { kind: 'project' as const, projectId: f.a.project.id };
      const plain = async () => {
        const row = (await f.t.deps.store.channels.get(scope, channel.id))!;
        return f.t.deps.secrets.decrypt(row.secrets.token!, {
          table: 'channels',
          column: 'token',
          rowId: channel.id,
          projectId: f.a.project.id,
        });
      };
      assert.equal(await plain(), TOKEN);
      for (const url of [
        `${base()}/channels/${channel.id}`,
        `${base()}/channels`,
        `${base()}/audit?limit=200`,
        '/api/openapi.json',
      ]) {
        const res = await f.as('adminA', f.a, { url });
        assert.ok(!res.body.includes(TOKEN), url);
        assert.ok(!res.body.includes(v2Key), url);
      }
      const read = (await f.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).json();
      assert.deepEqual(read.token, { set: true });
      assert.deepEqual(read.signature_v2.key, { set: true });
      assert.equal(read.signature_v2.new_key, undefined);

      await act(channel.id, 'disable');
      assert.equal((await patch(channel.id, { description: 'other field' })).statusCode, 200);
      assert.equal(await plain(), TOKEN);
      for (const masked of ['********', '*******', `********${TOKEN.slice(-4)}`, '****abcd', '*********9c']) {
        expectError(await patch(channel.id, { token: masked }), 400, 'TP_ERR_SECRET_MASKED_VALUE');
        expectError(
          await f.as('adminA', f.a, {
            method: 'PUT',
            url: `${base()}/channels/${channel.id}/credentials`,
            payload: { token: masked },
          }),
          400,
          'TP_ERR_SECRET_MASKED_VALUE',
        );
      }
      // Clearing the token while auth is token is refused; switching auth to none clears it.
      expectError(await patch(channel.id, { token: null }), 400, 'TP_ERR_VALIDATION', '/token');
      assert.equal(await plain(), TOKEN);
      const none = await patch(channel.id, { auth: 'none', token: null });
      assert.equal(none.statusCode, 200, none.body);
      assert.deepEqual(none.json().token, { set: false });
      expectError(await patch(channel.id, { auth: 'token' }), 400, 'TP_ERR_VALIDATION', '/token');
      expectError(
        await f.as('adminA', f.a, {
          method: 'PUT',
          url: `${base()}/channels/${channel.id}/credentials`,
          payload: { token: 'x-token-1' },
        }),
        409,
        'TP_ERR_CHANNEL_AUTH_NONE',
      );
      const back = await patch(channel.id, { auth: 'token', token: TOKEN });
      assert.deepEqual(back.json().token, { set: true });
      assert.equal(await plain(), TOKEN);
    });

    test('SEC-13 the two audited any-time actions: update credentials and rotate the signing key (409 on a second rotation unless force)', async () => {
      const channel = await made(webhookBody({ name: 'Rotation' }));
      expectError(await act(channel.id, 'rotate-signing-key', {}), 409, 'TP_ERR_CHANNEL_SIGNATURE_V2_OFF');
      const updated = await f.as('adminA', f.a, {
        method: 'PUT',
        url: `${base()}/channels/${channel.id}/credentials`,
        payload: { token: 'rotated-token-2b1e' },
      });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.equal(updated.json().status, 'enabled'); // allowed while enabled
      assert.ok(!updated.body.includes('rotated-token-2b1e'));

      await act(channel.id, 'disable');
      const v2 = (await patch(channel.id, { signature_v2: true })).json();
      const firstKey = v2.signature_v2.new_key as string;
      assert.match(firstKey, /^whsec_/);
      await act(channel.id, 'enable');
      const rotated = await act(channel.id, 'rotate-signing-key', {});
      assert.equal(rotated.statusCode, 200, rotated.body);
      const secondKey = rotated.json().signature_v2.new_key as string;
      assert.notEqual(secondKey, firstKey);
      const until = Date.parse(rotated.json().signature_v2.previous_key_expires_at);
      assert.ok(Math.abs(until - (Date.now() + 24 * 3600_000)) < 60_000, 'default overlap 24 h');
      const again = expectError(
        await act(channel.id, 'rotate-signing-key', {}),
        409,
        'TP_ERR_CHANNEL_ROTATION_IN_PROGRESS',
      );
      assert.equal(again.details.previous_key_expires_at, new Date(until).toISOString());
      const forced = await act(channel.id, 'rotate-signing-key', { force: true, overlap_hours: 2 });
      assert.equal(forced.statusCode, 200);
      assert.ok(Date.parse(forced.json().signature_v2.previous_key_expires_at) < until);
      const none = await act(channel.id, 'rotate-signing-key', { force: true, overlap_hours: 0 });
      assert.equal(none.json().signature_v2.previous_key_expires_at, null);
      assert.equal((await act(channel.id, 'rotate-signing-key')).statusCode, 200, 'no overlap left: no 409');
      const audit = (
        await f.as('adminA', f.a, { url: `${base()}/audit?action=secret.rotated&limit=200` })
      ).json().items as Json[];
      const mine = audit.filter((e) => e.target.id === channel.id);
      assert.equal(mine.length, 5);
      assert.ok(mine.some((e) => e.details.secret === 'token'));
      assert.ok(mine.some((e) => e.details.secret === 'signature_v2_key' && e.details.forced === true));
      for (const key of [firstKey, secondKey]) assert.ok(!JSON.stringify(audit).includes(key));
    });

    test('SEC-01 channel token and v2 key canaries are absent from the database files in clear, base64 and hex', async () => {
      const canary = 'canary-secret-token-0d5e3b';
      const created = await made(webhookBody({ name: 'Canary', token: canary, signature_v2: true }));
      const v2Key = created.signature_v2.new_key as string;
      const v2Bytes = Buffer.from(v2Key.slice('whsec_'.length), 'base64');
      const needles = [
        Buffer.from(canary),
        Buffer.from(Buffer.from(canary).toString('base64')),
        Buffer.from(Buffer.from(canary).toString('hex')),
        Buffer.from(v2Key),
        Buffer.from(v2Key.slice('whsec_'.length)),
        v2Bytes,
        Buffer.from(v2Bytes.toString('hex')),
      ];
      let haystack: Buffer;
      if (kind === 'sqlite') {
        const dir = f.t.db.dataDir;
        haystack = Buffer.concat(
          readdirSync(dir)
            .filter((n) => n.includes('.db'))
            .map((n) => readFileSync(join(dir, n))),
        );
        assert.ok(haystack.length > 0);
      } else {
        const client = new pg.Client({ connectionString: testPostgresUrl });
        await client.connect();
        try {
          const rows = await client.query(
            `SELECT row_to_json(c)::text AS t FROM ${f.t.db.schema}.channels c`,
          );
          const audit = await client.query(
            `SELECT row_to_json(a)::text AS t FROM ${f.t.db.schema}.audit_log a`,
          );
          haystack = Buffer.from([...rows.rows, ...audit.rows].map((r: { t: string }) => r.t).join('\n'));
          assert.ok(haystack.includes(created.id));
        } finally {
          await client.end();
        }
      }
      for (const needle of needles)
        assert.ok(!haystack.includes(needle), `found ${needle.toString('utf8').slice(0, 12)}…`);
    });
  });
}

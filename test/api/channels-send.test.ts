import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { handleReceiverRequest } from '../../packages/receiver-kit/src/index.ts';
import { signBody } from '../../src/channels/webhook/protocol/sign-body.ts';
import type { ProfileLookup } from '../../src/profiles/profile-lookup.ts';
import { startHttp, type Listener } from '../net/loopback.ts';
import { storeKinds } from '../support/stores.ts';
import { createTenancyFixture, type TenancyFixture } from '../support/tenancy-fixture.ts';
import { channelApp, stubResolver, webhookBody, type Json } from '../channels/channel-fixture.ts';

const TOKEN = 'channel-token-canary-7f3a9c';
const generous = {
  perMember: { limit: 1000, windowMs: 60_000 },
  perProject: { limit: 1000, windowMs: 60_000 },
};

type Mode = 'ok' | 'partial' | 'error500' | 'slow';

/** A receiver built with the receiver kit: it verifies the token (and v2 keys when given). */
async function kitReceiver(state: { mode: Mode; v2Keys?: string[] }): Promise<Listener> {
  return startHttp((req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    if (state.mode === 'error500') return void res.writeHead(500).end('oops');
    if (state.mode === 'slow') return void setTimeout(() => res.end('{"return_code":0}'), 200);
    handleReceiverRequest(body, req.headers, {
      secret: TOKEN,
      ...(state.v2Keys ? { v2Secrets: state.v2Keys } : {}),
      onBatch: (messages) => messages.map(() => (state.mode === 'partial' ? 'unknown player' : null)),
    }).then((answer) =>
      res.writeHead(answer.status, { ...answer.headers, connection: 'close' }).end(answer.body),
    );
  });
}

for (const kind of storeKinds) {
  describe(`channel test sends [${kind}]`, () => {
    let f: TenancyFixture;
    let h: Awaited<ReturnType<typeof channelApp>>;
    let receiver: Listener;
    const state: { mode: Mode; v2Keys?: string[] } = { mode: 'ok' };
    let clockOffset = 0;
    const resolver = stubResolver({
      'hooks.test': [['127.0.0.1'], ['169.254.169.254']],
      'options.test': [['127.0.0.1']],
    });
    const profiles: ProfileLookup = {
      async findByIdentity(scope, idType, value) {
        if (scope.projectId !== f.a.project.id) return undefined;
        if (idType === 'email' && value === 'zhang@example.com')
          return {
            tpUid: 'u-1',
            identities: [
              { type: 'email', value },
              { type: 'role_id', value: 'r-1001' },
            ],
            properties: { gameuid: '123acb123', nickname: 'Zhang San' },
          };
        if (idType === 'email' && value === 'no-role@example.com')
          return { tpUid: 'u-2', identities: [{ type: 'email', value }], properties: {} };
        return undefined;
      },
    };
    const base = () => `/api/v1/projects/${f.a.project.id}`;
    const url = () => `http://127.0.0.1:${receiver.port}/hook`;
    const made = async (overrides: Json): Promise<Json> => {
      const res = await h.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/channels`,
        payload: webhookBody(overrides),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    const testSend = (id: string, payload: Json, user: 'adminA' = 'adminA') =>
      h.as(user, f.a, { method: 'POST', url: `${base()}/channels/${id}/test-send`, payload });
    const hand = {
      properties: { role_id: 'r-1001', gameuid: '123acb123' },
      params: { title: 'Daily', content: 'Hello, Zhang San!' },
    };

    before(async () => {
      f = await createTenancyFixture(kind);
      receiver = await kitReceiver(state);
      h = await channelApp(f, {
        allowTargets: '127.0.0.1/32',
        resolver,
        testSendLimits: generous,
        profiles,
        now: () => Date.now() + clockOffset,
      });
    });
    after(async () => {
      await h.close();
      await receiver.close();
      await f.close();
    });

    test('test send by hand-typed properties: the signed request, the response, timing and verdict; the channel becomes tested', async () => {
      const channel = await made({ name: 'Hand typed', url: url() });
      state.mode = 'ok';
      const res = await testSend(channel.id, {
        ...hand,
        params: {
          ...hand.params,
          amount: '12.50',
          send_at: '2026-03-01 09:30:00',
          coupon: 'c20',
          attachment: [{ item_id: 'xx1', count: 5 }],
        },
      });
      assert.equal(res.statusCode, 200, res.body);
      const answer = res.json();
      assert.equal(answer.verdict.result, 'success', res.body);
      assert.equal(answer.verdict.status, 200);
      assert.equal(answer.response.status, 200);
      assert.deepEqual(JSON.parse(answer.response.body).return_code, 0);
      assert.equal(typeof answer.timing.total_ms, 'number');
      assert.equal(answer.channel.test_status, 'tested');
      // What the dialog shows is what the receiver got, signed.
      const seen = receiver.requests.at(-1)!;
      const json = gunzipSync(seen.body);
      assert.equal(json.toString('utf8'), answer.request.body);
      assert.equal(answer.request.headers['X-TE-OPS-Signature'], signBody(json, TOKEN));
      assert.equal(seen.headers['x-te-ops-signature'], signBody(json, TOKEN));
      assert.equal(answer.request.headers['Content-Encoding'], 'gzip');
      assert.equal(answer.request.body_bytes, seen.body.length);
      assert.ok(!res.body.includes(TOKEN));
      const [message] = JSON.parse(answer.request.body);
      assert.equal(message.push_id, 'r-1001');
      assert.deepEqual(message.params, {
        title: 'Daily',
        content: 'Hello, Zhang San!',
        amount: '12.5',
        send_at: '2026-03-01 09:30:00',
        coupon: 'c20',
        attachment: [{ item_id: 'xx1', count: '5' }],
      });
      // Custom params: the property, the default for an empty one (nickname), null without one.
      assert.deepEqual(message.custom_params, { gameuid: '123acb123', name: 'Player' });
      assert.equal(message['#ops_receipt_properties'].ops_project_id, f.a.project.id);
      assert.match(message['#ops_receipt_properties'].ops_request_id, /^[0-9a-f-]{36}$/);
      const read = (await h.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).json();
      assert.equal(read.test_status, 'tested');
      assert.ok(read.tested_at);
      // Editing what the endpoint sees makes it untested again.
      await h.as('adminA', f.a, { method: 'POST', url: `${base()}/channels/${channel.id}/disable` });
      const edited = await h.as('adminA', f.a, {
        method: 'PATCH',
        url: `${base()}/channels/${channel.id}`,
        payload: { url: `${url()}?v=2` },
      });
      assert.equal(edited.json().test_status, 'untested');
      // A disabled channel can still be tested from the channel list.
      assert.equal((await testSend(channel.id, hand)).json().verdict.result, 'success');
    });

    test('template values are validated against the fields with exact errors', async () => {
      const channel = await made({ name: 'Values', url: url() });
      const cases: [Json, string, string][] = [
        [{ content: 'x' }, '/params/title', 'required'],
        [{ title: '', content: 'x' }, '/params/title', 'required'],
        [{ title: 'x', content: 'x', subtitle: 'y' }, '/params/subtitle', 'unknown'],
        [{ title: 5, content: 'x' }, '/params/title', 'type'],
        [{ title: 'x', content: 'x', amount: 'twelve' }, '/params/amount', 'type'],
        [{ title: 'x', content: 'x', send_at: '2026-02-30 10:00:00' }, '/params/send_at', 'format'],
        [{ title: 'x', content: 'x', send_at: 'tomorrow' }, '/params/send_at', 'format'],
        [{ title: 'x', content: 'x', coupon: 'c99' }, '/params/coupon', 'enum'],
        [{ title: 'x', content: 'x', attachment: { item_id: 'a' } }, '/params/attachment', 'type'],
        [
          { title: 'x', content: 'x', attachment: [{ item_id: 'a' }] },
          '/params/attachment/0/count',
          'required',
        ],
        [
          { title: 'x', content: 'x', attachment: [{ item_id: 'a', count: 1, colour: 'red' }] },
          '/params/attachment/0/colour',
          'unknown',
        ],
        [
          { title: 'x', content: 'x', attachment: [{ item_id: 'a', count: 'many' }] },
          '/params/attachment/0/count',
          'type',
        ],
      ];
      const before = receiver.requests.length;
      for (const [params, path, rule] of cases) {
        const res = await testSend(channel.id, { properties: hand.properties, params });
        assert.equal(res.statusCode, 400, `${path}: ${res.body}`);
        const error = res.json().error;
        assert.equal(error.code, 'TP_ERR_VALIDATION');
        assert.ok(
          error.details.issues.some((i: Json) => i.path === path && i.rule === rule),
          `${path} ${rule}: ${res.body}`,
        );
      }
      for (const [payload, status, code] of [
        [{ properties: { gameuid: 'g' }, params: hand.params }, 422, 'TP_ERR_CHANNEL_TEST_NO_SEND_ID'],
        [{ params: hand.params }, 400, 'TP_ERR_VALIDATION'],
        [{ id_type: 'email', properties: hand.properties, params: hand.params }, 400, 'TP_ERR_VALIDATION'],
        [{ id_type: 'email', params: hand.params }, 400, 'TP_ERR_VALIDATION'],
      ] as const) {
        const res = await testSend(channel.id, payload);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().error.code, code);
      }
      assert.equal(receiver.requests.length, before, 'nothing was sent');
      assert.equal(
        (await h.as('adminA', f.a, { url: `${base()}/channels/${channel.id}` })).json().test_status,
        'untested',
      );
    });

    test('test send by ID type and test id looks the user up in profiles', async () => {
      const channel = await made({ name: 'By id', url: url() });
      state.mode = 'ok';
      const res = await testSend(channel.id, {
        id_type: 'email',
        test_id: 'zhang@example.com',
        params: hand.params,
      });
      assert.equal(res.statusCode, 200, res.body);
      const [message] = JSON.parse(res.json().request.body);
      assert.equal(message.push_id, 'r-1001');
      assert.deepEqual(message.custom_params, { gameuid: '123acb123', name: 'Zhang San' });
      const bySendId = await testSend(channel.id, {
        id_type: 'role_id',
        test_id: 'r-1001',
        params: hand.params,
      });
      assert.equal(bySendId.json().error.code, 'TP_ERR_CHANNEL_TEST_PROFILE_NOT_FOUND');
      const missing = await testSend(channel.id, {
        id_type: 'email',
        test_id: 'nobody@example.com',
        params: hand.params,
      });
      assert.equal(missing.statusCode, 422);
      assert.equal(missing.json().error.code, 'TP_ERR_CHANNEL_TEST_PROFILE_NOT_FOUND');
      const noRole = await testSend(channel.id, {
        id_type: 'email',
        test_id: 'no-role@example.com',
        params: hand.params,
      });
      assert.equal(noRole.json().error.code, 'TP_ERR_CHANNEL_TEST_NO_SEND_ID');
      // A server without a profile lookup answers 501 for by-ID.
      const bare = await channelApp(f, { allowTargets: '127.0.0.1/32', testSendLimits: generous });
      try {
        const byId = await bare.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/channels/${channel.id}/test-send`,
          payload: { id_type: 'email', test_id: 'zhang@example.com', params: hand.params },
        });
        assert.equal(byId.statusCode, 501);
        assert.equal(byId.json().error.code, 'TP_ERR_CHANNEL_TEST_BY_ID_UNAVAILABLE');
      } finally {
        await bare.close();
      }
    });

    test('test send by ID through the real profiles module: a user identified by ingest is found by e-mail', async () => {
      const app = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/apps`,
          payload: { name: 'Game', app_type: 'app' },
        })
      ).json();
      const source = (
        await f.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/sources`,
          payload: { name: 'Game server', app_id: app.id, platforms: [{ platform: 'android' }] },
        })
      ).json();
      const ingest = await f.t.app.inject({
        method: 'POST',
        url: '/v1/batch',
        headers: {
          authorization: `Basic ${Buffer.from(`${source.credentials.app_key}:`).toString('base64')}`,
        },
        payload: {
          batch: [
            {
              type: 'identify',
              userId: 'u-77',
              messageId: 'm-77',
              traits: { email: 'li@example.com', nickname: 'Li Si' },
            },
          ],
        },
      });
      assert.equal(ingest.statusCode, 200, ingest.body);
      await f.t.deps.profiles.applier.applyPending({ settleMs: 0 });
      const real = await channelApp(f, {
        allowTargets: '127.0.0.1/32',
        testSendLimits: generous,
        profiles: f.t.deps.profiles,
      });
      try {
        const created = await real.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/channels`,
          payload: webhookBody({ name: 'By profile', url: url(), send_id_type: 'user_id' }),
        });
        state.mode = 'ok';
        const res = await real.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/channels/${created.json().id}/test-send`,
          payload: { id_type: 'email', test_id: 'li@example.com', params: hand.params },
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().verdict.result, 'success');
        const [message] = JSON.parse(res.json().request.body);
        assert.equal(message.push_id, 'u-77');
        assert.equal(message.custom_params.name, 'Li Si');
      } finally {
        await real.close();
      }
    });

    test('verdicts: a partial failure, a 500 and an unawaited answer (timeout -1)', async () => {
      const channel = await made({ name: 'Verdicts', url: url() });
      state.mode = 'partial';
      const partial = (await testSend(channel.id, hand)).json();
      assert.equal(partial.verdict.result, 'partial');
      assert.deepEqual(partial.verdict.message_outcome, {
        state: 'failed',
        receiver_message: 'unknown player',
      });
      assert.equal(partial.channel.test_status, 'untested');
      state.mode = 'error500';
      const failed = (await testSend(channel.id, hand)).json();
      assert.equal(failed.verdict.result, 'failure');
      assert.equal(failed.verdict.reason, 'http_5xx');
      assert.equal(failed.response.status, 500);
      assert.equal(failed.response.body, 'oops');
      assert.equal(failed.channel.test_status, 'untested');
      state.mode = 'slow';
      const fireAndForget = await made({ name: 'No wait', url: url(), timeout_s: -1 });
      const sent = (await testSend(fireAndForget.id, hand)).json();
      assert.equal(sent.verdict.result, 'sent');
      assert.equal(sent.response, null);
      assert.equal(sent.channel.test_status, 'tested');
      state.mode = 'ok';
    });

    test('SSRF-07 a URL valid at save is blocked at send after a DNS rebind; nothing reaches the target', async () => {
      const rebinding = await made({ name: 'Rebind', url: `http://hooks.test:${receiver.port}/hook` });
      state.mode = 'ok';
      const first = (await testSend(rebinding.id, hand)).json();
      assert.equal(first.verdict.result, 'success', JSON.stringify(first));
      const seen = receiver.requests.length;
      const second = (await testSend(rebinding.id, hand)).json();
      assert.equal(second.verdict.result, 'failure');
      assert.equal(second.verdict.reason, 'invalid_target');
      assert.equal(second.verdict.detail, 'The target address is not allowed.');
      assert.ok(!JSON.stringify(second).includes('169.254'), 'no internal detail for customers (SSRF-14)');
      assert.equal(second.response, null);
      assert.equal(receiver.requests.length, seen);
    });

    test('enum options URL CONTRACT: signed GET, cached 10 minutes, last good list marked stale, values checked at render', async () => {
      let answer: { status: number; body: string } = {
        status: 200,
        body: JSON.stringify([
          { code: 'gold', name: 'Gold pack' },
          { code: 'silver', name: 'Silver pack' },
        ]),
      };
      const options = await startHttp((_req, res) =>
        res.writeHead(answer.status, { connection: 'close' }).end(answer.body),
      );
      try {
        const optionsUrl = `http://options.test:${options.port}/packs`;
        const channel = await made({
          name: 'Enum URL',
          url: url(),
          template: [
            { key: 'title', label: 'Title', type: 'text' },
            { key: 'pack', label: 'Pack', type: 'enum', options_url: optionsUrl },
          ],
        });
        const list = () =>
          h.as('adminA', f.a, { url: `${base()}/channels/${channel.id}/fields/pack/options` });
        const first = (await list()).json();
        assert.deepEqual(
          first.options.map((o: Json) => o.code),
          ['gold', 'silver'],
        );
        assert.equal(first.stale, false);
        assert.equal(first.warning, null);
        const get = options.requests[0]!;
        assert.equal(get.method, 'GET');
        assert.equal(get.headers['x-te-ops-signature'], signBody(Buffer.alloc(0), TOKEN));
        // Cached: no second fetch within 10 minutes; render checks codes against the list.
        answer = { status: 200, body: JSON.stringify([{ code: 'bronze', name: 'Bronze' }]) };
        await list();
        assert.equal(options.requests.length, 1);
        const bad = await testSend(channel.id, {
          properties: hand.properties,
          params: { title: 't', pack: 'bronze' },
        });
        assert.equal(bad.json().error.details.issues[0].path, '/params/pack');
        const good = await testSend(channel.id, {
          properties: hand.properties,
          params: { title: 't', pack: 'gold' },
        });
        assert.equal(good.json().verdict.result, 'success');
        assert.equal(options.requests.length, 1);
        // After 10 minutes it is fetched again; when that fails, the last good list is stale.
        clockOffset += 10 * 60 * 1000 + 1;
        assert.deepEqual(
          (await list()).json().options.map((o: Json) => o.code),
          ['bronze'],
        );
        assert.equal(options.requests.length, 2);
        clockOffset += 10 * 60 * 1000 + 1;
        answer = { status: 500, body: 'down' };
        const stale = (await list()).json();
        assert.equal(stale.stale, true);
        assert.deepEqual(
          stale.options.map((o: Json) => o.code),
          ['bronze'],
        );
        assert.match(stale.error, /HTTP 500/);
        // Contract breaches: not an array, over 1,000 options; over 100 warns.
        const preview = (body: string) => {
          answer = { status: 200, body };
          return h.as('adminA', f.a, {
            method: 'POST',
            url: `${base()}/channel-enum-options/preview`,
            payload: { url: optionsUrl },
          });
        };
        const many = (n: number) =>
          JSON.stringify(Array.from({ length: n }, (_, i) => ({ code: `c${i}`, name: `n${i}` })));
        assert.match((await preview(many(101))).json().warning, /101 options/);
        for (const body of [many(1001), '{"code":"a"}', '[{"code":1,"name":"x"}]', 'not json']) {
          const res = await preview(body);
          assert.equal(res.statusCode, 502, body.slice(0, 20));
          assert.equal(res.json().error.code, 'TP_ERR_CHANNEL_ENUM_OPTIONS_UNAVAILABLE');
        }
        const blocked = await h.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/channel-enum-options/preview`,
          payload: { url: 'http://10.0.0.1/options' },
        });
        assert.equal(blocked.json().error.code, 'TP_ERR_TARGET_INVALID');
      } finally {
        clockOffset = 0;
        await options.close();
      }
    });

    test('enum options need reach.webhook.manage or use, and fetching the URL is rate-limited per member like previews', async () => {
      const options = await startHttp((_req, res) =>
        res.writeHead(200, { connection: 'close' }).end('[{"code":"gold","name":"Gold"}]'),
      );
      const limited = await channelApp(f, {
        allowTargets: '127.0.0.1/32',
        resolver,
        testSendLimits: {
          perMember: { limit: 1, windowMs: 60_000 },
          perProject: { limit: 100, windowMs: 60_000 },
        },
      });
      try {
        const optionsUrl = `http://options.test:${options.port}/p`;
        const channel = await made({
          name: 'Enum limits',
          url: url(),
          template: [
            { key: 'pack', label: 'Pack', type: 'enum', options_url: optionsUrl },
            { key: 'gift', label: 'Gift', type: 'enum', options_url: `${optionsUrl}?gift` },
          ],
        });
        const list = (user: 'viewerA' | 'adminA', field: string) =>
          limited.as(user, f.a, { url: `${base()}/channels/${channel.id}/fields/${field}/options` });
        const refused = await list('viewerA', 'pack');
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(refused.json().error.code, 'TP_ERR_FORBIDDEN');
        assert.equal(options.requests.length, 0, 'a refused caller makes no outbound request');
        // Cached answers are free; each fetch of a URL counts against the member's budget.
        assert.equal((await list('adminA', 'pack')).statusCode, 200);
        assert.equal((await list('adminA', 'pack')).statusCode, 200);
        assert.equal(options.requests.length, 1);
        const limitedAnswer = await list('adminA', 'gift');
        assert.equal(limitedAnswer.statusCode, 429, limitedAnswer.body);
        assert.equal(limitedAnswer.json().error.code, 'TP_ERR_RATE_LIMITED');
        assert.equal(options.requests.length, 1, 'nothing left once the budget was spent');
      } finally {
        await limited.close();
        await options.close();
      }
    });

    test('test send renders ${name} variables of SPEC §4.1 in dynamic_text, with the default when the profile lacks the property', async () => {
      const channel = await made({
        name: 'Variables',
        url: url(),
        template: [
          { key: 'title', label: 'Title', type: 'text' },
          { key: 'content', label: 'Content', type: 'dynamic_text' },
        ],
      });
      const variables = [
        { name: 'name', source: 'user.nickname', default: 'Player' },
        { name: 'game', source: 'user.gameuid' },
      ];
      const params = { title: 'Hi ${name}', content: 'Hello ${name} (${game}), ${unknown_literal' };
      const byId = await testSend(channel.id, {
        id_type: 'email',
        test_id: 'zhang@example.com',
        params,
        variables,
      });
      assert.equal(byId.statusCode, 200, byId.body);
      const sent = JSON.parse(byId.json().request.body) as [Json];
      // Only dynamic_text renders variables; text fields are sent as written.
      assert.equal(sent[0].params.title, 'Hi ${name}');
      assert.equal(sent[0].params.content, 'Hello Zhang San (123acb123), ${unknown_literal');
      const atReceiver = JSON.parse(gunzipSync(receiver.requests.at(-1)!.body).toString('utf8')) as [Json];
      assert.equal(atReceiver[0].params.content, 'Hello Zhang San (123acb123), ${unknown_literal');
      const fallback = await testSend(channel.id, {
        properties: { role_id: 'r-2002' },
        params,
        variables,
      });
      assert.equal(fallback.statusCode, 200, fallback.body);
      assert.equal(
        JSON.parse(fallback.json().request.body)[0].params.content,
        'Hello Player (), ${unknown_literal',
      );
      // An undeclared ${x} and an event source outside an event flow are coded validation errors.
      const undeclared = await testSend(channel.id, {
        properties: hand.properties,
        params: { title: 't', content: 'Hi ${who}' },
      });
      assert.equal(undeclared.statusCode, 400);
      assert.equal(undeclared.json().error.code, 'TP_ERR_VALIDATION');
      assert.deepEqual(
        undeclared.json().error.details.issues.map((i: Json) => [i.path, i.rule]),
        [['/params/content', 'unknown_variable']],
      );
      const eventSource = await testSend(channel.id, {
        properties: hand.properties,
        params: { title: 't', content: 'Hi ${who}' },
        variables: [{ name: 'who', source: 'event.name' }],
      });
      assert.equal(eventSource.statusCode, 400);
      assert.equal(eventSource.json().error.details.issues[0].rule, 'event_source');
    });

    test('SSRF-07 an enum options URL that rebinds after save is refused at fetch; the listener sees nothing', async () => {
      const options = await startHttp((_req, res) => res.end('[{"code":"a","name":"A"}]'));
      const rebind = stubResolver({ 'opts.test': [['169.254.169.254']] });
      const other = await channelApp(f, {
        allowTargets: '127.0.0.1/32',
        resolver: rebind,
        testSendLimits: generous,
      });
      try {
        const created = await other.as('adminA', f.a, {
          method: 'POST',
          url: `${base()}/channels`,
          payload: webhookBody({
            name: 'Opts rebind',
            template: [
              { key: 'pack', label: 'Pack', type: 'enum', options_url: `http://opts.test:${options.port}/` },
            ],
          }),
        });
        assert.equal(created.statusCode, 201, created.body);
        const res = await other.as('adminA', f.a, {
          url: `${base()}/channels/${created.json().id}/fields/pack/options`,
        });
        assert.equal(res.statusCode, 502);
        assert.equal(res.json().error.code, 'TP_ERR_CHANNEL_ENUM_OPTIONS_UNAVAILABLE');
        assert.equal(res.json().error.details.reason, 'The target address is not allowed.');
        assert.equal(options.connections(), 0);
      } finally {
        await other.close();
        await options.close();
      }
    });

    test('SSRF-17 hammering test sends at internal targets: all blocked, then rate-limited per member and per project', async () => {
      const internal = await startHttp((_req, res) => res.end('{"return_code":0}'));
      const names: Record<string, string[][]> = {};
      for (let i = 0; i < 8; i += 1)
        names[`internal${i}.test`] = [[['127.0.0.1', '10.0.0.5', '169.254.169.254', '192.168.1.1'][i % 4]!]];
      const limited = await channelApp(f, {
        resolver: stubResolver(names),
        testSendLimits: {
          perMember: { limit: 4, windowMs: 60_000 },
          perProject: { limit: 6, windowMs: 60_000 },
        },
      });
      try {
        const ids: string[] = [];
        for (let i = 0; i < 8; i += 1) {
          const res = await limited.as('adminA', f.a, {
            method: 'POST',
            url: `${base()}/channels`,
            payload: webhookBody({
              name: `Internal ${i}`,
              url: `http://internal${i}.test:${internal.port}/`,
            }),
          });
          assert.equal(res.statusCode, 201, res.body);
          ids.push(res.json().id);
        }
        const send = (user: 'adminA' | 'wsAdminA', id: string) =>
          user === 'adminA'
            ? limited.as(user, f.a, {
                method: 'POST',
                url: `${base()}/channels/${id}/test-send`,
                payload: hand,
              })
            : limited.as(user, f.a, {
                method: 'POST',
                url: `${base()}/workspaces/${f.a.workspaces[0].id}/channels/${id}/test-send`,
                payload: hand,
              });
        for (let i = 0; i < 4; i += 1) {
          const res = await send('adminA', ids[i]!);
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(res.json().verdict.reason, 'invalid_target');
        }
        const member = await send('adminA', ids[4]!);
        assert.equal(member.statusCode, 429);
        assert.equal(member.json().error.code, 'TP_ERR_RATE_LIMITED');
        assert.equal(member.json().error.details.scope, 'member');
        assert.ok(Number(member.headers['retry-after']) >= 1);
        // Another member of the same project has its own budget, until the project's runs out.
        for (const id of ids.slice(4))
          await f.as('adminA', f.a, {
            method: 'PUT',
            url: `${base()}/channels/${id}/workspaces/${f.a.workspaces[0].id}`,
          });
        for (let i = 4; i < 6; i += 1)
          assert.equal((await send('wsAdminA', ids[i]!)).json().verdict.reason, 'invalid_target');
        const project = await send('wsAdminA', ids[6]!);
        assert.equal(project.statusCode, 429);
        assert.equal(project.json().error.details.scope, 'project');
        assert.equal(internal.connections(), 0, 'no internal target was ever reached');
      } finally {
        await limited.close();
        await internal.close();
      }
    });

    test('signature v2: both keys sign during the overlap and standardwebhooks verifies either; after it only the new one', async () => {
      const created = await made({ name: 'V2 overlap', url: url(), signature_v2: true, compression: false });
      const oldKey = created.signature_v2.new_key as string;
      state.v2Keys = [oldKey];
      state.mode = 'ok';
      assert.equal((await testSend(created.id, hand)).json().verdict.result, 'success');
      const rotated = await h.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/channels/${created.id}/rotate-signing-key`,
        payload: {},
      });
      const newKey = rotated.json().signature_v2.new_key as string;
      const during = (await testSend(created.id, hand)).json();
      assert.equal(during.verdict.result, 'success', 'a receiver still on the old key verifies');
      const headers = during.request.headers as Record<string, string>;
      assert.equal(headers['webhook-signature']!.split(' ').length, 2);
      for (const key of [oldKey, newKey]) assert.ok(new Webhook(key).verify(during.request.body, headers));
      const second = await h.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/channels/${created.id}/rotate-signing-key`,
        payload: {},
      });
      assert.equal(second.statusCode, 409);
      assert.equal(second.json().error.code, 'TP_ERR_CHANNEL_ROTATION_IN_PROGRESS');
      // The overlap ends (its end moved into the past rather than the clock forward, so that the
      // webhook-timestamp stays within the receiver's tolerance).
      const scope = { kind: 'project' as const, projectId: f.a.project.id };
      await f.t.deps.store.channels.update(scope, created.id, {
        secrets: { v2PreviousUntil: Date.now() - 1 },
      });
      const afterOverlap = (await testSend(created.id, hand)).json();
      assert.equal(afterOverlap.verdict.result, 'failure', 'the receiver on the old key now refuses (401)');
      assert.equal(afterOverlap.response.status, 401);
      const only = afterOverlap.request.headers as Record<string, string>;
      assert.equal(only['webhook-signature']!.split(' ').length, 1);
      assert.ok(new Webhook(newKey).verify(afterOverlap.request.body, only));
      assert.throws(() => new Webhook(oldKey).verify(afterOverlap.request.body, only));
      delete state.v2Keys;
    });

    test('SEC-05 a tampered token fails the test send visibly (secret_unreadable), nothing is sent; SEC-06 a token copied from another project does not decrypt', async () => {
      const a = await made({ name: 'Tampered', url: url() });
      const scopeA = { kind: 'project' as const, projectId: f.a.project.id };
      const row = (await f.t.deps.store.channels.get(scopeA, a.id))!;
      // Flip one bit of the GCM tag (the last part of the stored form).
      const parts = row.secrets.token!.split('.');
      const tag = Buffer.from(parts.at(-1)!, 'base64url');
      tag[0] = tag[0]! ^ 1;
      const flipped = [...parts.slice(0, -1), tag.toString('base64url')].join('.');
      assert.notEqual(flipped, row.secrets.token);
      await f.t.deps.store.channels.update(scopeA, a.id, { secrets: { token: flipped } });
      const before = receiver.requests.length;
      const res = (await testSend(a.id, hand)).json();
      assert.equal(res.verdict.result, 'failure');
      assert.equal(res.verdict.reason, 'secret_unreadable');
      assert.equal(res.request, null);
      assert.equal(receiver.requests.length, before);
      assert.equal(
        (await h.as('adminA', f.a, { url: `${base()}/channels/${a.id}` })).statusCode,
        200,
        'reading still works',
      );

      // B's channel with A's (intact) ciphertext: the AAD binds it to A's row and project.
      const intact = await made({ name: 'Intact', url: url() });
      const intactRow = (await f.t.deps.store.channels.get(scopeA, intact.id))!;
      const b = await h.as('adminB', f.b, {
        method: 'POST',
        url: `/api/v1/projects/${f.b.project.id}/channels`,
        payload: webhookBody({ name: 'B channel', url: url(), token: 'b-token-value' }),
      });
      assert.equal(b.statusCode, 201, b.body);
      const scopeB = { kind: 'project' as const, projectId: f.b.project.id };
      await f.t.deps.store.channels.update(scopeB, b.json().id, {
        secrets: { token: intactRow.secrets.token },
      });
      const copied = await h.as('adminB', f.b, {
        method: 'POST',
        url: `/api/v1/projects/${f.b.project.id}/channels/${b.json().id}/test-send`,
        payload: hand,
      });
      assert.equal(copied.json().verdict.reason, 'secret_unreadable');
      assert.equal(receiver.requests.length, before);
    });

    test('MT-12 the picker and the workspace-scoped test send: not authorized → 403, no grant → 403, grant → allowed, revoked → 403', async () => {
      const channel = await made({ name: 'Picker', url: url() });
      const [w1, w2] = f.a.workspaces;
      const pick = (user: 'operatorA' | 'wsAdminA' | 'viewerA', w = w1.id) =>
        h.as(user, f.a, { url: `${base()}/workspaces/${w}/channels` });
      const send = (user: 'operatorA' | 'wsAdminA', w = w1.id) =>
        h.as(user, f.a, {
          method: 'POST',
          url: `${base()}/workspaces/${w}/channels/${channel.id}/test-send`,
          payload: hand,
        });
      const picked = async (user: 'operatorA' | 'wsAdminA') =>
        ((await pick(user)).json().items as Json[]).map((c) => c.id).includes(channel.id);
      state.mode = 'ok';

      assert.equal(await picked('wsAdminA'), false);
      let res = await send('wsAdminA');
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'TP_ERR_CHANNEL_NOT_AUTHORIZED');
      await h.as('adminA', f.a, {
        method: 'PUT',
        url: `${base()}/channels/${channel.id}/workspaces/${w1.id}`,
      });
      assert.equal(await picked('wsAdminA'), true);
      res = await send('wsAdminA');
      assert.equal(res.json().verdict.result, 'success', res.body);

      // The operator needs a usage grant as well.
      assert.equal(await picked('operatorA'), false);
      res = await send('operatorA');
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'TP_ERR_CHANNEL_NO_USAGE_GRANT');
      const grant = `${base()}/channels/${channel.id}/grants/${f.accounts.operatorA.id}`;
      await h.as('adminA', f.a, { method: 'PUT', url: grant });
      assert.equal(await picked('operatorA'), true);
      res = await send('operatorA');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().verdict.result, 'success');
      await h.as('adminA', f.a, { method: 'DELETE', url: grant });
      assert.equal(await picked('operatorA'), false);
      assert.equal((await send('operatorA')).json().error.code, 'TP_ERR_CHANNEL_NO_USAGE_GRANT');

      // Another workspace of the project: not the operator's (404); not authorized for the admin (403).
      assert.equal((await send('operatorA', w2.id)).statusCode, 404);
      await h.as('adminA', f.a, { method: 'PUT', url: grant });
      const adminOther = await h.as('adminA', f.a, {
        method: 'POST',
        url: `${base()}/workspaces/${w2.id}/channels/${channel.id}/test-send`,
        payload: hand,
      });
      assert.equal(adminOther.json().error.code, 'TP_ERR_CHANNEL_NOT_AUTHORIZED');
      // Viewers cannot use channels at all; a disabled channel leaves the picker and is refused.
      assert.equal((await pick('viewerA')).statusCode, 403);
      await h.as('adminA', f.a, { method: 'POST', url: `${base()}/channels/${channel.id}/disable` });
      assert.equal(await picked('operatorA'), false);
      res = await send('operatorA');
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().error.code, 'TP_ERR_CHANNEL_DISABLED');
    });
  });
}

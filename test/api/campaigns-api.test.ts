// Issue 19 acceptance, API part: every state transition and approval rule, validation with coded
// errors, rendering through the shared renderer (variables with defaults, one message per send-ID
// value), pause / resume / stop on the run's messages, the channel and audience in-use checks,
// cron runs firing once across two schedulers and once after downtime, tenant isolation — on
// both databases. The scheduler is the real CampaignRunner, driven pass by pass.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectScope } from '../../src/access/scope.ts';
import { CampaignRunner } from '../../src/campaigns/campaign-runner.ts';
import { SendGate } from '../../src/campaigns/consent-service.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { webhookBody } from '../channels/channel-fixture.ts';
import { seedProfiles } from '../audiences/seed.ts';
import { storeKinds } from '../support/stores.ts';
import { createTenancyFixture, type TenancyFixture, type UserKey } from '../support/tenancy-fixture.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const group = (combinator: 'and' | 'or', ...conditions: Json[]) => ({
  type: 'group',
  combinator,
  conditions,
});
const vip = { type: 'property', property: 'vip', operator: 'is_true' };

for (const kind of storeKinds) {
  describe(`campaigns API [${kind}]`, () => {
    let f: TenancyFixture;
    let ws: string;
    let ws2: string;
    let channelId: string;
    let audienceId: string;
    const project = () => `/api/v1/projects/${f.a.project.id}`;
    const base = (w = ws) => `${project()}/workspaces/${w}/campaigns`;
    const errorOf = (res: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(res.statusCode, status, res.body);
      const error = (JSON.parse(res.body) as { error: { code: string; message: string; details: Json } })
        .error;
      assert.equal(error.code, code, res.body);
      return error;
    };
    const call = (user: UserKey, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json) =>
      f.as(user, f.a, { method, url, ...(payload ? { payload } : {}) });
    const ok = async (
      user: UserKey,
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: Json,
    ) => {
      const res = await call(user, method, url, payload);
      assert.ok(
        res.statusCode >= 200 && res.statusCode < 300,
        `${method} ${url}: ${res.statusCode} ${res.body}`,
      );
      return res.statusCode === 204 ? {} : (res.json() as Json);
    };
    const content = {
      channel_id: '',
      template_values: { title: 'Hello', content: 'Hi ${name}, your level is ${level}', coupon: 'c10' },
      variables: [
        { name: 'name', source: 'user.nickname', default: 'Player' },
        { name: 'level', source: 'user.level' },
      ],
    };
    const draft = async (name: string, extra: Json = {}, user: UserKey = 'adminA') =>
      ok(user, 'POST', base(), {
        name,
        audience_id: audienceId,
        ...content,
        channel_id: channelId,
        ...extra,
      });
    const act = (user: UserKey, id: string, action: string, payload?: Json) =>
      call(user, 'POST', `${base()}/${id}/${action}`, payload);
    const runner = () =>
      new CampaignRunner({
        store: f.t.deps.store,
        audit: f.t.deps.audit,
        channels: f.t.deps.channels,
        audiences: f.t.deps.audiences,
        gate: new SendGate(f.t.deps.store),
        logger: createLogger('silent'),
        options: { leaseMs: 60_000, pollMs: 1000, cron: { seconds: true } },
      });
    /** One scheduler pass to the end of rendering. */
    const pass = async (r = runner()) => {
      await r.fireDue();
      while (await r.renderNext(new AbortController().signal));
      await r.completeRuns();
    };

    before(async () => {
      f = await createTenancyFixture(kind, { env: { TOUCHPOINT_CAMPAIGN_CRON_SECONDS: 'true' } });
      ws = f.a.workspaces[0].id;
      ws2 = f.a.workspaces[1].id;
      await seedProfiles(f.t.deps.store, projectScope(f.a.project.id), [
        {
          tpUid: 'u1',
          properties: { vip: true, nickname: 'Zhang San', level: 7 },
          identities: [{ type: 'role_id', value: 'r1' }],
        },
        // Two send-ID values: two messages. No nickname: the default; no level: empty text.
        {
          tpUid: 'u2',
          properties: { vip: true },
          identities: [
            { type: 'role_id', value: 'r2a' },
            { type: 'role_id', value: 'r2b' },
          ],
        },
        { tpUid: 'u3', properties: { vip: true, nickname: 'No send ID' } },
        { tpUid: 'u4', properties: { vip: false }, identities: [{ type: 'role_id', value: 'r4' }] },
      ]);
      const channel = await ok('adminA', 'POST', `${project()}/channels`, webhookBody({ name: 'Game mail' }));
      channelId = channel.id;
      await ok('adminA', 'PUT' as 'POST', `${project()}/channels/${channelId}/workspaces/${ws}`);
      await ok(
        'adminA',
        'PUT' as 'POST',
        `${project()}/channels/${channelId}/grants/${f.accounts.operatorA.id}`,
      );
      const audience = await ok('adminA', 'POST', `${project()}/workspaces/${ws}/audiences`, {
        name: 'VIPs',
        conditions: group('and', vip),
      });
      audienceId = audience.id;
    });
    after(() => f.close());

    test('CMP-01: a draft may be incomplete; what it holds is checked with coded errors naming the field', async () => {
      const bare = await ok('operatorA', 'POST', base(), { name: 'Bare draft' });
      assert.equal(bare.state, 'draft');
      assert.deepEqual(bare.trigger, { type: 'now' });
      assert.deepEqual(bare.allowed_actions, ['submit']);
      // Submitting needs an audience and a channel.
      const incomplete = errorOf(await act('operatorA', bare.id, 'submit'), 400, 'TP_ERR_VALIDATION');
      assert.deepEqual(
        incomplete.details.issues.map((i: Json) => i.path),
        ['/audience_id', '/channel_id'],
      );
      const bad = errorOf(
        await call('operatorA', 'POST', base(), {
          name: 'Bad',
          audience_id: 'aud_missing',
          channel_id: channelId,
          template_values: { title: 5, coupon: 'c99', content: 'Hi ${nobody}' },
          trigger: { type: 'cron', cron: '61 * * * *' },
        }),
        400,
        'TP_ERR_VALIDATION',
      );
      assert.match(bad.message, /trigger\/cron/);
      const cron = errorOf(
        await call('operatorA', 'POST', base(), {
          name: 'Bad cron',
          trigger: { type: 'cron', cron: '61 * * * *' },
        }),
        400,
        'TP_ERR_VALIDATION',
      );
      assert.equal(cron.details.issues[0].path, '/trigger/cron');
      const fields = errorOf(
        await call('operatorA', 'POST', base(), {
          name: 'Bad values',
          audience_id: 'aud_missing',
          channel_id: channelId,
          template_values: { title: 5, coupon: 'c99', content: 'Hi ${nobody}' },
        }),
        400,
        'TP_ERR_VALIDATION',
      );
      assert.deepEqual(
        fields.details.issues.map((i: Json) => `${i.path} ${i.rule}`).sort(),
        [
          '/audience_id not_found',
          '/template_values/content unknown_variable',
          '/template_values/coupon enum',
          '/template_values/title type',
        ].sort(),
      );
      errorOf(
        await call('operatorA', 'POST', base(), { name: 'bare DRAFT' }),
        409,
        'TP_ERR_CAMPAIGN_NAME_TAKEN',
      );
      // A viewer reads but does not edit; a channel of another workspace is not authorized here.
      errorOf(await call('viewerA', 'POST', base(), { name: 'Viewer' }), 403, 'TP_ERR_FORBIDDEN');
      errorOf(
        await call('adminA', 'POST', base(ws2), { name: 'Elsewhere', channel_id: channelId }),
        403,
        'TP_ERR_CHANNEL_NOT_AUTHORIZED',
      );
      const edited = await ok('operatorA', 'PATCH', `${base()}/${bare.id}`, {
        trigger: { type: 'at', at: '2030-01-01T09:00:00+08:00' },
      });
      assert.deepEqual(edited.trigger, { type: 'at', at: '2030-01-01T01:00:00.000Z' });
      await ok('operatorA', 'DELETE', `${base()}/${bare.id}`);
    });

    test('CMP-02: without approval a campaign goes draft → pending_publish → scheduled → running → completed', async () => {
      const c = await draft('Welcome');
      const submitted = await ok('operatorA', 'POST', `${base()}/${c.id}/submit`);
      assert.equal(submitted.state, 'pending_publish');
      assert.deepEqual(submitted.allowed_actions, ['publish']);
      const wrong = errorOf(await act('adminA', c.id, 'approve'), 409, 'TP_ERR_CAMPAIGN_STATE');
      assert.deepEqual(wrong.details, { state: 'pending_publish', action: 'approve', allowed: ['publish'] });
      assert.match(wrong.message, /Allowed now: publish/);
      errorOf(
        await call('operatorA', 'PATCH', `${base()}/${c.id}`, { name: 'x' }),
        409,
        'TP_ERR_CAMPAIGN_STATE',
      );
      errorOf(await call('operatorA', 'DELETE', `${base()}/${c.id}`), 409, 'TP_ERR_CAMPAIGN_STATE');
      errorOf(await act('viewerA', c.id, 'publish'), 403, 'TP_ERR_FORBIDDEN');
      const published = await ok('operatorA', 'POST', `${base()}/${c.id}/publish`);
      assert.equal(published.state, 'scheduled');
      assert.ok(Date.parse(published.next_run_at) <= Date.now());

      await pass();
      const running = await ok('viewerA', 'GET', `${base()}/${c.id}`);
      assert.equal(running.state, 'running');
      assert.equal(running.next_run_at, null);
      const runs = await ok('viewerA', 'GET', `${base()}/${c.id}/runs`);
      assert.equal(runs.items.length, 1);
      const run = runs.items[0];
      assert.equal(run.state, 'delivering');
      assert.deepEqual(
        [run.audience_size, run.reachable, run.processed, run.queued, run.skipped],
        [3, 2, 2, 3, 0],
        JSON.stringify(run),
      );
      assert.equal(run.counts.queued, 3);

      // Exactly the expected messages, rendered by the shared renderer.
      const scope = projectScope(f.a.project.id);
      const messages = await f.t.deps.store.delivery.list(scope, { campaignId: c.id }, { limit: 10 });
      const rendered = messages
        .map((m) => `${m.pushId}|${String(m.params.title)}|${String(m.params.content)}|${m.taskInstanceId}`)
        .sort();
      assert.deepEqual(rendered, [
        `r1|Hello|Hi Zhang San, your level is 7|${run.id}`,
        `r2a|Hello|Hi Player, your level is |${run.id}`,
        `r2b|Hello|Hi Player, your level is |${run.id}`,
      ]);

      // The channel in use cannot be disabled; the audience in use cannot be deleted.
      const inUse = errorOf(
        await call('adminA', 'POST', `${project()}/channels/${channelId}/disable`),
        409,
        'TP_ERR_CHANNEL_IN_USE',
      );
      assert.ok(inUse.details.campaigns.some((x: Json) => x.id === c.id && x.state === 'running'));
      const audienceInUse = errorOf(
        await call('adminA', 'DELETE', `${project()}/workspaces/${ws}/audiences/${audienceId}`),
        409,
        'TP_ERR_AUDIENCE_IN_USE',
      );
      assert.match(audienceInUse.message, /Welcome \(running\)/);

      // Finished (cancelled here, as if by the dispatcher): the run and then the campaign complete.
      await f.t.deps.store.transaction(async (tx) => {
        await tx.delivery.campaignMessages(scope, c.id, 'cancel', { nowMs: Date.now() });
      });
      await pass();
      const done = await ok('viewerA', 'GET', `${base()}/${c.id}`);
      assert.equal(done.state, 'completed');
      assert.deepEqual(done.allowed_actions, []);
      const finished = (await ok('viewerA', 'GET', `${base()}/${c.id}/runs/${run.id}`)) as Json;
      assert.equal(finished.state, 'completed');
      assert.equal(finished.counts.failed, 3);

      const audit = await ok('adminA', 'GET', `${project()}/audit?limit=200`);
      const actions = audit.items
        .filter((e: Json) => e.target?.id === c.id)
        .map((e: Json) => e.action)
        .reverse();
      assert.deepEqual(actions, [
        'campaign.created',
        'campaign.submitted',
        'campaign.published',
        'campaign.run_fired',
        'campaign.completed',
      ]);
    });

    test('CMP-03: with require_approval, nobody approves their own submission; reject needs a reason', async () => {
      await ok('adminA', 'PATCH', `${project()}/workspaces/${ws}`, { require_approval: true });
      try {
        const c = await draft('Needs approval', {}, 'operatorA');
        assert.equal((await ok('operatorA', 'POST', `${base()}/${c.id}/submit`)).state, 'pending_approval');
        // The operator lacks campaign.approve; the submitter may not approve even with it.
        errorOf(await act('operatorA', c.id, 'approve'), 403, 'TP_ERR_FORBIDDEN');
        const asSeen = await ok('adminA', 'GET', `${base()}/${c.id}`);
        assert.deepEqual(asSeen.allowed_actions, ['approve', 'reject']);
        errorOf(await act('adminA', c.id, 'reject', {}), 400, 'TP_ERR_VALIDATION');
        const rejected = await ok('adminA', 'POST', `${base()}/${c.id}/reject`, { reason: 'Title too long' });
        assert.equal(rejected.state, 'draft');
        assert.equal(rejected.rejection.reason, 'Title too long');
        await ok('operatorA', 'PATCH', `${base()}/${c.id}`, {
          template_values: { ...content.template_values, title: 'Hi' },
        });

        const mine = await draft('Admin own', {}, 'adminA');
        await ok('adminA', 'POST', `${base()}/${mine.id}/submit`);
        const own = await ok('adminA', 'GET', `${base()}/${mine.id}`);
        assert.deepEqual(own.allowed_actions, ['reject']);
        errorOf(await act('adminA', mine.id, 'approve'), 403, 'TP_ERR_CAMPAIGN_SELF_APPROVAL');
        const approved = await ok('wsAdminA', 'POST', `${base()}/${mine.id}/approve`);
        assert.equal(approved.state, 'pending_publish');
        assert.equal(approved.approved_by, f.accounts.wsAdminA.id);

        await ok('operatorA', 'POST', `${base()}/${c.id}/submit`);
        const inbox = await ok('adminA', 'GET', `${base()}?state=pending_approval`);
        assert.deepEqual(
          inbox.items.map((x: Json) => x.name),
          ['Needs approval'],
        );
        assert.equal((await ok('adminA', 'POST', `${base()}/${c.id}/approve`)).state, 'pending_publish');
        for (const id of [c.id, mine.id]) {
          await ok('adminA', 'POST', `${base()}/${id}/publish`);
          await ok('adminA', 'POST', `${base()}/${id}/stop`);
        }
      } finally {
        await ok('adminA', 'PATCH', `${project()}/workspaces/${ws}`, { require_approval: false });
      }
    });

    test('CMP-04: pause holds the run’s queued messages, resume re-queues them, stop cancels them', async () => {
      const c = await draft('Pausable');
      await ok('adminA', 'POST', `${base()}/${c.id}/submit`);
      await ok('adminA', 'POST', `${base()}/${c.id}/publish`);
      await pass();
      const counts = async () => (await ok('viewerA', 'GET', `${base()}/${c.id}/runs`)).items[0].counts;
      assert.equal((await counts()).queued, 3);
      const paused = await ok('operatorA', 'POST', `${base()}/${c.id}/pause`);
      assert.equal(paused.state, 'paused');
      assert.deepEqual(paused.allowed_actions, ['resume', 'stop']);
      assert.deepEqual([(await counts()).queued, (await counts()).held], [0, 3]);
      // Resuming the channel (operator's Resume on a channel) does not release a paused campaign.
      await ok('adminA', 'POST', `${project()}/channels/${channelId}/resume`);
      assert.equal((await counts()).held, 3);
      assert.equal((await ok('operatorA', 'POST', `${base()}/${c.id}/resume`)).state, 'running');
      assert.deepEqual([(await counts()).queued, (await counts()).held], [3, 0]);
      const stopped = await ok('operatorA', 'POST', `${base()}/${c.id}/stop`);
      assert.equal(stopped.state, 'stopped');
      assert.equal(stopped.next_run_at, null);
      const after = (await ok('viewerA', 'GET', `${base()}/${c.id}/runs`)).items[0];
      assert.equal(after.state, 'stopped');
      assert.deepEqual([after.counts.queued, after.counts.failed], [0, 3]);
      const message = (await ok('viewerA', 'GET', `${project()}/messages?campaign_id=${c.id}`)).items[0];
      assert.equal(message.last_reason, 'cancelled');
      errorOf(await act('operatorA', c.id, 'resume'), 409, 'TP_ERR_CAMPAIGN_STATE');
      await ok('operatorA', 'DELETE', `${base()}/${c.id}`);
    });

    test('CMP-05: a cron run fires once across two schedulers, and once after downtime', async () => {
      const c = await draft('Every second', { trigger: { type: 'cron', cron: '* * * * * *' } });
      await ok('adminA', 'POST', `${base()}/${c.id}/submit`);
      const published = await ok('adminA', 'POST', `${base()}/${c.id}/publish`);
      const first = Date.parse(published.next_run_at);
      assert.ok(first > Date.now() - 1000 && first <= Date.now() + 1000, published.next_run_at);
      await new Promise((r) => setTimeout(r, Math.max(0, first - Date.now()) + 50));
      const [a, b] = [runner(), runner()];
      const fired = await Promise.all([a.fireDue(), b.fireDue(), a.fireDue(), b.fireDue()]);
      assert.equal(
        fired.reduce((x, y) => x + y, 0),
        1,
      );
      // Downtime: the campaign was due long ago (many periods missed) → one run, then from now.
      const scope = projectScope(f.a.project.id);
      await f.t.deps.store.transaction(async (tx) => {
        await tx.campaigns.transition(
          scope,
          c.id,
          ['running'],
          'running',
          { nextRunAt: Date.now() - 3_600_000 },
          Date.now(),
        );
      });
      assert.equal(await runner().fireDue(), 1);
      const after = await ok('viewerA', 'GET', `${base()}/${c.id}`);
      assert.ok(Date.parse(after.next_run_at) > Date.now() - 1000, after.next_run_at);
      const runs = await ok('viewerA', 'GET', `${base()}/${c.id}/runs`);
      assert.equal(runs.items.length, 2);
      await ok('adminA', 'POST', `${base()}/${c.id}/stop`);
      assert.equal(await runner().fireDue(), 0);
    });

    test('CMP-06: a run that cannot render pauses its campaign with the reason; resume continues', async () => {
      const c = await draft('Blocked');
      await ok('adminA', 'POST', `${base()}/${c.id}/submit`);
      await ok('adminA', 'POST', `${base()}/${c.id}/publish`);
      // The channel loses its authorization to the workspace before the run renders.
      await ok('adminA', 'DELETE', `${project()}/channels/${channelId}/workspaces/${ws}`);
      await pass();
      const paused = await ok('viewerA', 'GET', `${base()}/${c.id}`);
      assert.equal(paused.state, 'paused');
      const run = (await ok('viewerA', 'GET', `${base()}/${c.id}/runs`)).items[0];
      assert.equal(run.state, 'paused');
      assert.match(run.error, /no longer authorized to this workspace/);
      await ok('adminA', 'PUT' as 'POST', `${project()}/channels/${channelId}/workspaces/${ws}`);
      await ok('adminA', 'POST', `${base()}/${c.id}/resume`);
      await pass();
      const resumed = (await ok('viewerA', 'GET', `${base()}/${c.id}/runs`)).items[0];
      assert.deepEqual([resumed.state, resumed.error, resumed.queued], ['delivering', null, 3]);
      await ok('adminA', 'POST', `${base()}/${c.id}/stop`);
    });

    test('CMP-07: preview renders the first recipients as a run would, with the estimate', async () => {
      errorOf(
        await call('viewerA', 'POST', `${base()}/preview`, {
          audience_id: audienceId,
          channel_id: channelId,
        }),
        403,
        'TP_ERR_FORBIDDEN',
      );
      const preview = await ok('operatorA', 'POST', `${base()}/preview`, {
        audience_id: audienceId,
        ...content,
        channel_id: channelId,
        limit: 5,
      });
      assert.deepEqual(preview.estimate, { size: 3, reachable: 2, send_id_type: 'role_id' });
      assert.deepEqual(
        preview.recipients.map((r: Json) => [
          r.tp_uid,
          r.messages.map((m: Json) => `${m.push_id}:${m.params.content}`),
        ]),
        [
          ['u1', ['r1:Hi Zhang San, your level is 7']],
          ['u2', ['r2a:Hi Player, your level is ', 'r2b:Hi Player, your level is ']],
        ],
      );
      assert.equal(preview.recipients[0].messages[0].custom_params.name, 'Zhang San');
    });

    test('CMP-08: the list pages newest first with cursors', async () => {
      const all = (await ok('viewerA', 'GET', `${base()}?limit=200`)).items.map((c: Json) => c.id);
      assert.ok(all.length >= 3);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Json = await ok(
          'viewerA',
          'GET',
          `${base()}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        paged.push(...page.items.map((c: Json) => c.id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(paged, all);
    });

    test('CMP-MT: another tenant, or a workspace the member is not in, answers 404', async () => {
      const c = await draft('Private');
      const otherProject = await f.as('adminB', f.b, {
        method: 'GET',
        url: `/api/v1/projects/${f.b.project.id}/workspaces/${f.b.workspaces[0].id}/campaigns/${c.id}`,
      });
      errorOf(otherProject, 404, 'TP_ERR_NOT_FOUND');
      errorOf(
        await f.as('adminB', f.b, { method: 'GET', url: `${base()}/${c.id}` }),
        404,
        'TP_ERR_NOT_FOUND',
      );
      // `dual` is an operator of workspace one only.
      errorOf(await call('dual', 'GET', `${base(ws2)}`), 404, 'TP_ERR_NOT_FOUND');
      errorOf(await call('adminA', 'GET', `${base(ws2)}/${c.id}`), 404, 'TP_ERR_NOT_FOUND');
      errorOf(await call('adminA', 'GET', `${base()}/${c.id}/runs/run_nope`), 404, 'TP_ERR_NOT_FOUND');
      await ok('adminA', 'DELETE', `${base()}/${c.id}`);
    });
  });
}

// Issue 20 item 2: frequency caps (project and campaign) and quiet hours (in the user's time zone
// when known, else the project's; on a daylight-saving day too), checked by the one send gate at
// render time and counted as skip reasons or delayed as queued messages — on both databases.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { projectScope } from '../../src/access/scope.ts';
import { localClock } from '../../src/audiences/zoned-day.ts';
import { quietUntil } from '../../src/campaigns/delivery-rules.ts';
import { deliveryFixture, type DeliveryFixture } from '../delivery/support/delivery-fixture.ts';
import { storeKinds } from '../support/stores.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('RULES-QH: quiet hours end at the local end time, across midnight and on a daylight-saving day', () => {
  const window = { start: '22:00', end: '08:00' };
  // New York springs forward on 2026-03-08: 00:30 EST is 05:30Z; 08:00 that day is EDT (12:00Z).
  assert.equal(
    quietUntil(Date.parse('2026-03-08T05:30:00Z'), window, 'America/New_York'),
    Date.parse('2026-03-08T12:00:00Z'),
  );
  // 23:00 EST on 03-07 is 04:00Z on 03-08: the window ends the next local morning, already EDT.
  assert.equal(
    quietUntil(Date.parse('2026-03-08T04:00:00Z'), window, 'America/New_York'),
    Date.parse('2026-03-08T12:00:00Z'),
  );
  // Falls back on 2026-11-01: 08:00 EST is 13:00Z.
  assert.equal(
    quietUntil(Date.parse('2026-11-01T05:30:00Z'), window, 'America/New_York'),
    Date.parse('2026-11-01T13:00:00Z'),
  );
  assert.equal(
    quietUntil(Date.parse('2026-03-08T15:00:00Z'), window, 'America/New_York'),
    null,
    '11:00 is outside',
  );
  assert.equal(
    quietUntil(Date.parse('2026-12-05T13:59:00Z'), window, 'Asia/Shanghai'),
    null,
    '21:59 is outside',
  );
  assert.equal(
    quietUntil(Date.parse('2026-12-05T14:00:00Z'), window, 'Asia/Shanghai'),
    Date.parse('2026-12-06T00:00:00Z'),
    '22:00 is inside, until 08:00 the next morning',
  );
  assert.equal(
    quietUntil(Date.parse('2026-12-05T13:00:00Z'), { start: '12:00', end: '22:00' }, 'Asia/Shanghai'),
    Date.parse('2026-12-05T14:00:00Z'),
  );
});

const hhmm = (minutes: number) =>
  `${String(Math.floor((((minutes % 1440) + 1440) % 1440) / 60)).padStart(2, '0')}:${String(((minutes % 60) + 60) % 60).padStart(2, '0')}`;

for (const kind of storeKinds) {
  describe(`delivery rules [${kind}]`, () => {
    let d: DeliveryFixture;
    let channelId: string;
    let otherChannelId: string;
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Json) => {
      const res = await d.f.as('adminA', d.f.a, {
        method,
        url: `${d.base}${url}`,
        ...(payload ? { payload } : {}),
      });
      return { status: res.statusCode, json: (res.body ? res.json() : {}) as Json, body: res.body };
    };
    const send = (channel: string, users: string[]) =>
      d.send({
        channel_id: channel,
        template_values: { title: 'Hi', content: 'Hello' },
        recipients: users.map((id) => ({ id_type: 'user_id', id })),
      });
    const setRules = async (rules: Json) => {
      const res = await call('PUT', '/delivery-rules', rules);
      assert.equal(res.status, 200, res.body);
    };

    before(async () => {
      d = await deliveryFixture(kind, process.env.DEBUG_LOG ? { TOUCHPOINT_LOG_LEVEL: 'error' } : {});
      await d.users([
        { userId: 'r-1', traits: { vip: true } },
        { userId: 'r-2', traits: { vip: true } },
        // Her own zone is 12 hours away from the project's (Asia/Shanghai): never in the same window.
        { userId: 'r-3', traits: { vip: true, timezone: 'America/Panama' } },
        { userId: 'r-4', traits: { vip: true, timezone: 'Not/AZone' } },
      ]);
      channelId = (await d.channel('http://127.0.0.1:9/rules')).id;
      otherChannelId = (await d.channel('http://127.0.0.1:9/rules-other')).id;
    });
    after(() => d.close());

    test('RULES-01: the rules are validated, read back and audited', async () => {
      const bad = await call('PUT', '/delivery-rules', {
        frequency_cap: null,
        quiet_hours: { start: '25:00', end: '08:60' },
      });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json.error.details.issues.map((i: Json) => i.path).sort(), [
        '/quiet_hours/end',
        '/quiet_hours/start',
      ]);
      await setRules({ frequency_cap: { count: 2, period_hours: 24 }, quiet_hours: null });
      assert.deepEqual((await call('GET', '/delivery-rules')).json, {
        frequency_cap: { count: 2, period_hours: 24, per_channel: false },
        quiet_hours: null,
      });
      const viewer = await d.f.as('viewerA', d.f.a, {
        method: 'PUT',
        url: `${d.base}/delivery-rules`,
        payload: { frequency_cap: null, quiet_hours: null },
      });
      assert.equal(viewer.statusCode, 403);
      const audit = await call('GET', '/audit?limit=20');
      assert.ok(audit.json.items.some((e: Json) => e.action === 'delivery_rules.updated'));
    });

    test('RULES-02: a project cap counts messages across channels, or per channel', async () => {
      await setRules({ frequency_cap: { count: 2, period_hours: 24 }, quiet_hours: null });
      assert.equal((await send(channelId, ['r-1'])).json.queued, 1);
      assert.equal((await send(otherChannelId, ['r-1'])).json.queued, 1);
      const third = await send(channelId, ['r-1', 'r-2']);
      assert.deepEqual(
        [third.json.queued, third.json.skipped],
        [1, [{ index: 1, reason: 'frequency_capped' }]],
      );
      await setRules({ frequency_cap: { count: 2, period_hours: 24, per_channel: true }, quiet_hours: null });
      // r-1 holds one message on each channel: one more fits on each, then neither takes another.
      assert.equal((await send(otherChannelId, ['r-1'])).json.queued, 1);
      assert.equal((await send(channelId, ['r-1'])).json.queued, 1);
      assert.deepEqual((await send(channelId, ['r-1'])).json.skipped, [
        { index: 1, reason: 'frequency_capped' },
      ]);
      assert.deepEqual((await send(otherChannelId, ['r-1'])).json.skipped, [
        { index: 1, reason: 'frequency_capped' },
      ]);
      await setRules({ frequency_cap: null, quiet_hours: null });
      assert.equal((await send(channelId, ['r-1'])).json.queued, 1);
    });

    test('RULES-03: inside quiet hours a message waits queued until their end, in the user’s own zone when known', async () => {
      const now = Date.now();
      const local = localClock(now, 'Asia/Shanghai').minutes;
      const window = { start: hhmm(local - 60), end: hhmm(local + 60) };
      await setRules({ frequency_cap: null, quiet_hours: window });
      try {
        const sent = await send(channelId, ['r-2', 'r-3', 'r-4']);
        assert.equal(sent.json.queued, 3);
        const messages = await d.f.t.deps.store.delivery.list(
          projectScope(d.f.a.project.id),
          { sendId: sent.json.send_id },
          { limit: 10 },
        );
        const due = new Map(messages.map((m) => [m.pushId, m.nextAttemptAt]));
        const end = quietUntil(now, window, 'Asia/Shanghai')!;
        assert.ok(
          Math.abs(due.get('r-2')! - end) < 120_000,
          `r-2 waits until ${new Date(end).toISOString()}`,
        );
        assert.ok(due.get('r-3')! <= Date.now(), 'Panama is outside the window: due at once');
        assert.ok(Math.abs(due.get('r-4')! - end) < 120_000, 'an invalid zone falls back to the project’s');
        for (const m of messages) assert.equal(m.state, 'queued');
      } finally {
        await setRules({ frequency_cap: null, quiet_hours: null });
      }
    });

    test('RULES-04: a campaign drops or delays inside quiet hours, and its own cap counts its runs', async () => {
      const ws = `/workspaces/${d.workspaceId}`;
      const audience = await call('POST', `${ws}/audiences`, {
        name: 'Rule VIPs',
        conditions: {
          type: 'group',
          combinator: 'and',
          conditions: [{ type: 'property', property: 'vip', operator: 'is_true' }],
        },
      });
      const local = localClock(Date.now(), 'Asia/Shanghai').minutes;
      await setRules({
        frequency_cap: null,
        quiet_hours: { start: hhmm(local - 60), end: hhmm(local + 60) },
      });
      const runner = d.f.t.deps.campaignRunner;
      const runOnce = async (id: string) => {
        await runner.fireDue();
        while (await runner.renderNext(new AbortController().signal));
        return (await call('GET', `${ws}/campaigns/${id}/runs`)).json.items[0] as Json;
      };
      try {
        const dropping = await call('POST', `${ws}/campaigns`, {
          name: 'Drops at night',
          audience_id: audience.json.id,
          channel_id: channelId,
          template_values: { title: 'Hi', content: 'Hello' },
          quiet_hours: 'drop',
        });
        assert.equal(dropping.json.quiet_hours, 'drop', dropping.body);
        await call('POST', `${ws}/campaigns/${dropping.json.id}/submit`);
        await call('POST', `${ws}/campaigns/${dropping.json.id}/publish`);
        const run = await runOnce(dropping.json.id);
        // r-1, r-2, r-4 are inside (project zone); r-3 (Panama) is not.
        assert.deepEqual([run.quiet, run.queued], [3, 1], JSON.stringify(run));
      } finally {
        await setRules({ frequency_cap: null, quiet_hours: null });
      }

      const capped = await call('POST', `${ws}/campaigns`, {
        name: 'Once a day',
        audience_id: audience.json.id,
        channel_id: channelId,
        template_values: { title: 'Hi', content: 'Hello' },
        trigger: { type: 'cron', cron: '0 9 * * *' },
        frequency_cap: { count: 1, period_hours: 24 },
      });
      await call('POST', `${ws}/campaigns/${capped.json.id}/submit`);
      await call('POST', `${ws}/campaigns/${capped.json.id}/publish`);
      const scope = projectScope(d.f.a.project.id);
      const due = async () =>
        d.f.t.deps.store.transaction((tx) =>
          tx.campaigns.transition(
            scope,
            capped.json.id,
            ['scheduled', 'running'],
            'running',
            { nextRunAt: Date.now() - 1 },
            Date.now(),
          ),
        );
      await due();
      const first = await runOnce(capped.json.id);
      assert.deepEqual([first.queued, first.capped], [4, 0]);
      await due();
      const second = await runOnce(capped.json.id);
      assert.deepEqual([second.queued, second.capped], [0, 4], JSON.stringify(second));
      await call('POST', `${ws}/campaigns/${capped.json.id}/stop`);
    });
  });
}

// Issue 19 acceptance across real processes: profiles ingested through the Segment SDK →
// audience → campaign through a webhook channel to a receiver built with the receiver kit, on
// SQLite (the default start) and PostgreSQL (API + two workers); a recurring six-field cron
// campaign running once per period across two workers; and kill -9 of the worker mid-render of a
// 20,000-user run.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { Cron } from 'croner';
import { ServeProcess } from '../delivery/support/crash-workload.ts';
import { storeKinds } from '../support/stores.ts';
import { startCampaignCluster, waitFor, type CampaignCluster } from './support/campaign-cluster.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const vipAudience = {
  name: 'VIPs',
  conditions: {
    type: 'group',
    combinator: 'and',
    conditions: [{ type: 'property', property: 'vip', operator: 'is_true' }],
  },
};

/** Creates, submits and publishes a campaign; answers its id. */
async function launch(c: CampaignCluster, body: Json): Promise<string> {
  const base = `${c.project}/workspaces/${c.workspaceId}/campaigns`;
  const campaign = await c.api('POST', base, body);
  await c.api('POST', `${base}/${campaign.id}/submit`);
  await c.api('POST', `${base}/${campaign.id}/publish`);
  return campaign.id as string;
}

const runsOf = async (c: CampaignCluster, id: string) =>
  (await c.api('GET', `${c.project}/workspaces/${c.workspaceId}/campaigns/${id}/runs?limit=200`))
    .items as Json[];

for (const kind of storeKinds) {
  describe(`campaigns across processes [${kind}]`, () => {
    test('CMP-E2E: SDK profiles → audience → campaign → receiver kit: one message per member, rendered, counts match', async () => {
      const c = await startCampaignCluster({ kind });
      try {
        const analytics = new SegmentAnalytics({
          writeKey: c.appKey,
          host: c.base,
          maxRetries: 3,
          flushInterval: 50,
        });
        const errors: unknown[] = [];
        analytics.on('error', (e) => errors.push(e));
        // 40 users; 1–30 are VIPs; even ones have a nickname (the others get the default).
        for (let i = 1; i <= 40; i++)
          analytics.identify({
            userId: `u-${i}`,
            traits: { vip: i <= 30, ...(i % 2 === 0 ? { nickname: `Nick ${i}` } : {}), level: i },
          });
        await analytics.closeAndFlush({ timeout: 30_000 });
        assert.deepEqual(errors, []);
        await c.profiles(40);

        const channelId = await c.channel();
        const audience = await c.api(
          'POST',
          `${c.project}/workspaces/${c.workspaceId}/audiences`,
          vipAudience,
        );
        const id = await launch(c, {
          name: 'Welcome VIPs',
          audience_id: audience.id,
          channel_id: channelId,
          template_values: { title: 'Welcome', content: 'Hi ${name}, level ${level}${missing}' },
          variables: [
            { name: 'name', source: 'user.nickname', default: 'Player' },
            { name: 'level', source: 'user.level' },
            { name: 'missing', source: 'user.no_such_property' },
          ],
        });

        const campaign = await waitFor('the campaign to complete', async () => {
          const got = await c.api('GET', `${c.project}/workspaces/${c.workspaceId}/campaigns/${id}`);
          return got.state === 'completed' ? got : undefined;
        });
        assert.equal(campaign.next_run_at, null);
        const byUser = new Map<string, Json[]>();
        for (const m of c.receiver.messages) byUser.set(m.push_id, [...(byUser.get(m.push_id) ?? []), m]);
        assert.deepEqual(
          [...byUser.keys()].sort(),
          Array.from({ length: 30 }, (_, i) => `u-${i + 1}`).sort(),
          'every VIP and nobody else',
        );
        for (const [user, messages] of byUser) {
          assert.equal(messages.length, 1, `${user} got ${messages.length} messages`);
          const n = Number(user.slice(2));
          const name = n % 2 === 0 ? `Nick ${n}` : 'Player';
          assert.equal(messages[0]!.params.content, `Hi ${name}, level ${n}`);
          assert.equal(messages[0]!.params.title, 'Welcome');
          assert.equal(messages[0]!.custom_params.name, n % 2 === 0 ? `Nick ${n}` : 'Player');
          assert.equal(messages[0]!['#ops_receipt_properties'].ops_task_id, id);
        }
        const [run] = await runsOf(c, id);
        assert.equal(run!.state, 'completed');
        assert.equal(c.receiver.messages[0]!['#ops_receipt_properties'].ops_task_instance_id, run!.id);
        assert.deepEqual(
          [run!.audience_size, run!.reachable, run!.processed, run!.queued, run!.counts.delivered],
          [30, 30, 30, 30, c.receiver.messages.length],
        );
      } finally {
        await c.close();
      }
    });
  });
}

test('CMP-CRON: a six-field cron campaign runs once per period across two workers [postgres]', async () => {
  const c = await startCampaignCluster({
    kind: 'postgres',
    workers: 2,
    env: { TOUCHPOINT_CAMPAIGN_CRON_SECONDS: 'true' },
  });
  try {
    const ingest = await fetch(`${c.base}/v1/batch`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.appKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        batch: ['c-1', 'c-2'].map((u) => ({
          type: 'identify',
          userId: u,
          messageId: `m-${u}`,
          traits: { vip: true },
        })),
      }),
    });
    assert.equal(ingest.status, 200);
    await c.profiles(2);
    const channelId = await c.channel();
    const audience = await c.api('POST', `${c.project}/workspaces/${c.workspaceId}/audiences`, vipAudience);
    // Every 2 seconds, ending 7 s from now: the expected runs are the ticks in between.
    const start = Date.now();
    const end = new Date(start + 7000);
    const cron = '*/2 * * * * *';
    const id = await launch(c, {
      name: 'Every two seconds',
      audience_id: audience.id,
      channel_id: channelId,
      template_values: { title: 'Tick', content: 'tick' },
      trigger: { type: 'cron', cron, end_at: end.toISOString() },
    });
    const published = Date.now();
    const ticks = new Cron(cron, { paused: true })
      .nextRuns(10, new Date(published))
      .map((d) => d.getTime())
      .filter((t) => t <= end.getTime());
    const campaign = await waitFor(
      'the recurring campaign to complete',
      async () => {
        const got = await c.api('GET', `${c.project}/workspaces/${c.workspaceId}/campaigns/${id}`);
        return got.state === 'completed' ? got : undefined;
      },
      60_000,
    );
    assert.equal(campaign.state, 'completed');
    const runs = await runsOf(c, id);
    assert.deepEqual(
      runs.map((r) => Date.parse(r.scheduled_for)).sort(),
      ticks,
      'one run per period, none twice',
    );
    // Each run reached each member once.
    const perRun = new Map<string, number>();
    for (const m of c.receiver.messages) {
      const run = String(m['#ops_receipt_properties'].ops_task_instance_id);
      perRun.set(run, (perRun.get(run) ?? 0) + 1);
    }
    assert.deepEqual(
      [...perRun.values()],
      runs.map(() => 2),
    );
  } finally {
    await c.close();
  }
});

test('CMP-KILL: kill -9 of the worker mid-render of a 20,000-user run: every user gets exactly one message', async () => {
  const users = 20_000;
  const c = await startCampaignCluster({
    kind: 'sqlite',
    env: { TOUCHPOINT_CAMPAIGN_LEASE_MS: '2000' },
  });
  try {
    for (let i = 0; i < users; i += 1000) {
      const ingest = await fetch(`${c.base}/v1/batch`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.appKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          batch: Array.from({ length: Math.min(1000, users - i) }, (_, k) => ({
            type: 'identify',
            userId: `k-${i + k}`,
            messageId: `m-${i + k}`,
            traits: { vip: true, nickname: `K${i + k}` },
          })),
        }),
      });
      assert.equal(ingest.status, 200, await ingest.text());
    }
    await c.profiles(users);
    // The server to crash: the same database, with the fault that kills it after a run's third
    // page of 2,000 members committed.
    const [all] = c.processes as [ServeProcess];
    await all.term();
    const faulty = new ServeProcess(
      'faulty',
      'all',
      { ...c.env, TOUCHPOINT_TEST_FAULTS: 'true', TOUCHPOINT_TEST_FAULT: 'campaign-exit-mid-render' },
      ['--embedded'],
    );
    await faulty.start();
    const channelId = await c.channel({ batch_size: 500 });
    const audience = await c.api('POST', `${c.project}/workspaces/${c.workspaceId}/audiences`, vipAudience);
    const id = await launch(c, {
      name: 'Everyone',
      audience_id: audience.id,
      channel_id: channelId,
      template_values: { title: 'Hello', content: 'Hi ${name}' },
      variables: [{ name: 'name', source: 'user.nickname' }],
    });
    await waitFor('the fault to kill the server', async () => (faulty.running ? undefined : true), 60_000);
    const [mid] = await c.rows(`SELECT processed, state FROM campaign_runs`);
    assert.equal(Number(mid!.processed), 6000, 'killed after three pages of 2,000');
    assert.equal(mid!.state, 'rendering');

    const healthy = new ServeProcess('healthy', 'all', c.env, ['--embedded']);
    await healthy.start();
    c.processes.push(healthy, faulty);
    await waitFor(
      'the campaign to complete after the restart',
      async () => {
        const got = await c.api('GET', `${c.project}/workspaces/${c.workspaceId}/campaigns/${id}`);
        return got.state === 'completed' ? got : undefined;
      },
      180_000,
    );
    const counts = new Map<string, number>();
    for (const m of c.receiver.messages) counts.set(m.push_id, (counts.get(m.push_id) ?? 0) + 1);
    const missing = Array.from({ length: users }, (_, i) => `k-${i}`).filter((u) => !counts.has(u));
    const twice = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(
      [missing.length, twice.length],
      [0, 0],
      `missing ${missing.slice(0, 5)}, twice ${twice.slice(0, 5)}`,
    );
    const [run] = await runsOf(c, id);
    assert.deepEqual([run!.processed, run!.queued, run!.counts.delivered], [users, users, users]);
  } finally {
    await c.close();
  }
});

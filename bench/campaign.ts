// bench/campaign: a campaign run rendering a P-member audience (default 1,000,000) into the
// outbox (issue 19: ≥ 50,000 messages/s with peak RSS ≤ 300 MB), on SQLite and PostgreSQL.
// The run is the real CampaignRunner (audience pages, profile reads, the shared renderer, one
// transaction per page with its checkpoint). Baseline in the same run: a bare insert loop that
// writes the same number of pre-shaped messages through the same enqueue in the same page size,
// with no audience, profile read or rendering.
//
//   npm run bench -- campaign [--profiles 1000000] [--db sqlite|postgres|both]
import { uuidv7 } from '../src/access/ids.ts';
import { parseArgs } from 'node:util';
import { projectScope } from '../src/access/scope.ts';
import type { NewMessage } from '../src/delivery/model.ts';
import { deliveryFixture } from '../test/delivery/support/delivery-fixture.ts';
import type { StoreKind } from '../test/support/stores.ts';
import { rawFor } from './audience.ts';

const PAGE = 2000;

function generation(kind: StoreKind, projectId: number, profiles: number): string[] {
  if (kind === 'sqlite') {
    const series = `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${profiles - 1})`;
    return [
      `${series} INSERT INTO profiles (project_id, tp_uid, properties, meta, created_at, updated_at, last_event_at, event_count, merged_into)
       SELECT ${projectId}, printf('tp_%08d', i),
         json_object('plan', CASE i % 4 WHEN 0 THEN 'pro' WHEN 1 THEN 'free' WHEN 2 THEN 'trial' ELSE 'team' END,
                     'nickname', printf('Player %d', i), 'level', i % 100, 'gameuid', printf('g%d', i)),
         '{}', 0, 0, NULL, 0, NULL FROM s`,
      `${series} INSERT INTO profile_identities (project_id, id_type, value, tp_uid, created_at)
       SELECT ${projectId}, 'user_id', printf('u%d', i), printf('tp_%08d', i), 0 FROM s`,
    ];
  }
  return [
    `INSERT INTO profiles (project_id, tp_uid, properties, meta, created_at, updated_at, last_event_at, event_count, merged_into)
     SELECT ${projectId}, 'tp_' || lpad(i::text, 8, '0'),
       json_build_object('plan', (ARRAY['pro','free','trial','team'])[i % 4 + 1], 'nickname', 'Player ' || i,
                         'level', i % 100, 'gameuid', 'g' || i)::text,
       '{}', 0, 0, NULL, 0, NULL FROM generate_series(0, ${profiles - 1}) AS i`,
    `INSERT INTO profile_identities (project_id, id_type, value, tp_uid, created_at)
     SELECT ${projectId}, 'user_id', 'u' || i, 'tp_' || lpad(i::text, 8, '0'), 0 FROM generate_series(0, ${profiles - 1}) AS i`,
    'ANALYZE',
  ];
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Runs `fn` sampling RSS every 20 ms; answers its time and the peak RSS. */
async function sampled(fn: () => Promise<unknown>): Promise<{ ms: number; peakRss: number }> {
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return { ms: performance.now() - started, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { profiles: { type: 'string', default: '1000000' }, db: { type: 'string', default: 'both' } },
  });
  const profiles = Number(values.profiles);
  const kinds: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];
  for (const kind of kinds) {
    const d = await deliveryFixture(kind, { TOUCHPOINT_LOG_LEVEL: 'silent' });
    const raw = await rawFor(kind, d.f.t.db);
    try {
      const projectId = d.f.a.project.id;
      const scope = projectScope(projectId);
      let started = performance.now();
      for (const statement of generation(kind, projectId, profiles)) await raw.exec(statement);
      console.log(
        `campaign [${kind}] generated ${profiles.toLocaleString('en')} profiles with a user_id each in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      // An unreachable receiver: the dispatcher is not running; only rendering is measured.
      const channel = await d.channel('http://127.0.0.1:9/bench');
      const api = async (method: 'POST', url: string, payload?: object) => {
        const res = await d.f.as('adminA', d.f.a, {
          method,
          url: `${d.base}${url}`,
          ...(payload ? { payload } : {}),
        });
        if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
        return res.json() as { id: string };
      };
      const ws = `/workspaces/${d.workspaceId}`;
      const audience = await api('POST', `${ws}/audiences`, {
        name: 'Everyone with a plan',
        conditions: {
          type: 'group',
          combinator: 'and',
          conditions: [{ type: 'property', property: 'plan', operator: 'is_set' }],
        },
      });
      const campaign = await api('POST', `${ws}/campaigns`, {
        name: 'Daily reward',
        audience_id: audience.id,
        channel_id: channel.id,
        template_values: {
          title: 'Daily reward',
          content: 'Hello ${name}, your level ${level} chest is ready.',
        },
        variables: [
          { name: 'name', source: 'user.nickname', default: 'Player' },
          { name: 'level', source: 'user.level' },
        ],
      });
      await api('POST', `${ws}/campaigns/${campaign.id}/submit`);
      await api('POST', `${ws}/campaigns/${campaign.id}/publish`);
      const runner = d.f.t.deps.campaignRunner;
      if ((await runner.fireDue()) !== 1) throw new Error('the campaign did not fire');
      const before = process.memoryUsage().rss;
      const rendered = await sampled(() => runner.renderNext(new AbortController().signal));
      const [row] = await d.f.t.deps.campaigns.runs(
        (await d.f.t.deps.access.memberAccess(d.f.accounts.adminA.id, projectId))!,
        d.workspaceId,
        campaign.id,
        { limit: 1 },
      );
      const queued = row!.run.queued;
      const rate = (queued / rendered.ms) * 1000;

      // Baseline: the same number of messages, pre-shaped, written page by page.
      let bareQueued = 0;
      const bare = await sampled(async () => {
        for (let i = 0; i < queued; i += PAGE) {
          const page: NewMessage[] = [];
          for (let k = i; k < Math.min(queued, i + PAGE); k++)
            page.push({
              projectId,
              channelId: channel.id,
              opsRequestId: uuidv7(),
              pushId: `u${k}`,
              tpUid: `tp_${String(k).padStart(8, '0')}`,
              workspaceId: d.workspaceId,
              sendId: null,
              campaignId: 'bare',
              taskId: 'bare',
              taskInstanceId: 'bare-1',
              params: {
                title: 'Daily reward',
                content: `Hello Player ${k}, your level ${k % 100} chest is ready.`,
              },
              customParams: { gameuid: `g${k}`, name: `Player ${k}` },
            });
          const now = Date.now();
          await d.f.t.deps.store.transaction((tx) => tx.delivery.enqueue(scope, page, now));
          bareQueued += page.length;
        }
      });
      const bareRate = (bareQueued / bare.ms) * 1000;
      started = performance.now();
      console.log(
        [
          `  run rendered ${queued.toLocaleString('en')} messages in ${(rendered.ms / 1000).toFixed(1)} s: ${Math.round(rate).toLocaleString('en')} messages/s, peak RSS ${mib(rendered.peakRss)} (${mib(before)} before) [targets ≥ 50,000/s, ≤ 300 MB]`,
          `  baseline bare insert loop (pages of ${PAGE}): ${Math.round(bareRate).toLocaleString('en')} messages/s, peak RSS ${mib(bare.peakRss)}; the run reaches ${((rate / bareRate) * 100).toFixed(0)} % of it`,
        ].join('\n'),
      );
    } finally {
      await raw.close();
      await d.close();
    }
  }
}

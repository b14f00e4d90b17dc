// bench/campaign: a campaign run rendering a P-member audience (default 1,000,000) into the
// outbox, in the process users run (issue 19: ≥ 50,000 messages/s, peak RSS ≤ 300 MB): on SQLite
// the embedded default (`serve --embedded`, role all), on PostgreSQL an API process and one
// worker. The campaign is created and published through the HTTP API; the rate is the run's
// `queued` over its rendering time (its own timestamps), the memory the worker's peak RSS
// (VmHWM). The channel's receiver answers at once but the channel is limited to 1 request/s, so
// delivery barely competes. Baseline in the same run, on the same database after the server
// stopped: a bare insert loop writing the same number of pre-shaped rows through the outbox's
// enqueue in pages of 2,000, with no audience query, profile read or rendering.
//
//   npm run bench -- campaign [--profiles 1000000] [--db sqlite|postgres|both]
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { uuidv7 } from '../src/access/ids.ts';
import { projectScope } from '../src/access/scope.ts';
import type { NewMessage } from '../src/delivery/model.ts';
import { openStore } from '../src/store/store.ts';
import { startCampaignCluster } from '../test/campaigns/support/campaign-cluster.ts';
import type { StoreKind } from '../test/support/stores.ts';
import { rawFor } from './audience.ts';

const PAGE = 2000;

function generation(kind: StoreKind, profiles: number): string[] {
  if (kind === 'sqlite') {
    const series = `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${profiles - 1})`;
    return [
      `${series} INSERT INTO profiles (project_id, tp_uid, properties, meta, created_at, updated_at, last_event_at, event_count, merged_into)
       SELECT 1, printf('tp_%08d', i),
         json_object('plan', CASE i % 4 WHEN 0 THEN 'pro' WHEN 1 THEN 'free' WHEN 2 THEN 'trial' ELSE 'team' END,
                     'nickname', printf('Player %d', i), 'level', i % 100),
         '{}', 0, 0, NULL, 0, NULL FROM s`,
      `${series} INSERT INTO profile_identities (project_id, id_type, value, tp_uid, created_at)
       SELECT 1, 'user_id', printf('u%d', i), printf('tp_%08d', i), 0 FROM s`,
    ];
  }
  return [
    `INSERT INTO profiles (project_id, tp_uid, properties, meta, created_at, updated_at, last_event_at, event_count, merged_into)
     SELECT 1, 'tp_' || lpad(i::text, 8, '0'),
       json_build_object('plan', (ARRAY['pro','free','trial','team'])[i % 4 + 1], 'nickname', 'Player ' || i, 'level', i % 100)::text,
       '{}', 0, 0, NULL, 0, NULL FROM generate_series(0, ${profiles - 1}) AS i`,
    `INSERT INTO profile_identities (project_id, id_type, value, tp_uid, created_at)
     SELECT 1, 'user_id', 'u' || i, 'tp_' || lpad(i::text, 8, '0'), 0 FROM generate_series(0, ${profiles - 1}) AS i`,
    'ANALYZE',
  ];
}

/** Peak resident set of a process (Linux). */
function peakRssMiB(pid: number): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) / 1024 : NaN;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { profiles: { type: 'string', default: '1000000' }, db: { type: 'string', default: 'both' } },
  });
  const profiles = Number(values.profiles);
  const kinds: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];
  for (const kind of kinds) {
    const c = await startCampaignCluster({ kind, workers: 1, env: { TOUCHPOINT_LOG_LEVEL: 'error' } });
    try {
      const raw = await rawFor(kind, c.db);
      let started = performance.now();
      try {
        for (const statement of generation(kind, profiles)) await raw.exec(statement);
      } finally {
        await raw.close();
      }
      console.log(
        `campaign [${kind}] generated ${profiles.toLocaleString('en')} profiles with a user_id each in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      const channelId = await c.channel({ rate_limit: 1, batch_size: 100 });
      const ws = `${c.project}/workspaces/${c.workspaceId}`;
      const audience = await c.api('POST', `${ws}/audiences`, {
        name: 'Everyone with a plan',
        conditions: {
          type: 'group',
          combinator: 'and',
          conditions: [{ type: 'property', property: 'plan', operator: 'is_set' }],
        },
      });
      const campaign = await c.api('POST', `${ws}/campaigns`, {
        name: 'Daily reward',
        audience_id: audience.id,
        channel_id: channelId,
        template_values: {
          title: 'Daily reward',
          content: 'Hello ${name}, your level ${level} chest is ready.',
        },
        variables: [
          { name: 'name', source: 'user.nickname', default: 'Player' },
          { name: 'level', source: 'user.level' },
        ],
      });
      await c.api('POST', `${ws}/campaigns/${campaign.id}/submit`);
      const idle = peakRssMiB(c.processes[c.processes.length - 1]!.pid);
      await c.api('POST', `${ws}/campaigns/${campaign.id}/publish`);
      let run: Record<string, unknown> | undefined;
      for (const deadline = Date.now() + 30 * 60_000; Date.now() < deadline; await sleep(200)) {
        run = (await c.api('GET', `${ws}/campaigns/${campaign.id}/runs`)).items[0];
        if (run && run.state !== 'rendering') break;
      }
      if (!run || run.state !== 'delivering')
        throw new Error(`the run did not render: ${JSON.stringify(run)}`);
      const worker = c.processes[c.processes.length - 1]!;
      const peak = peakRssMiB(worker.pid);
      if (process.env.BENCH_SMAPS) {
        const metrics = await (await fetch(`${c.base}/metrics`)).text();
        console.log(
          metrics
            .split('\n')
            .filter((l) =>
              /^touchpoint_process_(nodejs_heap_size|resident|nodejs_external|nodejs_heap_space_size_used)/.test(
                l,
              ),
            )
            .join('\n'),
        );
      }
      const queued = Number(run.queued);
      const ms = Date.parse(String(run.updated_at)) - Date.parse(String(run.started_at));
      const rate = (queued / ms) * 1000;
      for (const p of c.processes) await p.term();

      // Baseline: the same rows, pre-shaped, written page by page through the same enqueue.
      const store = await openStore(c.db.options);
      let bareMs: number;
      try {
        const scope = projectScope(1);
        started = performance.now();
        for (let i = 0; i < queued; i += PAGE) {
          const page: NewMessage[] = [];
          for (let k = i; k < Math.min(queued, i + PAGE); k++)
            page.push({
              projectId: 1,
              channelId,
              opsRequestId: uuidv7(),
              pushId: `u${k}`,
              tpUid: `tp_${String(k).padStart(8, '0')}`,
              workspaceId: c.workspaceId,
              sendId: null,
              campaignId: 'bare',
              taskId: 'bare',
              taskInstanceId: 'bare-1',
              params: {
                title: 'Daily reward',
                content: `Hello Player ${k}, your level ${k % 100} chest is ready.`,
              },
              customParams: { name: `Player ${k}` },
            });
          const now = Date.now();
          await store.transaction((tx) => tx.delivery.enqueue(scope, page, now));
        }
        bareMs = performance.now() - started;
      } finally {
        await store.close();
      }
      const bareRate = (queued / bareMs) * 1000;
      console.log(
        [
          `  run rendered ${queued.toLocaleString('en')} messages in ${(ms / 1000).toFixed(1)} s: ${Math.round(rate).toLocaleString('en')} messages/s; ${worker.name} process peak RSS ${peak.toFixed(0)} MB (${idle.toFixed(0)} MB before the run) [targets ≥ 50,000/s, ≤ 300 MB]`,
          `  baseline bare insert loop (pages of ${PAGE}, same rows, same database): ${Math.round(bareRate).toLocaleString('en')} messages/s; the run reaches ${((rate / bareRate) * 100).toFixed(0)} % of it`,
        ].join('\n'),
      );
    } finally {
      await c.close();
    }
  }
}

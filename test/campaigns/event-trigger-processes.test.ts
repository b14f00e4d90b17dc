// Issue 20 acceptance, exactly-once firing across real processes: events stream through
// /v1/batch while the process that fires event campaigns is killed with SIGKILL — once inside the
// trigger worker's transaction (after its messages are written, before the commit: the fault
// point), once at an arbitrary moment — and restarted. Every matching event yields exactly one
// message (one ops_request_id; the receiver may see it twice, delivery is at least once), no
// other event yields any. SQLite: the default start (one process, so ingest is down meanwhile and
// the client sends again: the message id dedupes); PostgreSQL: an API process and a worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServeProcess } from '../delivery/support/crash-workload.ts';
import { storeKinds } from '../support/stores.ts';
import { startCampaignCluster, waitFor, type CampaignCluster } from './support/campaign-cluster.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BATCHES = 40;
const PER_BATCH = 20;

/**
 * Posts one batch until it is acknowledged (the server may be down meanwhile: `revive` is
 * called between tries).
 */
async function post(c: CampaignCluster, batch: Json[], revive: () => Promise<void>): Promise<number> {
  for (let tries = 1; ; tries++) {
    try {
      const res = await fetch(`${c.base}/v1/batch`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.appKey}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ batch }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.text();
      if (res.status === 200) return tries;
    } catch {
      // Connection refused or reset: the server is being killed or restarted.
    }
    await sleep(100);
    await revive();
  }
}

for (const kind of storeKinds) {
  test(`ET-KILL: kill -9 of the worker while events stream in: every matching event yields exactly one message [${kind}]`, async () => {
    const c = await startCampaignCluster({
      kind,
      workers: 0,
      env: { TOUCHPOINT_CAMPAIGN_LEASE_MS: '2000', TOUCHPOINT_CAMPAIGN_POLL_MS: '100' },
    });
    const role = kind === 'sqlite' ? 'all' : 'worker';
    const args = kind === 'sqlite' ? ['--embedded'] : [];
    const faultEnv = {
      ...c.env,
      TOUCHPOINT_TEST_FAULTS: 'true',
      TOUCHPOINT_TEST_FAULT: 'triggers-exit-before-commit',
    };
    try {
      // The firing process starts with the fault: it dies inside its third sending transaction.
      if (kind === 'sqlite') await (c.processes[0] as ServeProcess).term();
      const faulty = new ServeProcess('faulty', role, faultEnv, args);
      await faulty.start();
      const healthy = new ServeProcess('healthy', role, c.env, args);
      c.processes.push(faulty, healthy);

      const channelId = await c.channel({ batch_size: 50 });
      const base = `${c.project}/workspaces/${c.workspaceId}/campaigns`;
      const campaign = await c.api('POST', base, {
        name: 'Paid orders',
        channel_id: channelId,
        trigger: {
          type: 'event',
          event: 'Order Paid',
          filters: [{ type: 'property', property: 'amount', operator: 'greater_than', value: 10 }],
        },
        template_values: { title: 'Thanks', content: 'Order ${order}' },
        variables: [{ name: 'order', source: 'event.order_id' }],
      });
      await c.api('POST', `${base}/${campaign.id}/submit`);
      await c.api('POST', `${base}/${campaign.id}/publish`);
      await waitFor('the run to listen', async () => {
        const runs = (await c.api('GET', `${base}/${campaign.id}/runs`)).items as Json[];
        return runs[0]?.state === 'listening' ? true : undefined;
      });

      const matching: string[] = [];
      let retried = 0;
      let killedAt: number | undefined;
      for (let b = 0; b < BATCHES; b++) {
        const batch = Array.from({ length: PER_BATCH }, (_, k) => {
          const order = `o-${b}-${k}`;
          const amount = k % 2 === 0 ? 25 : 5;
          const event = k % 5 === 4 ? 'Order Refunded' : 'Order Paid';
          if (event === 'Order Paid' && amount >= 10) matching.push(order);
          return {
            type: 'track',
            event,
            userId: `buyer-${(b * PER_BATCH + k) % 97}`,
            messageId: `ev-${order}`,
            properties: { order_id: order, amount },
          };
        });
        // Once the fault killed the first process: start the healthy one (it takes over the
        // leases after they expire), then kill it at an arbitrary moment and start it again.
        const revive = async () => {
          if (!faulty.running && !healthy.running && killedAt === undefined) {
            killedAt = b;
            await healthy.start();
          }
        };
        retried += (await post(c, batch, revive)) - 1;
        await revive();
        if (killedAt !== undefined && b === killedAt + 10 && healthy.running) {
          await healthy.kill9();
          await sleep(300);
          await healthy.start();
        }
        await sleep(150);
      }
      assert.ok(killedAt !== undefined, 'the fault killed the firing process while events streamed');

      const ids = new Map<string, Set<string>>();
      await waitFor(
        `a message for each of ${matching.length} matching events`,
        async () => {
          ids.clear();
          for (const m of c.receiver.messages) {
            const order = String(m.params?.content).replace('Order ', '');
            const set = ids.get(order) ?? new Set<string>();
            set.add(m['#ops_receipt_properties'].ops_request_id);
            ids.set(order, set);
          }
          return matching.every((o) => ids.has(o)) ? true : undefined;
        },
        180_000,
      );
      await sleep(1500); // late duplicates, if any, would arrive now
      const twice = [...ids].filter(([, set]) => set.size > 1).map(([o]) => o);
      const stray = [...ids.keys()].filter((o) => !matching.includes(o));
      assert.deepEqual([twice, stray], [[], []], `twice: ${twice.slice(0, 5)}; stray: ${stray.slice(0, 5)}`);
      const [run] = (await c.api('GET', `${base}/${campaign.id}/runs`)).items as Json[];
      assert.deepEqual(
        [run!.fired, run!.processed, run!.queued],
        [matching.length, matching.length, matching.length],
        JSON.stringify(run),
      );
      console.log(
        `ET-KILL [${kind}]: ${matching.length} matching of ${BATCHES * PER_BATCH} events, fault kill at batch ${killedAt}, requests sent again ${retried}, ${c.receiver.messages.length} messages received`,
      );
    } finally {
      await c.close();
    }
  });
}

// WH-24 (one limit shared by two worker processes on PostgreSQL) and WH-25 with a real kill -9:
// real `touchpoint serve` processes (one api, two workers), request starts measured by a receiver
// in its own process on 127.0.0.1. The 30 s averages are in bench/delivery.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from './support/crash-workload.ts';
import { startReceiverProcess } from './support/receiver-process.ts';
import { maxInWindow } from './support/sliding-window.ts';

test('WH-24/WH-25 rate_limit 30 shared by 2 worker processes on PostgreSQL, one killed -9 and restarted mid-backlog: at most 30 starts in every sliding second', async () => {
  const R = 30;
  const remote = await startReceiverProcess({ token: 'crash-token' });
  const cluster = await startCluster({
    kind: 'postgres',
    workers: 2,
    users: 40,
    behaviour: () => ({ status: 200, delayMs: 0 }),
    channel: { url: `${remote.url}/wh24`, batch_size: 1, rate_limit: R },
    // Five processes and PostgreSQL on two shared cores: starts leave up to ~50 ms late (and the
    // receiver stamps them late too), so the margin is widened; the bench measures the default.
    env: {
      TOUCHPOINT_DELIVERY_CHANNEL_CONCURRENCY: '8',
      TOUCHPOINT_DELIVERY_POLL_MS: '20',
      TOUCHPOINT_DELIVERY_RATE_MARGIN_MS: '60',
    },
  });
  try {
    for (let k = 0; k < 4; k += 1) {
      const op = await cluster.send(k, cluster.users);
      assert.equal(op.outcome, 'ok', op.detail);
    }
    await sleep(2000);
    const worker = cluster.processes.find((p) => p.name === 'worker-1');
    assert.ok(worker);
    await cluster.kill9(worker);
    await worker.start();
    const counts = await cluster.drain(90_000);
    assert.equal(counts.delivered, 160, JSON.stringify(counts));
    const times = await remote.starts('/wh24');
    assert.ok(times.length >= 160);
    const worst = maxInWindow(times, 1000);
    const t = times.map((x) => x - times[0]!);
    assert.ok(worst <= R, `${worst} requests started within one second (limit ${R}): ${t.join(' ')}`);
    const stats = await remote.stats();
    assert.equal(stats.badSignatures, 0);
    // Both workers took part: the limit was shared, not one process doing everything.
    const workers = await cluster.rows(
      "SELECT count(DISTINCT split_part(leased_by, ':', 2)) AS n FROM message_attempts",
    );
    assert.ok(Number(workers[0]?.n) >= 2, `attempts came from ${String(workers[0]?.n)} worker process(es)`);
  } finally {
    await cluster.close();
    await remote.close();
  }
});

// Issue 17 item 6: retention deletes only finished messages (delivered, failed, dead, sent) that
// finished before the period, with their attempts, and the charts' minutes older than the period;
// never queued, sending or held messages, whatever their age. Both databases, chunked.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import { projectScope, systemScope } from '../../src/access/scope.ts';
import { requestIncrement } from '../../src/delivery/delivery-stats.ts';
import { MessageRetention } from '../../src/delivery/message-retention.ts';
import type { MessageAttempt, NewMessage } from '../../src/delivery/model.ts';
import type { MessageUpdate } from '../../src/delivery/plan-outcomes.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { forEachStore } from '../support/stores.ts';

const DAY = 86_400_000;
const system = systemScope('test');

forEachStore('message retention', (ctx) => {
  const now = Date.now();
  const cutoff = now - 30 * DAY;
  let projects: number[] = [];
  /** ops_request_id → what retention must do with it. */
  const expected = new Map<string, 'deleted' | 'kept'>();
  const channelId = 'ch_retention';

  // One channel per message, so each claim takes exactly the message just placed.
  const message = (projectId: number, id: string): NewMessage => ({
    projectId,
    channelId: `ch_${id}`,
    opsRequestId: id,
    pushId: `push-${id}`,
    tpUid: null,
    workspaceId: null,
    sendId: null,
    campaignId: null,
    taskId: 'task',
    taskInstanceId: 'task',
    params: { title: 'T' },
    customParams: {},
  });

  /** Enqueues one message long ago, claims it and leaves it in `state`, finished at `finishedAt`. */
  async function place(
    projectId: number,
    state: 'delivered' | 'failed' | 'dead' | 'sent' | 'queued' | 'sending' | 'held',
    finishedAt: number,
    fate: 'deleted' | 'kept',
  ) {
    const id = `${state}-${randomUUID().slice(0, 8)}`;
    expected.set(id, fate);
    await ctx.store.delivery.enqueue(projectScope(projectId), [message(projectId, id)], now - 90 * DAY);
    if (state === 'queued') return id;
    const token = randomUUID();
    const claimed = await ctx.store.transaction((tx) =>
      tx.delivery.claim(system, `ch_${id}`, {
        limit: 1,
        leaseMs: 60_000,
        leaseToken: token,
        leasedBy: 'test',
      }),
    );
    assert.equal(claimed.length, 1);
    const m = claimed[0]!;
    assert.equal(m.opsRequestId, id);
    if (state === 'sending') return id;
    if (state === 'held') {
      await ctx.store.delivery.holdLeased(system, token, 'unhealthy');
      return id;
    }
    const update: MessageUpdate = {
      state,
      attempts: 1,
      nextAttemptAt: null,
      reason: state === 'delivered' || state === 'sent' ? null : 'http_5xx',
      error: null,
    };
    const attempt = (n: number): MessageAttempt => ({
      messageId: m.id,
      projectId,
      batchId: randomUUID(),
      attempt: n,
      leaseToken: token,
      leasedBy: 'test',
      leasedUntil: m.leasedUntil,
      startedAt: finishedAt - 10,
      latencyMs: 10,
      status: 200,
      result: 'success',
      outcome: state,
      reason: null,
      detail: null,
      responseExcerpt: null,
      manualReplay: false,
      late: false,
    });
    await ctx.store.transaction((tx) =>
      tx.delivery.complete(system, token, [{ id: m.id, update }], [attempt(1), attempt(2)], finishedAt),
    );
    return id;
  }

  before(async () => {
    projects = [
      (await ctx.store.projects.create(system, { name: 'Retention A', timeZone: 'UTC' })).id,
      (await ctx.store.projects.create(system, { name: 'Retention B', timeZone: 'UTC' })).id,
    ];
    for (const projectId of projects) {
      // Finished before the period, in every final state: deleted (more than one chunk of 3).
      for (const state of ['delivered', 'failed', 'dead', 'sent'] as const)
        await place(projectId, state, cutoff - DAY, 'deleted');
      await place(projectId, 'delivered', cutoff - 1, 'deleted');
      // Finished inside the period: kept.
      await place(projectId, 'delivered', cutoff + 60_000, 'kept');
      await place(projectId, 'dead', now - DAY, 'kept');
      // Unfinished, however old: kept.
      await place(projectId, 'queued', 0, 'kept');
      await place(projectId, 'sending', 0, 'kept');
      await place(projectId, 'held', 0, 'kept');
    }
    // An old dead message replayed (queued again, finished_at cleared): kept.
    const replayed = await place(projects[0]!, 'dead', cutoff - DAY, 'kept');
    assert.deepEqual(
      await ctx.store.delivery.replay(projectScope(projects[0]!), { opsRequestIds: [replayed] }, now),
      [replayed],
    );
    // The charts' minutes: two old, one inside the period.
    for (const finishedAt of [cutoff - 2 * DAY, cutoff - 120_000, cutoff + 120_000])
      await ctx.store.deliveryStats.record(
        system,
        requestIncrement({
          projectId: projects[0]!,
          channelId,
          finishedAt,
          result: 'success',
          latencyMs: 12,
          outcomes: [{ outcome: 'delivered', late: false }],
        }),
      );
  });

  async function survivors(): Promise<Map<string, number>> {
    const alive = new Map<string, number>();
    for (const projectId of projects) {
      const rows = await ctx.store.delivery.list(projectScope(projectId), {}, { limit: 1000 });
      for (const m of rows)
        alive.set(m.opsRequestId, (await ctx.store.delivery.attempts(projectScope(projectId), m.id)).length);
    }
    return alive;
  }

  test('deletes finished messages older than the period with their attempts, in chunks; keeps the rest', async () => {
    const beforePrune = await survivors();
    assert.equal(beforePrune.size, expected.size);
    const retention = new MessageRetention({
      store: ctx.store,
      logger: createLogger('silent'),
      options: { retentionMs: 30 * DAY, chunk: 3 },
      now: () => now,
    });
    const report = await retention.prune();
    const deleted = [...expected].filter(([, fate]) => fate === 'deleted').map(([id]) => id);
    assert.equal(report.messages, deleted.length);
    assert.equal(report.attempts, deleted.length * 2, 'both attempts of each deleted message');
    assert.equal(report.statsMinutes, 2);
    const after = await survivors();
    for (const [id, fate] of expected) {
      assert.equal(after.has(id), fate === 'kept', `${id} should be ${fate}`);
      if (fate === 'kept') assert.equal(after.get(id), beforePrune.get(id), `${id} keeps its attempts`);
    }
    const minutes = await ctx.store.deliveryStats.minutes(
      projectScope(projects[0]!),
      channelId,
      0,
      now + DAY,
    );
    assert.deepEqual(
      minutes.map((m) => m.minute),
      [Math.floor((cutoff + 120_000) / 60_000) * 60_000],
    );
    // Nothing left to do: a second run deletes nothing.
    assert.deepEqual(await retention.prune(), { messages: 0, attempts: 0, statsMinutes: 0, fires: 0 });
  });
});

// bench/outbox: the outbox's streaming writer (issue 15 item 1) on SQLite and PostgreSQL. Enqueues
// N rendered messages (default 1,000,000) from a generator through `Outbox.enqueue` and reports
// messages/s and the memory it took, against two baselines measured in the same run: the same
// generator drained without storing (its pure cost), and the naive approach of collecting the
// messages in an array first (the memory a non-streaming writer needs).
//
//   npm run bench -- outbox [--messages 1000000] [--db sqlite|postgres|both] [--chunk 5000]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { projectScope } from '../src/access/scope.ts';
import type { NewMessage } from '../src/delivery/model.ts';
import { Outbox } from '../src/delivery/outbox.ts';
import { deliveryFixture } from '../test/delivery/support/delivery-fixture.ts';
import type { StoreKind } from '../test/support/stores.ts';

function* messages(n: number, projectId: number, channelId: string, workspaceId: string) {
  for (let i = 0; i < n; i += 1)
    yield {
      projectId,
      channelId,
      opsRequestId: randomUUID(),
      pushId: `user-${i}`,
      tpUid: `tp-${i}`,
      workspaceId,
      sendId: null,
      campaignId: 'bench',
      taskId: 'bench',
      taskInstanceId: 'run-1',
      params: { title: 'Daily reward', content: `Hello, player ${i}! Your chest is ready.` },
      customParams: { level: String(i % 90), region: 'eu' },
    } satisfies NewMessage;
}

/** Runs `fn` while sampling the heap every 20 ms; answers its time and the peak heap growth. */
async function measured(fn: () => Promise<unknown> | unknown): Promise<{ ms: number; peakMiB: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  const started = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { ms: performance.now() - started, peakMiB: (peak - base) / 2 ** 20 };
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string', default: '1000000' },
      db: { type: 'string', default: 'both' },
      chunk: { type: 'string', default: '5000' },
    },
  });
  const n = Number(values.messages);
  const chunkSize = Number(values.chunk);
  const kinds: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];
  for (const kind of kinds) {
    const d = await deliveryFixture(kind);
    try {
      const projectId = d.f.a.project.id as number;
      const channelId = 'ch_bench';
      const make = () => messages(n, projectId, channelId, d.workspaceId);
      const drained = await measured(() => {
        let count = 0;
        for (const _ of make()) count += 1;
        return count;
      });
      let held = 0;
      const collected = await measured(() => {
        const all = [...make()];
        held = all.length;
      });
      const outbox = new Outbox({ store: d.f.t.deps.store });
      let queued = 0;
      const streamed = await measured(async () => {
        queued = await outbox.enqueue(projectScope(projectId), make(), { chunkSize });
      });
      const rate = (queued / streamed.ms) * 1000;
      console.log(
        [
          `outbox [${kind}] ${queued.toLocaleString('en')} messages in transactions of ${chunkSize}:`,
          `  streamed: ${(streamed.ms / 1000).toFixed(1)} s, ${Math.round(rate).toLocaleString('en')} messages/s, peak heap +${streamed.peakMiB.toFixed(0)} MiB`,
          `  baseline generator only: ${(drained.ms / 1000).toFixed(1)} s (storing costs ${(streamed.ms / drained.ms).toFixed(1)}× generating)`,
          `  baseline ${held.toLocaleString('en')} collected in an array first: peak heap +${collected.peakMiB.toFixed(0)} MiB (streaming uses ${((streamed.peakMiB / collected.peakMiB) * 100).toFixed(0)} % of it)`,
        ].join('\n'),
      );
    } finally {
      await d.close();
    }
  }
}

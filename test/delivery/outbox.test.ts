// The outbox's streaming writer (issue 15 item 1): messages from an async iterable are committed in
// transactions of `chunkSize`, never more than one chunk held; a failure loses only the chunk in
// hand; the rows hold everything a request needs (delivered without re-rendering). Both databases.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { projectScope } from '../../src/access/scope.ts';
import type { NewMessage } from '../../src/delivery/model.ts';
import { Outbox } from '../../src/delivery/outbox.ts';
import type { Json } from '../channels/channel-fixture.ts';
import { storeKinds } from '../support/stores.ts';
import {
  deliveryFixture,
  ok,
  scriptableReceiver,
  type DeliveryFixture,
  type ScriptableReceiver,
} from './support/delivery-fixture.ts';

for (const kind of storeKinds) {
  describe(`outbox [${kind}]`, () => {
    let d: DeliveryFixture;
    let receiver: ScriptableReceiver;
    let projectId: number;
    before(async () => {
      d = await deliveryFixture(kind);
      receiver = await scriptableReceiver(() => ({ body: ok() }));
      projectId = d.f.a.project.id as number;
    });
    after(async () => {
      await receiver.close();
      await d.close();
    });

    const message = (channelId: string, run: string, i: number): NewMessage => ({
      projectId,
      channelId,
      opsRequestId: randomUUID(),
      pushId: `u-${i}`,
      tpUid: null,
      workspaceId: d.workspaceId,
      sendId: null,
      campaignId: null,
      taskId: run,
      taskInstanceId: run,
      params: { title: `T-${i}`, content: 'C' },
      customParams: {},
    });

    const counts = async (channelId: string) =>
      (await d.f.as('adminA', d.f.a, { url: `${d.base}/messages-counts?channel_id=${channelId}` })).json();

    test('streamed messages are delivered as stored: the same params, ids and task ids at the receiver', async () => {
      const channel = await d.channel(`${receiver.origin}/hook`, { batch_size: 7 });
      const sent = Array.from({ length: 30 }, (_, i) => message(channel.id, 'run-5', i));
      const outbox = new Outbox({ store: d.f.t.deps.store });
      await outbox.enqueue(projectScope(projectId), sent, { chunkSize: 8 });
      const start = receiver.received.length;
      await d.deliverUntil(async () => (await counts(channel.id)).delivered === 30);
      const got = receiver.received.slice(start).flatMap((r) => r.messages);
      // First in the file: no other channel has messages yet.
      assert.equal(got.length, 30);
      assert.ok(receiver.received.slice(start).every((r) => r.messages.length <= 7 && r.signatureOk));
      const byId = new Map(got.map((m: Json) => [m['#ops_receipt_properties'].ops_request_id, m]));
      for (const m of sent) {
        const arrived = byId.get(m.opsRequestId);
        assert.ok(arrived, `${m.opsRequestId} arrived`);
        assert.equal(arrived.push_id, m.pushId);
        assert.deepEqual(arrived.params, m.params);
        assert.equal(arrived['#ops_receipt_properties'].ops_task_id, 'run-5');
        assert.equal(arrived['#ops_receipt_properties'].ops_project_id, projectId);
      }
    });

    test('commits an async stream in transactions of chunkSize, pulling at most one chunk ahead of the commits', async () => {
      const channel = await d.channel(`${receiver.origin}/hook`);
      let produced = 0;
      let committed = 0;
      let mostAhead = 0;
      const chunks: number[] = [];
      async function* stream() {
        for (let i = 0; i < 12_345; i += 1) {
          produced += 1;
          mostAhead = Math.max(mostAhead, produced - committed);
          yield message(channel.id, 'run-1', i);
        }
      }
      const woken: number[] = [];
      const outbox = new Outbox({ store: d.f.t.deps.store, onEnqueued: (_p, n) => woken.push(n) });
      const queued = await outbox.enqueue(projectScope(projectId), stream(), {
        chunkSize: 1000,
        onChunk: async (_tx, chunk) => {
          chunks.push(chunk.length);
          committed += chunk.length;
        },
      });
      assert.equal(queued, 12_345);
      assert.deepEqual(chunks, [...Array(12).fill(1000), 345]);
      assert.deepEqual(woken, chunks, 'the dispatcher is woken after each commit');
      assert.ok(mostAhead <= 1000, `held ${mostAhead} messages at once`);
      assert.equal((await counts(channel.id)).queued, 12_345);
    });

    test('a stream that fails loses only the chunk in hand: the committed chunks stay, each once', async () => {
      const channel = await d.channel(`${receiver.origin}/hook`);
      async function* failing() {
        for (let i = 0; i < 2500; i += 1) yield message(channel.id, 'run-2', i);
        throw new Error('the audience cursor broke');
      }
      const outbox = new Outbox({ store: d.f.t.deps.store });
      await assert.rejects(
        outbox.enqueue(projectScope(projectId), failing(), { chunkSize: 1000 }),
        /audience cursor broke/,
      );
      assert.equal((await counts(channel.id)).queued, 2000);
    });

    test('onChunk shares the chunk’s transaction: when it throws, the chunk is not committed', async () => {
      const channel = await d.channel(`${receiver.origin}/hook`);
      const outbox = new Outbox({ store: d.f.t.deps.store });
      let calls = 0;
      await assert.rejects(
        outbox.enqueue(
          projectScope(projectId),
          Array.from({ length: 30 }, (_, i) => message(channel.id, 'run-3', i)),
          {
            chunkSize: 10,
            onChunk: async () => {
              calls += 1;
              if (calls === 2) throw new Error('progress could not be recorded');
            },
          },
        ),
        /progress could not be recorded/,
      );
      assert.equal((await counts(channel.id)).queued, 10);
    });

    test('refuses a message of another project before writing anything', async () => {
      const channel = await d.channel(`${receiver.origin}/hook`);
      const outbox = new Outbox({ store: d.f.t.deps.store });
      const stray = { ...message(channel.id, 'run-4', 1), projectId: projectId + 1 };
      await assert.rejects(
        outbox.enqueue(projectScope(projectId), [message(channel.id, 'run-4', 0), stray]),
        RangeError,
      );
      assert.equal((await counts(channel.id)).queued ?? 0, 0);
    });
  });
}

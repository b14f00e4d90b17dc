import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBatch } from '../../../../src/channels/webhook/protocol/build-batch.ts';
import { serializeBatch } from '../../../../src/channels/webhook/protocol/serialize-batch.ts';
import { formatNumber, toStringForm } from '../../../../src/channels/string-form.ts';
import {
  toWireMessage,
  type RenderedMessage,
} from '../../../../src/channels/webhook/protocol/wire-message.ts';

const receipt = {
  requestId: 'f7b66eb7-3363-4a46-a402-601a64b45f76',
  taskId: '0050',
  taskInstanceId: '31',
  projectId: 1,
};

test('string forms: integers, shortest decimals, booleans, dates in the project zone, compact JSON', () => {
  const cases: [unknown, string][] = [
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [12.5, '12.5'],
    [0.1, '0.1'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e-7, '0.0000001'],
    [-1.5e-9, '-0.0000000015'],
    [1e21, '1000000000000000000000'],
    [1.2345e22, '12345000000000000000000'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    [12345678901234567890n, '12345678901234567890'],
    [true, 'true'],
    [false, 'false'],
    ['as is', 'as is'],
    [{ b: 1, a: [true, null] }, '{"b":1,"a":[true,null]}'],
    [['x', 2], '["x",2]'],
    [{ n: 5n }, '{"n":"5"}'],
  ];
  for (const [value, form] of cases) assert.equal(toStringForm(value, 'UTC'), form, String(value));
  const instant = new Date('2026-12-31T16:30:05Z');
  assert.equal(toStringForm(instant, 'UTC'), '2026-12-31 16:30:05');
  assert.equal(toStringForm(instant, 'Asia/Shanghai'), '2027-01-01 00:30:05');
  assert.equal(toStringForm(instant, 'America/Los_Angeles'), '2026-12-31 08:30:05');
  assert.equal(toStringForm(new Date('2026-06-01T00:00:00Z'), 'UTC'), '2026-06-01 00:00:00');
  for (const bad of [Number.NaN, Infinity]) assert.throws(() => formatNumber(bad));
  assert.throws(() => toStringForm(new Date('nope'), 'UTC'));
  assert.throws(() => toStringForm(null, 'UTC'));
  // Shortest round trip: every decimal form reads back as the same double.
  for (const n of [0.1, 1 / 3, 2 ** -40, 123456.789, 5e-324, 1.7976931348623157e308])
    assert.equal(Number(formatNumber(n)), n);
});

test('wire message: push_id from the send-ID value, strings everywhere, null custom params, receipt ids', () => {
  const message: RenderedMessage = {
    pushId: 1001,
    params: {
      title: 'daily activities',
      count: 3,
      when: new Date('2026-01-02T03:04:05Z'),
      skipped: null,
      attachment: [
        { item_id: 'xx1', count: 5, note: null },
        { item_id: 'xx2', count: 10.5 },
      ],
      tags: ['a', 'b'],
    },
    customParams: { gameuid: '123acb123', vip: null, missing: undefined, level: 3, flag: false },
    receipt,
  };
  assert.deepEqual(toWireMessage(message, { timeZone: 'Asia/Shanghai' }), {
    push_id: '1001',
    params: {
      title: 'daily activities',
      count: '3',
      when: '2026-01-02 11:04:05',
      attachment: [
        { item_id: 'xx1', count: '5' },
        { item_id: 'xx2', count: '10.5' },
      ],
      tags: '["a","b"]',
    },
    custom_params: { gameuid: '123acb123', vip: null, missing: null, level: '3', flag: 'false' },
    '#ops_receipt_properties': {
      ops_request_id: receipt.requestId,
      ops_task_id: '0050',
      ops_task_instance_id: '31',
      ops_project_id: 1,
    },
  });
});

test('the SPEC §3.2 example message serializes to the SPEC bytes', () => {
  const body = serializeBatch(
    buildBatch(
      [
        {
          pushId: 'r-1001',
          params: {
            title: 'daily activities',
            content: 'Hello, Zhang San!',
            attachment: [{ item_id: 'xx1', count: 5 }],
          },
          customParams: { gameuid: '123acb123', name: 'Zhang San' },
          receipt,
        },
      ],
      { timeZone: 'UTC' },
    ),
  );
  assert.equal(
    body.toString(),
    '[{"push_id":"r-1001",' +
      '"params":{"title":"daily activities","content":"Hello, Zhang San!","attachment":[{"item_id":"xx1","count":"5"}]},' +
      '"custom_params":{"gameuid":"123acb123","name":"Zhang San"},' +
      '"#ops_receipt_properties":{"ops_request_id":"f7b66eb7-3363-4a46-a402-601a64b45f76","ops_task_id":"0050","ops_task_instance_id":"31","ops_project_id":1}}]',
  );
});

test('a batch holds 1 to 500 messages', () => {
  const one: RenderedMessage = { pushId: 'a', params: {}, customParams: {}, receipt };
  assert.throws(() => buildBatch([], { timeZone: 'UTC' }), RangeError);
  assert.throws(() => buildBatch(Array(501).fill(one), { timeZone: 'UTC' }), RangeError);
  assert.equal(buildBatch(Array(500).fill(one), { timeZone: 'UTC' }).length, 500);
  assert.throws(() => serializeBatch([]), RangeError);
});

test('dates formatted per second and zone: the cache never answers another second or zone', () => {
  const t = Date.parse('2026-03-29T00:59:59.100Z'); // Europe/London switches to BST at 01:00 UTC
  assert.equal(toStringForm(new Date(t), 'Europe/London'), '2026-03-29 00:59:59');
  assert.equal(toStringForm(new Date(t + 800), 'Europe/London'), '2026-03-29 00:59:59');
  assert.equal(toStringForm(new Date(t + 900), 'Europe/London'), '2026-03-29 02:00:00');
  assert.equal(toStringForm(new Date(t + 900), 'Asia/Shanghai'), '2026-03-29 09:00:00');
  assert.equal(toStringForm(new Date(t + 900), 'Europe/London'), '2026-03-29 02:00:00');
  assert.equal(toStringForm(new Date(t - 1000), 'Europe/London'), '2026-03-29 00:59:58');
});

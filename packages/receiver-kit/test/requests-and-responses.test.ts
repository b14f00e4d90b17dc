import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  buildResponse,
  decodeBody,
  failListFrom,
  failureResponse,
  parseMessages,
  parseRequest,
} from '../src/index.ts';

const messages = [
  {
    push_id: 'r-1',
    params: { title: 'hi' },
    custom_params: { name: null },
    '#ops_receipt_properties': {
      ops_request_id: 'a',
      ops_task_id: '1',
      ops_task_instance_id: '2',
      ops_project_id: 3,
    },
  },
];
const json = Buffer.from(JSON.stringify(messages));

test('parseRequest reads plain and gzipped bodies and returns the signed JSON bytes', () => {
  for (const [raw, encoding] of [
    [json, undefined],
    [json, 'identity'],
    [gzipSync(json), 'gzip'],
    [gzipSync(json), 'GZIP'],
    [gzipSync(json), 'x-gzip'],
  ] as const) {
    const parsed = parseRequest(raw, encoding);
    assert.ok(parsed.ok, String(encoding));
    assert.ok(parsed.json.equals(json));
    assert.deepEqual(parsed.messages, messages);
  }
});

test('parseRequest refuses bad encodings, bad gzip, gzip bombs, non-arrays and empty batches', () => {
  const problems: [Uint8Array, string | undefined, number][] = [
    [json, 'br', 415],
    [Buffer.from('not gzip'), 'gzip', 400],
    [gzipSync(Buffer.alloc(2 * 1024 * 1024, ' ')), 'gzip', 413],
    [Buffer.from('{"push_id":"x"}'), undefined, 400],
    [Buffer.from('[]'), undefined, 400],
    [Buffer.from('[1,2]'), undefined, 400],
    [Buffer.from('[{"a":1},'), undefined, 400],
    [Buffer.from([0x5b, 0xff, 0x5d]), undefined, 400],
    [Buffer.alloc(1024 * 1024 + 1, ' '), undefined, 413],
  ];
  for (const [raw, encoding, status] of problems) {
    const parsed = parseRequest(raw, encoding, 1024 * 1024);
    assert.equal(parsed.ok, false);
    assert.equal(!parsed.ok && parsed.status, status, `${encoding} ${raw.subarray(0, 10).toString()}`);
  }
  assert.equal(decodeBody(json, undefined).ok, true);
  assert.equal(parseMessages(Buffer.from('[{}]')).ok, true);
});

test('responses: fail_list indexes are 1-based, built from per-message results', () => {
  assert.deepEqual(buildResponse(), { return_code: 0, return_message: 'success', data: { fail_list: [] } });
  assert.deepEqual(failListFrom([null, 'no such player', undefined, 'push id not found']), [
    { index: 2, message: 'no such player' },
    { index: 4, message: 'push id not found' },
  ]);
  assert.deepEqual(failListFrom(undefined), []);
  assert.deepEqual(buildResponse(failListFrom(['first failed'])).data.fail_list, [
    { index: 1, message: 'first failed' },
  ]);
  for (const index of [0, -1, 1.5, Number.NaN])
    assert.throws(() => buildResponse([{ index, message: 'x' }]), RangeError);
  assert.deepEqual(failureResponse('down'), {
    return_code: 1,
    return_message: 'down',
    data: { fail_list: [] },
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Issues } from '../../src/issues.ts';
import type { TemplateField } from '../../src/channels/model.ts';
import { renderMessages, type RenderPlan } from '../../src/channels/render-messages.ts';
import { checkVariables } from '../../src/channels/variables.ts';

const field = (key: string, type: TemplateField['type']): TemplateField => ({
  key,
  label: key,
  type,
  prompt: null,
  required: false,
});

let counter = 0;
const plan = (over: Partial<RenderPlan> = {}): RenderPlan => ({
  channel: {
    sendIdType: 'role_id',
    template: [
      field('title', 'text'),
      field('content', 'dynamic_text'),
      field('count', 'number'),
      field('ends_at', 'date'),
      field('pack', 'enum'),
      field('attachment', 'array_row'),
    ],
    customParams: [
      { key: 'name', property: 'nickname', defaultValue: null },
      { key: 'level', property: 'level', defaultValue: '1' },
      { key: 'vip', property: 'vip', defaultValue: null },
      { key: 'score', property: 'score', defaultValue: null },
      { key: 'big', property: 'big', defaultValue: null },
      { key: 'tiny', property: 'tiny', defaultValue: null },
      { key: 'tags', property: 'tags', defaultValue: null },
      { key: 'address', property: 'address', defaultValue: null },
      { key: 'seen', property: 'seen', defaultValue: null },
    ],
  },
  values: {
    title: 'Daily ${name}',
    content: 'Hello, ${name}! Level ${level}.',
    count: 5,
    ends_at: new Date('2026-03-04T05:06:07Z'),
    pack: 'gold',
    attachment: [{ item_id: 'xx1', count: 5, ratio: 0.5, open: true }],
  },
  variables: [
    { name: 'name', source: { from: 'user', property: 'nickname' }, defaultValue: 'Player' },
    { name: 'level', source: { from: 'user', property: 'level' }, defaultValue: null },
  ],
  timeZone: 'Asia/Shanghai',
  receipt: { taskId: '0050', taskInstanceId: '31', projectId: 7 },
  newRequestId: () => `req-${++counter}`,
  ...over,
});

const zhang = {
  identities: [
    { type: 'role_id', value: 'r-1001' },
    { type: 'email', value: 'zhang@example.com' },
  ],
  properties: {
    nickname: 'Zhang San',
    level: 12,
    vip: false,
    score: 12.5,
    big: 12345678901234567890n,
    tiny: 1e-7,
    tags: ['a', 'b'],
    address: { city: '上海', zip: 200000 },
    seen: new Date('2026-01-01T16:00:00Z'),
  },
};

test('every SPEC §3.2 string form: integers, shortest decimals, booleans, dates in the project zone, objects as compact JSON', () => {
  const [message] = renderMessages(plan(), zhang);
  assert.ok(message);
  assert.deepEqual(message.customParams, {
    name: 'Zhang San',
    level: '12',
    vip: 'false',
    score: '12.5',
    big: '12345678901234567890',
    tiny: '0.0000001',
    tags: '["a","b"]',
    address: '{"city":"上海","zip":200000}',
    seen: '2026-01-02 00:00:00',
  });
  assert.equal(message.params.count, '5');
  assert.equal(message.params.ends_at, '2026-03-04 13:06:07');
  assert.equal(message.params.pack, 'gold');
  assert.deepEqual(message.params.attachment, [{ item_id: 'xx1', count: '5', ratio: '0.5', open: 'true' }]);
});

test('${name} is replaced only inside dynamic_text, with the string form of the property', () => {
  const [message] = renderMessages(plan(), zhang);
  assert.equal(message?.params.title, 'Daily ${name}');
  assert.equal(message?.params.content, 'Hello, Zhang San! Level 12.');
});

test('a missing or empty property takes the default, else empty text; custom params: default, else null', () => {
  const [message] = renderMessages(plan(), {
    identities: [{ type: 'role_id', value: 'r-2' }],
    properties: { nickname: '', level: null },
  });
  assert.equal(message?.params.content, 'Hello, Player! Level .');
  assert.equal(message?.customParams.name, null);
  assert.equal(message?.customParams.level, '1');
  assert.equal(message?.customParams.vip, null);
});

test('event.<property> variables read the triggering event', () => {
  const [message] = renderMessages(
    plan({
      values: { content: 'Your order ${order} shipped' },
      variables: [{ name: 'order', source: { from: 'event', property: 'order_id' }, defaultValue: '?' }],
    }),
    { ...zhang, event: { order_id: 8812 } },
  );
  assert.equal(message?.params.content, 'Your order 8812 shipped');
});

test('one message per send-ID value, each with its own ops_request_id and the same receipt ids', () => {
  counter = 0;
  const messages = renderMessages(plan(), {
    identities: [
      { type: 'role_id', value: 'r-1' },
      { type: 'role_id', value: 'r-2' },
      { type: 'role_id', value: 'r-1' },
      { type: 'email', value: 'x@example.com' },
    ],
    properties: {},
  });
  assert.deepEqual(
    messages.map((m) => [m.pushId, m.receipt]),
    [
      ['r-1', { taskId: '0050', taskInstanceId: '31', projectId: 7, requestId: 'req-1' }],
      ['r-2', { taskId: '0050', taskInstanceId: '31', projectId: 7, requestId: 'req-2' }],
    ],
  );
});

test('without a send-ID value there is no message; a hand-typed property can address the user', () => {
  assert.deepEqual(
    renderMessages(plan(), { identities: [{ type: 'email', value: 'e' }], properties: {} }),
    [],
  );
  const typed = renderMessages(plan(), { identities: [], properties: { role_id: 42 } });
  assert.deepEqual(
    typed.map((m) => m.pushId),
    ['42'],
  );
});

test('optional fields left empty are left out of params', () => {
  const [message] = renderMessages(plan({ values: { title: 't', count: null } }), zhang);
  assert.deepEqual(message?.params, { title: 't' });
});

test('checkVariables: names, sources, duplicates and undeclared ${x} are coded issues with paths', () => {
  const issues = new Issues();
  const fields = [field('content', 'dynamic_text'), field('title', 'text')];
  checkVariables(
    [
      { name: 'ok', source: 'user.nickname' },
      { name: 'ok', source: 'user.other' },
      { name: '9bad', source: 'user.x' },
      { name: 'ev', source: 'event.amount' },
      { name: 'src', source: 'profile.x' },
    ],
    fields,
    { content: '${ok} ${missing}', title: '${also_missing}' },
    { eventSource: false },
    issues,
  );
  assert.deepEqual(
    issues.list.map((i) => [i.path, i.rule]),
    [
      ['/variables/1/name', 'unique'],
      ['/variables/2/name', 'pattern'],
      ['/variables/3/source', 'event_source'],
      ['/variables/4/source', 'pattern'],
      ['/template_values/content', 'unknown_variable'],
    ],
  );
  const ok = new Issues();
  const variables = checkVariables(
    [{ name: 'ev', source: 'event.amount', default: '0' }],
    fields,
    { content: '${ev}' },
    { eventSource: true },
    ok,
  );
  assert.deepEqual(ok.list, []);
  assert.deepEqual(variables, [
    { name: 'ev', source: { from: 'event', property: 'amount' }, defaultValue: '0' },
  ]);
});

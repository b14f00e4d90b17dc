import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHttp, type Listener } from '../net/loopback.ts';
import { runTouchpoint } from '../support/cli.ts';
import { createTenancyFixture, type TenancyFixture } from '../support/tenancy-fixture.ts';
import { channelApp, webhookBody, type Json } from '../channels/channel-fixture.ts';

let f: TenancyFixture;
let receiver: Listener;
let channel: Json;
let env: Record<string, string>;

before(async () => {
  f = await createTenancyFixture('sqlite');
  receiver = await startHttp((_req, res) =>
    res.end('{"return_code":0,"return_message":"success","data":null}'),
  );
  const h = await channelApp(f, { allowTargets: '127.0.0.1/32' });
  try {
    const res = await h.as('adminA', f.a, {
      method: 'POST',
      url: `/api/v1/projects/${f.a.project.id}/channels`,
      payload: webhookBody({
        name: 'CLI',
        url: `http://127.0.0.1:${receiver.port}/hook`,
        compression: false,
      }),
    });
    assert.equal(res.statusCode, 201, res.body);
    channel = res.json();
  } finally {
    await h.close();
  }
  env = { ...f.t.db.env, TOUCHPOINT_MASTER_KEY: '', TOUCHPOINT_ALLOW_TARGETS: '127.0.0.1/32' };
});
after(async () => {
  await receiver.close();
  await f.close();
});

const args = (...extra: string[]) => [
  'channel',
  'test',
  '--project',
  String(f.a.project.id),
  '--channel',
  channel.id as string,
  ...extra,
];

test('touchpoint channel test sends one signed request and prints request, response and verdict', async () => {
  const result = await runTouchpoint(
    args(
      '--as',
      f.accounts.adminA.email,
      '--properties',
      '{"role_id":"r-1001"}',
      '--params',
      '{"title":"Hi","content":"Hello"}',
    ),
    env,
  );
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, /→ POST http:\/\/127\.0\.0\.1:\d+\/hook/);
  assert.match(result.stdout, /X-TE-OPS-Signature: [0-9a-f]{40}/);
  assert.match(result.stdout, /← HTTP 200/);
  assert.match(result.stdout, /verdict: success/);
  assert.match(result.stdout, /is tested/);
  assert.ok(!result.stdout.includes('channel-token-canary'));
  assert.equal(receiver.requests.length, 1);
  assert.equal(JSON.parse(receiver.requests[0]!.body.toString())[0].push_id, 'r-1001');
});

test('touchpoint channel test refuses bad values, and an operator without a grant in a workspace', async () => {
  const invalid = await runTouchpoint(
    args('--as', f.accounts.adminA.email, '--properties', '{"role_id":"r"}'),
    env,
  );
  assert.notEqual(invalid.code, 0);
  assert.match(invalid.stderr, /\/params\/title is required/);
  const usage = await runTouchpoint(args('--as', f.accounts.adminA.email), env);
  assert.equal(usage.code, 2);
  const operator = await runTouchpoint(
    args(
      '--as',
      f.accounts.operatorA.email,
      '--workspace',
      f.a.workspaces[0].id,
      '--properties',
      '{"role_id":"r"}',
    ),
    env,
  );
  assert.notEqual(operator.code, 0);
  assert.match(operator.stderr, /not authorized to use the channel/);
  assert.equal(receiver.requests.length, 1);
});

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildBatch } from '../../../../src/channels/webhook/protocol/build-batch.ts';
import { judgeAttempt } from '../../../../src/channels/webhook/protocol/judge-attempt.ts';
import { prepareRequest } from '../../../../src/channels/webhook/protocol/prepare-request.ts';
import { serializeBatch } from '../../../../src/channels/webhook/protocol/serialize-batch.ts';
import { signBody } from '../../../../src/channels/webhook/protocol/sign-body.ts';
import type { RenderedMessage } from '../../../../src/channels/message.ts';
import { parseCidrList } from '../../../../src/config/cidr.ts';
import { GuardedClient } from '../../../../src/net/guarded-client.ts';
import { opensslHmacSha1 } from './openssl.ts';

const docPath = 'docs/custom-channel-protocol.md';
const doc = readFileSync(docPath, 'utf8');
const examples = [...doc.matchAll(/<!-- example: (\S+) -->\s*```\w+\n([\s\S]*?)\n```/g)].map((m) => ({
  file: m[1] as string,
  code: m[2] as string,
}));

test('docs: every example in custom-channel-protocol.md is kept, unchanged, as a file that the tests run', () => {
  assert.deepEqual(
    examples.map((e) => e.file),
    [
      'test/fixtures/protocol/examples/receiver.mjs',
      'test/fixtures/protocol/examples/receiver.py',
      'test/fixtures/protocol/examples/Receiver.java',
    ],
  );
  for (const { file, code } of examples) {
    assert.equal(
      readFileSync(file, 'utf8').trimEnd(),
      code,
      `${file} differs from the example in ${docPath}`,
    );
  }
});

test('docs: the signature test vector is what Touchpoint sends and signs for the SPEC example', () => {
  const body = /<!-- signature-vector -->\s*```text\n(.*)\n```/.exec(doc)?.[1];
  const signature = /Signature: `([0-9a-f]{40})`/.exec(doc)?.[1];
  assert.ok(body && signature);
  assert.equal(opensslHmacSha1(Buffer.from(body), 'my-channel-token'), signature);
  assert.equal(signBody(Buffer.from(body), 'my-channel-token'), signature);
  const ours = serializeBatch(
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
          receipt: {
            requestId: 'f7b66eb7-3363-4a46-a402-601a64b45f76',
            taskId: '0050',
            taskInstanceId: '31',
            projectId: 1,
          },
        },
      ],
      { timeZone: 'UTC' },
    ),
  );
  assert.equal(ours.toString(), body);
});

const token = 'docs-example-token';
const client = new GuardedClient({ allowTargets: parseCidrList('127.0.0.1/32') });
const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  await client.close();
  for (const cleanup of cleanups) await cleanup();
});

/** Starts an example receiver process and waits for its "listening on PORT" line. */
async function startExample(command: string, args: string[], cwd?: string): Promise<string> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, PORT: '0', TOUCHPOINT_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => void child.kill('SIGKILL'));
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${output}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const port = /listening on (\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}/touchpoint`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

function messages(): RenderedMessage[] {
  return ['role-1', '', 'role-3'].map((pushId) => ({
    pushId,
    params: { title: '每日活动 🎉', when: new Date('2026-02-03T04:05:06Z') },
    customParams: { level: 7, vip: null },
    receipt: { requestId: randomUUID(), taskId: '1', taskInstanceId: '2', projectId: 3 },
  }));
}

async function exercise(url: string, answersFailList: boolean): Promise<void> {
  const json = serializeBatch(buildBatch(messages(), { timeZone: 'UTC' }));
  const options = { messageCount: 3, strict: true, retryFailedItems: false, timeoutS: 10, nowMs: Date.now() };
  for (const compression of [true, false]) {
    const request = prepareRequest({ json, compression, token });
    const result = await client.request({
      method: 'POST',
      url,
      headers: request.headers,
      body: request.body,
      timeoutMs: 10_000,
    });
    const verdict = judgeAttempt(result, options);
    if (answersFailList) {
      assert.equal(verdict.result, 'partial', verdict.detail);
      assert.deepEqual(verdict.outcomes[1], {
        state: 'failed',
        cause: 'fail_list',
        receiverMessage: 'push_id is empty',
      });
      assert.deepEqual([verdict.outcomes[0]?.state, verdict.outcomes[2]?.state], ['delivered', 'delivered']);
    } else assert.equal(verdict.result, 'success', verdict.detail);
  }
  const forged = prepareRequest({ json, compression: true, token: 'not-the-token' });
  const refused = await client.request({
    method: 'POST',
    url,
    headers: forged.headers,
    body: forged.body,
    timeoutMs: 10_000,
  });
  assert.equal(refused.kind === 'response' && refused.status, 401);
  const unsigned = await client.request({
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/json' },
    body: json,
    timeoutMs: 10_000,
  });
  assert.equal(unsigned.kind === 'response' && unsigned.status, 401);
}

test('docs: the Node.js example receiver answers real signed requests', async () => {
  await exercise(
    await startExample(process.execPath, ['test/fixtures/protocol/examples/receiver.mjs']),
    true,
  );
});

test('docs: the Python example receiver answers real signed requests', async () => {
  await exercise(await startExample('python3', ['test/fixtures/protocol/examples/receiver.py']), true);
});

test('docs: the Java example receiver compiles with javac and answers real signed requests', async () => {
  const classes = mkdtempSync(join(tmpdir(), 'tp-java-'));
  cleanups.push(() => rmSync(classes, { recursive: true, force: true }));
  execFileSync('javac', ['-d', classes, 'test/fixtures/protocol/examples/Receiver.java'], { stdio: 'pipe' });
  await exercise(await startExample('java', ['-cp', classes, 'Receiver']), false);
});

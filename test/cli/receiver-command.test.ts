import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { buildBatch } from '../../src/channels/webhook/protocol/build-batch.ts';
import { judgeAttempt } from '../../src/channels/webhook/protocol/judge-attempt.ts';
import { prepareRequest, type PreparedRequest } from '../../src/channels/webhook/protocol/prepare-request.ts';
import { serializeBatch } from '../../src/channels/webhook/protocol/serialize-batch.ts';
import { generateV2Key } from '../../src/channels/webhook/protocol/sign-v2.ts';
import type { RenderedMessage } from '../../src/channels/message.ts';
import { parseCidrList } from '../../src/config/cidr.ts';
import { GuardedClient } from '../../src/net/guarded-client.ts';
import { runTouchpoint } from '../support/cli.ts';

interface RunningReceiver {
  readonly url: string;
  output(): string;
  stop(): Promise<number | null>;
}

const running: RunningReceiver[] = [];
const client = new GuardedClient({ allowTargets: parseCidrList('127.0.0.1/32') });
after(async () => {
  await client.close();
  for (const receiver of running) await receiver.stop();
});

/** Starts `touchpoint receiver --port 0 …` as a real child process and waits for its URL. */
async function startReceiver(args: string[]): Promise<RunningReceiver> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['src/cli/main.ts', 'receiver', '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver did not start:\n${output}`)), 20_000);
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(match[1]);
      }
    }, 20);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`receiver exited with ${code}:\n${output}`));
    });
  });
  const receiver: RunningReceiver = {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
  running.push(receiver);
  return receiver;
}

function batch(n: number): RenderedMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    pushId: `role-${i + 1}`,
    params: { title: `活动 ${i + 1}`, attachment: [{ item_id: 'xx1', count: i + 1 }] },
    customParams: { name: i === 1 ? null : `player ${i + 1}` },
    receipt: { requestId: randomUUID(), taskId: '12', taskInstanceId: '3', projectId: 1 },
  }));
}

function prepared(n: number, options: { token?: string; v2Keys?: string[] } = {}): PreparedRequest {
  const json = serializeBatch(buildBatch(batch(n), { timeZone: 'UTC' }));
  return prepareRequest({
    json,
    compression: true,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.v2Keys ? { v2: { keys: options.v2Keys, timestampS: Math.floor(Date.now() / 1000) } } : {}),
  });
}

async function send(url: string, request: PreparedRequest) {
  return client.request({
    method: 'POST',
    url,
    headers: request.headers,
    body: request.body,
    timeoutMs: 10_000,
  });
}

/** The receiver prints after it answers; its stdout can trail the response, so wait for the line. */
async function outputMatching(read: () => string, pattern: RegExp, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}

const judge = (messageCount: number) => ({
  messageCount,
  strict: true,
  retryFailedItems: false,
  timeoutS: 10,
  nowMs: Date.now(),
});

test('receiver prints each signed batch and answers a real request from the guarded client', async () => {
  const v2Key = generateV2Key();
  const receiver = await startReceiver(['--secret', 'tok-1', '--v2-secret', v2Key]);
  const request = prepared(3, { token: 'tok-1', v2Keys: [v2Key] });
  const result = await send(`${receiver.url}hook`, request);
  assert.equal(result.kind, 'response', JSON.stringify(result));
  const verdict = judgeAttempt(result, judge(3));
  assert.equal(verdict.result, 'success', verdict.detail);
  const output = await outputMatching(receiver.output, /→ 200 fail_list \[\]/);
  assert.match(output, /signatures: X-TE-OPS-Signature and v2 checked/);
  assert.match(
    output,
    /#1 POST \/hook 3 messages, \d+ bytes gzip, \d+ decoded, X-TE-OPS-Signature ok, webhook-signature ok/,
  );
  assert.match(output, /\[2\] \{"push_id":"role-2","params":\{"title":"活动 2"/);
  assert.match(output, /→ 200 fail_list \[\]/);

  const forged = await send(receiver.url, prepared(1, { token: 'wrong-token', v2Keys: [v2Key] }));
  assert.equal(forged.kind === 'response' && forged.status, 401);
  assert.match(
    await outputMatching(receiver.output, /#2 POST \/ 1 messages/),
    /#2 POST \/ 1 messages, .*X-TE-OPS-Signature INVALID/,
  );
  assert.equal(await receiver.stop(), 0);
});

test('receiver --partial 1 lists every message in a 1-based fail_list; --fail-rate 1 answers 500', async () => {
  const partial = await startReceiver(['--partial', '1']);
  const result = await send(partial.url, prepared(4));
  const verdict = judgeAttempt(result, judge(4));
  assert.equal(verdict.result, 'partial');
  assert.deepEqual(
    verdict.outcomes.map((o) => o.state),
    ['failed', 'failed', 'failed', 'failed'],
  );
  assert.match(partial.output(), /signatures: not checked/);
  assert.match(await outputMatching(partial.output, /→ 200/), /→ 200 fail_list \[1,2,3,4\]/);

  const failing = await startReceiver(['--fail-rate', '1']);
  const failed = judgeAttempt(await send(failing.url, prepared(2)), judge(2));
  assert.equal(failed.reason, 'http_5xx');
  assert.match(await outputMatching(failing.output, /→ 500/), /→ 500 \(--fail-rate\)/);
});

test('receiver --status and --delay-ms shape the answer', async () => {
  const gone = await startReceiver(['--status', '410']);
  assert.equal(judgeAttempt(await send(gone.url, prepared(1)), judge(1)).reason, 'gone');
  const slow = await startReceiver(['--delay-ms', '400']);
  const started = Date.now();
  const timedOut = await client.request({
    method: 'POST',
    url: slow.url,
    body: prepared(1).body,
    headers: prepared(1).headers,
    timeoutMs: 100,
  });
  assert.equal(timedOut.kind === 'failure' && timedOut.reason, 'timeout');
  assert.ok(Date.now() - started < 2_000);
  const patient = await send(slow.url, prepared(1));
  assert.equal(judgeAttempt(patient, judge(1)).result, 'success');
});

test('receiver refuses bad options with exit code 2', async () => {
  for (const args of [
    ['--fail-rate', '2'],
    ['--partial', 'x'],
    ['--status', '99'],
    ['--delay-ms', '-1'],
    ['--port', '70000'],
  ]) {
    const result = await runTouchpoint(['receiver', ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
  }
  const help = await runTouchpoint(['receiver', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--partial R/);
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/observability/logger.ts';
import { backoffDelay, WorkerRunner, type BackgroundJob } from '../../src/runner/worker-runner.ts';

/** A real pino logger writing JSON lines into an array. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

test('backoffDelay: doubles from the base, is capped, and spreads by the jitter', () => {
  const backoff = { baseMs: 100, maxMs: 1000, jitter: 0.2 };
  assert.equal(
    backoffDelay(1, backoff, () => 0.5),
    100,
  );
  assert.equal(
    backoffDelay(2, backoff, () => 0.5),
    200,
  );
  assert.equal(
    backoffDelay(4, backoff, () => 0.5),
    800,
  );
  assert.equal(
    backoffDelay(5, backoff, () => 0.5),
    1000,
  );
  assert.equal(
    backoffDelay(50, backoff, () => 0.5),
    1000,
  );
  assert.equal(
    backoffDelay(1, backoff, () => 0),
    80,
  );
  assert.equal(
    backoffDelay(1, backoff, () => 1),
    120,
  );
  assert.equal(
    backoffDelay(50, backoff, () => 1),
    1200,
  );
});

test('a job that throws is logged and restarted after a growing backoff, then recovers', async () => {
  const { logger, lines } = capturedLogger();
  const runner = new WorkerRunner({ logger, backoff: { baseMs: 40, maxMs: 1000, jitter: 0 } });
  const starts: number[] = [];
  runner.register({
    name: 'flaky',
    intervalMs: 60_000,
    async run() {
      starts.push(Date.now());
      if (starts.length <= 2) throw new Error(`boom ${starts.length}`);
    },
  });
  runner.start();
  try {
    await until(() => starts.length >= 3);
    // Backoff 40 ms after the first failure, 80 ms after the second (one-sided bounds).
    assert.ok(starts[1]! - starts[0]! >= 35, `first retry after ${starts[1]! - starts[0]!} ms`);
    assert.ok(starts[2]! - starts[1]! >= 75, `second retry after ${starts[2]! - starts[1]!} ms`);
    await until(() => runner.status()[0]!.failures === 0);
    const failures = lines.filter((l) => l.msg === 'background job failed; restarting after a backoff');
    assert.deepEqual(
      failures.map((l) => [l.job, l.failures, l.retryInMs, (l.err as { message: string }).message]),
      [
        ['flaky', 1, 40, 'boom 1'],
        ['flaky', 2, 80, 'boom 2'],
      ],
    );
    assert.ok(lines.some((l) => l.msg === 'background job recovered' && l.job === 'flaky'));
    assert.equal(runner.status()[0]!.lastError, null);
  } finally {
    await runner.stop();
  }
  // Not run again after stop.
  const count = starts.length;
  await sleep(100);
  assert.equal(starts.length, count);
});

test('notify runs an idle job at once; `more` runs it again without waiting for the interval', async () => {
  const { logger } = capturedLogger();
  const runner = new WorkerRunner({ logger });
  let runs = 0;
  let backlog = 3;
  runner.register({
    name: 'batches',
    intervalMs: 60_000,
    async run() {
      runs += 1;
      if (backlog > 0) backlog -= 1;
      return { more: backlog > 0 };
    },
  });
  runner.start();
  try {
    await until(() => backlog === 0);
    const settled = runs;
    assert.equal(settled, 3);
    await sleep(50);
    assert.equal(runs, settled, 'idle: waits for its interval');
    runner.notify('batches');
    await until(() => runs === settled + 1);
  } finally {
    await runner.stop();
  }
});

test('stop aborts every job and waits for each within its deadline; a job that ignores the signal is left at its deadline', async () => {
  const { logger, lines } = capturedLogger();
  const runner = new WorkerRunner({ logger });
  let politeCommitted = 0;
  let politeStarted = false;
  let stubbornStarted = false;
  const polite: BackgroundJob = {
    name: 'polite',
    intervalMs: 60_000,
    stopDeadlineMs: 5000,
    // A long backlog worked in small units, checking the signal between them.
    async run(signal) {
      politeStarted = true;
      for (let unit = 0; unit < 10_000 && !signal.aborted; unit += 1) {
        await sleep(5);
        politeCommitted += 1;
      }
    },
  };
  const stubborn: BackgroundJob = {
    name: 'stubborn',
    intervalMs: 60_000,
    stopDeadlineMs: 100,
    async run() {
      stubbornStarted = true;
      await sleep(3000);
    },
  };
  runner.register(polite);
  runner.register(stubborn);
  runner.start();
  await until(() => politeStarted && stubbornStarted && politeCommitted > 2);
  const started = Date.now();
  const reports = await runner.stop();
  const took = Date.now() - started;
  assert.deepEqual(reports, [
    { name: 'polite', stoppedInTime: true },
    { name: 'stubborn', stoppedInTime: false },
  ]);
  assert.ok(took < 2500, `stop took ${took} ms; the stubborn job's deadline is 100 ms`);
  assert.ok(politeCommitted < 10_000, 'the polite job left its backlog for the next start');
  assert.ok(
    lines.some(
      (l) =>
        l.job === 'stubborn' && l.msg === 'background job still running at its stop deadline; leaving it',
    ),
  );
});

test('register refuses a second job with the same name', () => {
  const runner = new WorkerRunner({ logger: capturedLogger().logger });
  const job: BackgroundJob = { name: 'one', intervalMs: 1000, run: async () => {} };
  runner.register(job);
  assert.throws(() => runner.register(job), /already registered/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextHealth } from '../../src/delivery/channel-health.ts';
import type { ChannelHealth } from '../../src/delivery/model.ts';

const rule = { unhealthyAfterMs: 6 * 3_600_000, unhealthyFailures: 5 };
const H = 3_600_000;
const fail = { result: 'failure' as const, reason: 'http_5xx' as const };
const success = { result: 'success' as const };

function run(steps: [number, typeof fail | typeof success | { result: 'failure'; reason: 'gone' }][]) {
  let health: ChannelHealth | undefined;
  for (const [at, verdict] of steps) health = nextHealth(health, 'ch', verdict, at, rule);
  return health!;
}

test('WH-15 failing continuously past the window with ≥ 5 failures: unhealthy', () => {
  const h = run([0, 1, 2, 3, 4, 5, 6].map((i) => [i * H, fail]));
  assert.equal(h.state, 'unhealthy');
  assert.equal(h.reason, 'failing');
  assert.equal(h.since, 6 * H);
});

test('not unhealthy before the window has passed, however many failures', () => {
  const h = run(Array.from({ length: 50 }, (_, i) => [i * 60_000, fail] as [number, typeof fail]));
  assert.equal(h.state, 'healthy');
  assert.equal(h.failedRequests, 50);
});

test('not unhealthy with fewer than 5 failures over the window', () => {
  assert.equal(run([0, 2, 4, 7].map((i) => [i * H, fail])).state, 'healthy');
});

test('WH-16 alternating 500/200 across the window: never unhealthy (a success clears the streak)', () => {
  const steps = Array.from(
    { length: 40 },
    (_, i) => [i * 30 * 60_000, i % 2 ? success : fail] as [number, typeof fail],
  );
  const h = run(steps);
  assert.equal(h.state, 'healthy');
  assert.ok(h.failedRequests <= 1);
});

test('WH-17 failures spaced wider than the window: never unhealthy', () => {
  const h = run(Array.from({ length: 10 }, (_, i) => [i * 7 * H, fail] as [number, typeof fail]));
  assert.equal(h.state, 'healthy');
  assert.equal(h.failedRequests, 1);
});

test('WH-04 a 410 makes the channel unhealthy at once; it stays so until Resume', () => {
  const h = run([
    [0, { result: 'failure', reason: 'gone' }],
    [1000, success],
  ]);
  assert.equal(h.state, 'unhealthy');
  assert.equal(h.reason, 'gone');
});

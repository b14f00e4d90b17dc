// The crash checker of the delivery engine, short version (RELIABILITY §4.3/§4.4: DUR-10, DUR-01's
// lease check, DUR-20). The long one is `npx node bench/delivery-crash.ts --db sqlite|postgres`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkSet,
  explainDuplicate,
  leaseOverlaps,
  violations,
  type LeaseAttempt,
  type Reception,
} from './support/crash-checker.ts';
import { runCrashWorkload, summarize, type CrashReport } from './support/crash-workload.ts';

const reports: Partial<Record<'sqlite' | 'postgres', CrashReport>> = {};

describe('delivery under kill -9 (the set workload)', () => {
  test('DUR-10 [sqlite] one embedded process killed ≥ 5 times: nothing lost, nothing unexpected, every duplicate explained by a kill or its attempts', async () => {
    const report = await runCrashWorkload({
      kind: 'sqlite',
      seconds: 10,
      minKills: 5,
      seed: 42,
      killEveryMs: [400, 1500],
    });
    reports.sqlite = report;
    console.log(summarize(report).join('\n'));
    assert.ok(report.kills.length >= 5, `only ${report.kills.length} kills`);
    assert.ok(report.verdict.acked > 100, 'the generator got messages acknowledged');
    assert.deepEqual(report.failures, []);
    assert.equal(report.verdict.delivered, report.verdict.acked + report.verdict.recovered.length);
  });

  test('DUR-10/DUR-01 [postgres] an api and two workers killed ≥ 5 times: nothing lost; no two valid leases of a message overlapped; both workers delivered', async () => {
    const report = await runCrashWorkload({
      kind: 'postgres',
      seconds: 10,
      minKills: 5,
      seed: 42,
      killEveryMs: [400, 1500],
    });
    reports.postgres = report;
    console.log(summarize(report).join('\n'));
    assert.ok(report.kills.length >= 5, `only ${report.kills.length} kills`);
    assert.deepEqual(report.failures, []);
    assert.equal(report.overlaps.length, 0);
    assert.ok(report.handedOver > 0, 'some messages were attempted by both workers: the check had material');
    assert.ok((report.attemptsBy['worker-1'] ?? 0) > 0 && (report.attemptsBy['worker-2'] ?? 0) > 0);
    assert.equal(report.attemptsBy.api, undefined, 'the api process never dispatches');
  });

  test('DUR-20 the checker fails on a receiver log with one delivered id removed, and on an id never sent', () => {
    const report = reports.sqlite;
    assert.ok(report, 'the sqlite run produced a history');
    const victim = report.receptions.find((r) => r.status === 200)?.items[0];
    assert.ok(victim);
    const doctored = report.receptions.map((r) => ({
      ...r,
      items: r.items.filter((i) => i.opsRequestId !== victim.opsRequestId),
    }));
    const verdict = checkSet(report.history, doctored);
    assert.deepEqual(verdict.lost, [victim.element]);
    assert.match(violations(verdict).join('\n'), /LOST .*: 1/);

    const forged = [
      ...report.receptions,
      { at: Date.now(), status: 200, items: [{ opsRequestId: 'forged', element: '999999/u-1' }] },
    ];
    const unexpected = checkSet(report.history, forged);
    assert.deepEqual(unexpected.unexpected, ['999999/u-1']);
    assert.match(violations(unexpected).join('\n'), /UNEXPECTED .*: 1/);
    assert.deepEqual(violations(checkSet(report.history, report.receptions)), []);
  });

  test('the lease check fails on two attempts of one message in flight under two valid leases', () => {
    const a: LeaseAttempt = {
      messageId: 1,
      leaseToken: 'a',
      leasedBy: 'h:1:x',
      leasedUntil: 2_000,
      startedAt: 0,
      latencyMs: 1_500,
      late: false,
    };
    // Claimed again after the first lease ran out, while its request was still running: allowed.
    const after: LeaseAttempt = {
      ...a,
      leaseToken: 'b',
      leasedBy: 'h:2:y',
      startedAt: 2_000,
      leasedUntil: 4_000,
    };
    assert.deepEqual(leaseOverlaps([a, after]), []);
    // The first request ran past its lease (completed late, fenced): still no overlap of valid leases.
    assert.deepEqual(leaseOverlaps([{ ...a, latencyMs: 2_500, late: true }, after]), []);
    // Started while the first lease was valid and its request in flight: a violation.
    const during: LeaseAttempt = { ...after, startedAt: 1_000 };
    assert.equal(leaseOverlaps([a, during]).length, 1);
    assert.match(
      violations(checkSet([], []), [], leaseOverlaps([a, during])).join('\n'),
      /OVERLAPPING LEASES: 1/,
    );
  });

  test('a duplicate is explained only by a recorded attempt or a kill of a dispatcher right after it was received', () => {
    const reception = (at: number): Reception => ({
      at,
      status: 200,
      items: [{ opsRequestId: 'r-1', element: '1/u-1' }],
    });
    const receptions = [reception(1_000), reception(5_000)];
    const attempts = [
      {
        attempt: 1,
        batch_id: 'b',
        at: new Date(4_990).toISOString(),
        latency_ms: 30,
        status: 200,
        outcome: 'delivered',
        late: false,
      },
    ];
    const duplicate = { opsRequestId: 'r-1', element: '1/u-1', times: 2 };
    const options = { killWindowMs: 3_000 };
    const killed = explainDuplicate(
      duplicate,
      attempts,
      receptions,
      [{ at: 1_020, name: 'all', pid: 7, dispatches: true }],
      options,
    );
    assert.equal(killed.explained, true);
    assert.deepEqual(
      killed.receptions.map((r) => [r.attempt, r.kill?.pid ?? null]),
      [
        [null, 7],
        [1, null],
      ],
    );
    // No kill, a kill of the api (it never dispatches), or a kill long after: unexplained.
    for (const kills of [
      [],
      [{ at: 1_020, name: 'api', pid: 8, dispatches: false }],
      [{ at: 9_000, name: 'all', pid: 9, dispatches: true }],
    ]) {
      const explanation = explainDuplicate(duplicate, attempts, receptions, kills, options);
      assert.equal(explanation.explained, false);
      assert.match(violations(checkSet([], []), [explanation]).join('\n'), /UNEXPLAINED DUPLICATES: 1/);
    }
  });
});

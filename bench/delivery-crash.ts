// bench/delivery-crash: the crash checker of the delivery engine (RELIABILITY §4.3/§4.4, DUR-10),
// the long version of test/delivery/crash-checker.test.ts. Real `touchpoint serve` processes
// (SQLite: one `--role all`; PostgreSQL: one `--role api` and two `--role worker`), a receiver on
// 127.0.0.1 that records every message and answers 500 to one request in ten, a generator sending
// unique messages through the send API, and a nemesis that `kill -9`s a random process every 1–5 s
// (seeded) and restarts it; then heal, drain and check. Prints lost / unexpected / duplicates (with
// the attempts that explain them) and whether two leases of one message were ever valid while both
// requests were in flight; exits 1 on any violation.
//
//   npx node bench/delivery-crash.ts --db sqlite|postgres [--seconds 60] [--seed 42]
//   npm run bench -- delivery-crash --db postgres --seconds 300
import { parseArgs } from 'node:util';
import { runCrashWorkload, summarize } from '../test/delivery/support/crash-workload.ts';
import type { StoreKind } from '../test/support/stores.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'sqlite' },
      seconds: { type: 'string', default: '60' },
      seed: { type: 'string', default: '42' },
    },
  });
  const kinds: StoreKind[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as StoreKind];
  if (!kinds.every((k) => k === 'sqlite' || k === 'postgres'))
    throw new Error('--db must be sqlite, postgres or both');
  let failed = false;
  for (const kind of kinds) {
    const report = await runCrashWorkload({
      kind,
      seconds: Number(values.seconds),
      seed: Number(values.seed),
      log: (line) => console.log(`  ${line}`),
    });
    for (const line of summarize(report)) console.log(line);
    if (report.failures.length > 0) failed = true;
  }
  if (failed) {
    console.error('delivery crash checker: FAILED (see FAIL lines above)');
    process.exitCode = 1;
  }
}

if (import.meta.main) await run(process.argv.slice(2));

// Runs every test file with node:test, prints the spec output, and fails when no test ran.
// Usage: node scripts/run-tests.ts [file-or-glob ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { glob } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const patterns = process.argv.slice(2);
const defaults = ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'];
const files: string[] = [];
for (const pattern of patterns.length > 0 ? patterns : defaults) {
  for await (const file of glob(pattern, { exclude: (name) => name.includes('node_modules') }))
    files.push(file);
}
files.sort();

const dir = mkdtempSync(join(tmpdir(), 'tp-tests-'));
const countFile = join(dir, 'count.json');
const result = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? '2'}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/count-reporter.ts',
    `--test-reporter-destination=${countFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);

let counts = { passed: 0, failed: 0, skipped: 0 };
try {
  counts = JSON.parse(readFileSync(countFile, 'utf8')) as typeof counts;
} catch {
  // no count means the runner died before reporting: treated as zero tests below
}
rmSync(dir, { recursive: true, force: true });
console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
if (counts.passed + counts.failed === 0) {
  console.error('run-tests: zero tests ran — failing on purpose');
  process.exit(1);
}
process.exit(result.status ?? 1);

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { migrations } from '../../src/store/migrations/index.ts';

// Checksums of every landed migration file. A landed migration never changes: add a new one.
// To land a new migration, append its file name and checksum here (the failure message shows it).
const landed: Record<string, string> = JSON.parse(readFileSync('test/store/migrations.lock.json', 'utf8'));

const files = readdirSync('src/store/migrations')
  .filter((f) => /^\d{4}-.*\.ts$/.test(f))
  .sort();

test('migration ids are 1..n, in order, one file each', () => {
  assert.deepEqual(
    migrations.map((m) => m.id),
    migrations.map((_, i) => i + 1),
  );
  assert.deepEqual(
    files.map((f) => Number(f.slice(0, 4))),
    migrations.map((m) => m.id),
  );
});

test('landed migrations are immutable (checksums in test/store/migrations.lock.json)', () => {
  for (const file of files) {
    const sum = createHash('sha256')
      .update(readFileSync(`src/store/migrations/${file}`))
      .digest('hex');
    assert.equal(
      landed[file],
      sum,
      `${file} changed or is new; if new, add "${file}": "${sum}" to the lock file`,
    );
  }
  assert.deepEqual(Object.keys(landed).sort(), files, 'a landed migration file was removed');
});

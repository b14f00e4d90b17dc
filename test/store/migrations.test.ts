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

test('migration ids ascend, one file each', () => {
  // Strictly ascending; a gap may appear briefly while two features land in either order.
  for (let i = 1; i < migrations.length; i++)
    assert.ok((migrations[i]?.id ?? 0) > (migrations[i - 1]?.id ?? 0));
  const registered = migrations.map((m) => m.id);
  assert.deepEqual(
    files.map((f) => Number(f.slice(0, 4))).filter((id) => registered.includes(id)),
    registered,
  );
});

test('landed migrations are immutable (checksums in test/store/migrations.lock.json)', () => {
  const registered = new Set(migrations.map((m) => m.id));
  for (const file of files.filter((f) => registered.has(Number(f.slice(0, 4))))) {
    const sum = createHash('sha256')
      .update(readFileSync(`src/store/migrations/${file}`))
      .digest('hex');
    assert.equal(
      landed[file],
      sum,
      `${file} changed or is new; if new, add "${file}": "${sum}" to the lock file`,
    );
  }
  for (const file of Object.keys(landed))
    assert.ok(files.includes(file), `landed migration ${file} was removed`);
});

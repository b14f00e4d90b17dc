import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/store.ts';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('SQLite: a new data folder is 0700, the database and its -wal and -shm files 0600', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'tp-modes-'));
  const dataDir = join(parent, 'data');
  const path = join(dataDir, 'touchpoint.db');
  const store = await openStore({ kind: 'sqlite', path, busyTimeoutMs: 1000 });
  try {
    await store.migrate();
    await store.settings.set('k', 'v');
    assert.deepEqual(store.files, [path, `${path}-wal`, `${path}-shm`]);
    assert.equal(mode(dataDir), '700');
    for (const file of store.files) assert.equal(mode(file), '600', file);
  } finally {
    await store.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

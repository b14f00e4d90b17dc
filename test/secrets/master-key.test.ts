import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { isTouchpointError } from '../../src/errors.ts';
import { unlockSecrets } from '../../src/secrets/master-key.ts';
import { openStore } from '../../src/store/store.ts';
import { createTestDatabase, storeKinds } from '../support/stores.ts';

for (const kind of storeKinds) {
  test(`[${kind}] development generates master.key (0600) once and reuses it`, async () => {
    const db = createTestDatabase(kind);
    const store = await openStore(db.options);
    try {
      await store.migrate();
      const config = loadConfig(db.env);
      const first = await unlockSecrets(config, store);
      assert.equal(first.generated, true);
      const file = join(db.dataDir, 'master.key');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const second = await unlockSecrets(config, store);
      assert.equal(second.generated, false);
      assert.equal(second.box.keyId, first.box.keyId);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  test(`[${kind}] SEC-03 a different master key is refused and nothing is overwritten`, async () => {
    const db = createTestDatabase(kind);
    const store = await openStore(db.options);
    try {
      await store.migrate();
      const keyA = randomBytes(32).toString('base64');
      await unlockSecrets(loadConfig({ ...db.env, TOUCHPOINT_MASTER_KEY: keyA }), store);
      const checkBefore = await store.settings.get('master_key_check');
      const keyB = randomBytes(32).toString('base64');
      await assert.rejects(
        unlockSecrets(loadConfig({ ...db.env, TOUCHPOINT_MASTER_KEY: keyB }), store),
        (error) =>
          isTouchpointError(error, 'TP_ERR_MASTER_KEY_MISMATCH') && /cannot decrypt/.test(error.message),
      );
      assert.equal(await store.settings.get('master_key_check'), checkBefore);
      // SEC-18: the right key still opens it.
      await unlockSecrets(loadConfig({ ...db.env, TOUCHPOINT_MASTER_KEY: keyA }), store);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  test(`[${kind}] a lost master.key is refused, not regenerated`, async () => {
    const db = createTestDatabase(kind);
    const store = await openStore(db.options);
    try {
      await store.migrate();
      const config = loadConfig(db.env);
      await unlockSecrets(config, store);
      const file = join(db.dataDir, 'master.key');
      const original = readFileSync(file, 'utf8');
      unlinkSync(file);
      await assert.rejects(
        unlockSecrets(config, store),
        (error) => isTouchpointError(error, 'TP_ERR_MASTER_KEY_MISSING') && error.message.includes(file),
      );
      assert.throws(() => statSync(file));
      assert.ok(original.length > 40);
    } finally {
      await store.close();
      await db.drop();
    }
  });
}

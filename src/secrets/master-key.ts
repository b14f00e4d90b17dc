import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMasterKey, type Config } from '../config/load-config.ts';
import { TouchpointError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { SecretBox, SecretDecryptError } from './secret-box.ts';

const KEY_CHECK = 'master_key_check';
const KEY_CHECK_PLAINTEXT = 'touchpoint master key check v1';
const keyCheckContext = { table: 'instance_settings', column: 'value', rowId: KEY_CHECK } as const;

export function masterKeyPath(config: Config): string {
  return join(config.dataDir, 'master.key');
}

/**
 * Finds the master key and proves it is the one this database was encrypted with: the
 * environment's key, else (outside production) the data folder's `master.key`, else a new one
 * generated there with mode 0600 — but only for a database that has no key check yet. A key
 * that cannot decrypt the stored check stops start-up; nothing is regenerated or overwritten.
 */
export async function unlockSecrets(
  config: Config,
  store: Store,
): Promise<{ box: SecretBox; generated: boolean }> {
  const stored = await store.settings.get(KEY_CHECK);
  const path = masterKeyPath(config);
  let key = config.masterKey;
  let generated = false;
  if (key === undefined && config.env !== 'production') {
    if (existsSync(path)) {
      key = parseMasterKey(readFileSync(path, 'utf8'));
    } else if (stored === undefined) {
      key = randomBytes(32);
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
      generated = true;
    }
  }
  if (key === undefined) {
    throw new TouchpointError(
      'TP_ERR_MASTER_KEY_MISSING',
      {},
      {
        message:
          stored === undefined
            ? 'TOUCHPOINT_MASTER_KEY is required in production'
            : `this database holds encrypted secrets but no master key was given: set TOUCHPOINT_MASTER_KEY or restore ${path}`,
      },
    );
  }
  const box = new SecretBox(key);
  if (stored === undefined) {
    await store.settings.set(KEY_CHECK, box.encrypt(KEY_CHECK_PLAINTEXT, keyCheckContext), {
      onlyIfAbsent: true,
    });
  }
  const check = stored ?? (await store.settings.get(KEY_CHECK)) ?? '';
  try {
    if (box.decrypt(check, keyCheckContext) !== KEY_CHECK_PLAINTEXT) throw new SecretDecryptError('mismatch');
  } catch (error) {
    if (!(error instanceof SecretDecryptError)) throw error;
    throw new TouchpointError(
      'TP_ERR_MASTER_KEY_MISMATCH',
      {},
      {
        message: `the master key (id ${box.keyId}) cannot decrypt this database's key check: start with the key that encrypted it`,
      },
    );
  }
  return { box, generated };
}

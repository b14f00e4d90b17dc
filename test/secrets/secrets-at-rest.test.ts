import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { unlockSecrets } from '../../src/secrets/master-key.ts';
import { testPostgresUrl, forEachStore } from '../support/stores.ts';

/** Every encoding under which a leaked canary could sit in a file. */
function forms(canary: string): string[] {
  const bytes = Buffer.from(canary);
  return [
    canary,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.subarray(0, 12).toString('base64').slice(0, 12),
  ];
}

forEachStore('SEC-01 secrets at rest', (ctx) => {
  test('a canary stored through the secrets helper is absent from the database files or dump', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const { box } = await unlockSecrets(loadConfig(ctx.db.env), ctx.store);
    const context = { table: 'instance_settings', column: 'value', rowId: 'canary' };
    await ctx.store.settings.set('canary', box.encrypt(canary, context));
    assert.equal(box.decrypt((await ctx.store.settings.get('canary')) ?? '', context), canary);

    let haystack: Buffer;
    if (ctx.kind === 'sqlite') {
      // Read the main file and the WAL as they are, without checkpointing first.
      const files = ctx.store.files.filter((f) => existsSync(f));
      assert.ok(
        files.some((f) => f.endsWith('-wal')),
        'WAL file present',
      );
      haystack = Buffer.concat(files.map((f) => readFileSync(f)));
    } else {
      haystack = execFileSync('pg_dump', ['--schema', ctx.db.schema ?? 'public', testPostgresUrl], {
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.ok(haystack.includes('instance_settings'), 'dump contains the table');
    }
    // The helper's output is in there (the test looks at the right bytes)…
    assert.ok(haystack.includes(Buffer.from((await ctx.store.settings.get('canary')) ?? '')));
    // …and no form of the plaintext is.
    for (const form of forms(canary)) assert.ok(!haystack.includes(Buffer.from(form)), `found ${form}`);
  });
});

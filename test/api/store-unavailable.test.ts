import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../support/app.ts';
import { storeKinds } from '../support/stores.ts';

for (const kind of storeKinds) {
  test(`[${kind}] an API call while the database is gone: 503 TP_ERR_STORE_UNAVAILABLE with Retry-After, not 500`, async () => {
    const t = await buildTestApp(kind);
    try {
      await t.deps.store.close();
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'someone@example.com', password: 'correct-horse-battery' },
      });
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(res.json().error.code, 'TP_ERR_STORE_UNAVAILABLE');
      assert.ok(Number(res.headers['retry-after']) > 0);
    } finally {
      await t.app.close();
      await t.db.drop();
    }
  });
}

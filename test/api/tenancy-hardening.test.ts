import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTenancyFixture, login, PASSWORD, type TenancyFixture } from '../support/tenancy-fixture.ts';
import { storeKinds } from '../support/stores.ts';

const cli = { actor: { type: 'cli' as const, id: 'test', label: 'test' }, ip: null, requestId: null };

function errorCode(res: LightMyRequestResponse): string {
  return (res.json() as { error: { code: string } }).error.code;
}

for (const kind of storeKinds) {
  describe(`tenancy hardening [${kind}]`, () => {
    let f: TenancyFixture;
    before(async () => {
      f = await createTenancyFixture(kind);
    });
    after(() => f.close());

    test('passwords: the e-mail itself and the commonest passwords are refused with a coded reason', async () => {
      const { tenancy } = f.t.deps;
      const create = (email: string, password: string) =>
        tenancy.createAccount({ email, password, isInstanceAdmin: false, mustChangePassword: false }, cli);
      await assert.rejects(create('weak-1@example.com', 'password123'), {
        code: 'TP_ERR_AUTH_PASSWORD_COMMON',
      });
      // Case and a trailing run of digits or symbols do not make a common password safe.
      await assert.rejects(create('weak-2@example.com', 'Qwerty2024!!'), {
        code: 'TP_ERR_AUTH_PASSWORD_COMMON',
      });
      await assert.rejects(create('weak-3@example.com', '1234567890'), {
        code: 'TP_ERR_AUTH_PASSWORD_COMMON',
      });
      await assert.rejects(create('long.name@example.com', 'Long.Name@example.com'), {
        code: 'TP_ERR_AUTH_PASSWORD_IS_EMAIL',
      });
      await assert.rejects(create('long.name.two@example.com', 'long.name.two'), {
        code: 'TP_ERR_AUTH_PASSWORD_IS_EMAIL',
      });
      assert.ok(await create('fine@example.com', 'violet tram hums 42'));

      // Change password: the answer says why and names the field, so the console shows it inline.
      const { cookie, csrf } = await login(f.t, f.accounts.outsider.email);
      const change = (next: string) =>
        f.t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/password',
          headers: { cookie, 'x-csrf-token': csrf },
          payload: { current_password: PASSWORD, new_password: next },
        });
      const common = await change('iloveyou1234');
      assert.equal(common.statusCode, 400);
      assert.equal(errorCode(common), 'TP_ERR_AUTH_PASSWORD_COMMON');
      assert.equal(common.json().error.details.issues[0].path, '/new_password');
      const email = await change(f.accounts.outsider.email.toUpperCase());
      assert.equal(email.statusCode, 400);
      assert.equal(errorCode(email), 'TP_ERR_AUTH_PASSWORD_IS_EMAIL');
      assert.equal((await login(f.t, f.accounts.outsider.email)).response.statusCode, 200);
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashSecret } from '../../src/tenancy/credentials.ts';
import { LOCKOUT_THRESHOLD } from '../../src/tenancy/auth-service.ts';
import { createTenancyFixture, login, PASSWORD, type TenancyFixture } from '../support/tenancy-fixture.ts';

describe('authentication: sessions, CSRF, passwords, tokens', () => {
  let f: TenancyFixture;
  before(async () => {
    f = await createTenancyFixture('sqlite');
  });
  after(() => f.close());

  test('login sets an httpOnly SameSite=Lax session cookie and answers the CSRF token', async () => {
    const { response, cookie, csrf } = await login(f.t, f.accounts.adminA.email);
    assert.equal(response.statusCode, 200);
    const setCookie = String(response.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.doesNotMatch(setCookie, /Secure/); // plain http here; Secure is set over TLS
    assert.ok(csrf.length > 20);
    const session = await f.t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } });
    assert.equal(session.statusCode, 200);
    assert.equal(session.json().account.email, f.accounts.adminA.email);
    assert.deepEqual(
      (session.json().memberships as { project_id: number }[]).map((m) => m.project_id),
      [f.a.project.id],
    );
    // The session cookie is stored hashed.
    assert.equal(await f.t.deps.store.sessions.find(cookie.replace('tp_session=', '')), undefined);
    assert.ok(await f.t.deps.store.sessions.find(hashSecret(cookie.replace('tp_session=', ''))));
  });

  test('cookie-authenticated writes need the x-csrf-token header', async () => {
    const { cookie, csrf } = await login(f.t, f.accounts.adminA.email);
    const write = (headers: Record<string, string>) =>
      f.t.app.inject({
        method: 'PATCH',
        url: `/api/v1/projects/${f.a.project.id}`,
        headers: { cookie, ...headers },
        payload: { time_zone: 'Asia/Shanghai' },
      });
    for (const headers of [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': `${csrf}x` }] as Record<
      string,
      string
    >[]) {
      const res = await write(headers);
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'TP_ERR_AUTH_CSRF');
    }
    assert.equal((await write({ 'x-csrf-token': csrf })).statusCode, 200);
  });

  test('logout ends the session', async () => {
    const { cookie, csrf } = await login(f.t, f.accounts.adminA.email);
    const out = await f.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    assert.equal(out.statusCode, 204);
    assert.equal(
      (await f.t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } })).statusCode,
      401,
    );
  });

  test('MT-21 repeated wrong passwords lock the account with 429 + Retry-After, even for the right password', async () => {
    const email = f.accounts.outsider.email;
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++) {
      const { response } = await login(f.t, email, 'wrong-password!');
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().error.code, 'TP_ERR_AUTH_INVALID_CREDENTIALS');
    }
    const locked = (await login(f.t, email, PASSWORD)).response;
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().error.code, 'TP_ERR_AUTH_LOCKED');
    assert.ok(Number(locked.headers['retry-after']) > 60);
    // Unknown accounts answer exactly like wrong passwords.
    const unknown = (await login(f.t, 'nobody@example.com', 'whatever-pass')).response;
    assert.equal(unknown.statusCode, 401);
    assert.equal(unknown.json().error.code, 'TP_ERR_AUTH_INVALID_CREDENTIALS');
  });

  test('MT-21 tokens: unknown, revoked and expired answer 401; never accepted from the query string', async () => {
    const id = f.a.project.id;
    const token = f.tokens.adminA?.[id] as string;
    const read = (headers: Record<string, string>, query = '') =>
      f.t.app.inject({ url: `/api/v1/projects/${id}/members${query}`, headers });
    assert.equal(
      (await read({ authorization: 'Bearer tp_nope' })).json().error.code,
      'TP_ERR_AUTH_TOKEN_INVALID',
    );
    const inQuery = await read({}, `?access_token=${token}`);
    assert.equal(inQuery.statusCode, 400);
    assert.equal(inQuery.json().error.code, 'TP_ERR_AUTH_TOKEN_IN_QUERY');

    const created = await f.as('adminA', f.a, {
      method: 'POST',
      url: `/api/v1/projects/${id}/tokens`,
      payload: { name: 'short-lived', permissions: ['audit.read'], expires_in_days: 1 },
    });
    assert.equal(created.statusCode, 201);
    const { secret, token: meta } = created.json() as {
      secret: string;
      token: { id: string; expires_at: string };
    };
    assert.match(secret, /^tp_/);
    assert.ok(meta.expires_at);
    assert.equal((await read({ authorization: `Bearer ${secret}` })).statusCode, 200);
    // The listing never shows the secret.
    const list = await f.as('adminA', f.a, { url: `/api/v1/projects/${id}/tokens` });
    assert.ok(!list.body.includes(secret));
    // Revocation is immediate.
    assert.equal(
      (await f.as('adminA', f.a, { method: 'DELETE', url: `/api/v1/projects/${id}/tokens/${meta.id}` }))
        .statusCode,
      204,
    );
    assert.equal((await read({ authorization: `Bearer ${secret}` })).statusCode, 401);
    // Expiry: move the expiry into the past.
    const second = await f.as('adminA', f.a, {
      method: 'POST',
      url: `/api/v1/projects/${id}/tokens`,
      payload: { name: 'expiring', permissions: [], expires_in_days: 1 },
    });
    const expiring = second.json() as { secret: string };
    const row = await f.t.deps.store.tokens.findByHash(
      { kind: 'system', reason: 'test' },
      hashSecret(expiring.secret),
    );
    assert.ok(row);
    await f.t.deps.store.transaction(async () => {});
    const { DatabaseSync } = await import('node:sqlite');
    const file = new DatabaseSync((f.t.db.options as { path: string }).path);
    file.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, row.id);
    file.close();
    assert.equal((await read({ authorization: `Bearer ${expiring.secret}` })).statusCode, 401);
  });

  test('an account that must change its password reaches only the auth routes until it does', async () => {
    const account = await f.t.deps.auth.createAccount(
      {
        email: 'fresh@example.com',
        password: 'first-password-1',
        isInstanceAdmin: false,
        mustChangePassword: true,
      },
      { actor: { type: 'cli', id: 'test', label: 'test' }, ip: null, requestId: null },
    );
    await f.t.deps.store.members.put(
      { kind: 'project', projectId: f.a.project.id },
      account.id,
      'project_admin',
      [],
    );
    const { cookie, csrf } = await login(f.t, account.email, 'first-password-1');
    const blocked = await f.t.app.inject({
      url: `/api/v1/projects/${f.a.project.id}/members`,
      headers: { cookie },
    });
    assert.equal(blocked.statusCode, 403);
    assert.equal(blocked.json().error.code, 'TP_ERR_AUTH_PASSWORD_CHANGE_REQUIRED');
    const session = await f.t.app.inject({ url: '/api/v1/auth/session', headers: { cookie } });
    assert.equal(session.json().account.must_change_password, true);
    const weak = await f.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { current_password: 'first-password-1', new_password: 'short' },
    });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.details.issues[0].path, '/new_password');
    const changed = await f.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { current_password: 'first-password-1', new_password: 'second-password-2' },
    });
    assert.equal(changed.statusCode, 204);
    assert.equal(
      (await f.t.app.inject({ url: `/api/v1/projects/${f.a.project.id}/members`, headers: { cookie } }))
        .statusCode,
      200,
    );
    assert.equal((await login(f.t, account.email, 'first-password-1')).response.statusCode, 401);
    assert.equal((await login(f.t, account.email, 'second-password-2')).response.statusCode, 200);
  });

  test('inviting a new e-mail gives a one-time link that sets its password and makes it a member, once', async () => {
    const added = await f.as('adminA', f.a, {
      method: 'POST',
      url: `/api/v1/projects/${f.a.project.id}/members`,
      payload: {
        email: 'New.Person@Example.com',
        role: 'operator',
        workspace_ids: [f.a.workspaces[0].id],
        name: 'New Person',
      },
    });
    assert.equal(added.statusCode, 201, added.body);
    const { invitation, invite_url: url } = added.json() as {
      invitation: { email: string };
      invite_url: string;
    };
    assert.equal(invitation.email, 'new.person@example.com');
    assert.match(url, /\/set-password\?token=/);
    // Without TOUCHPOINT_PUBLIC_URL the link uses the address the admin's request came to.
    assert.ok(url.startsWith('http://localhost:80/set-password'), url);
    const token = new URL(url).searchParams.get('token') as string;
    // No account yet: login fails.
    assert.equal((await login(f.t, invitation.email, 'anything-at-all')).response.statusCode, 401);
    const set = await f.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: { token, password: 'my-own-password' },
    });
    assert.equal(set.statusCode, 204);
    assert.equal((await login(f.t, invitation.email, 'my-own-password')).response.statusCode, 200);
    const members = await f.as('adminA', f.a, {
      url: `/api/v1/projects/${f.a.project.id}/members?limit=200`,
    });
    const joined = (members.json().items as { email: string; name: string; role: string }[]).find(
      (m) => m.email === invitation.email,
    );
    assert.deepEqual([joined?.name, joined?.role], ['New Person', 'operator']);
    const again = await f.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/set-password',
      payload: { token, password: 'other-password-x' },
    });
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().error.code, 'TP_ERR_AUTH_LINK_INVALID');
    // An existing account gets the same answer; it joins by signing in and accepting, and adding
    // a member twice is a conflict.
    const payload = { email: f.accounts.adminB.email, role: 'viewer', workspace_ids: [f.a.workspaces[1].id] };
    const existing = await f.as('adminA', f.a, {
      method: 'POST',
      url: `/api/v1/projects/${f.a.project.id}/members`,
      payload,
    });
    assert.equal(existing.statusCode, 201);
    assert.deepEqual(Object.keys(existing.json()).sort(), ['invitation', 'invite_url']);
    const adminB = await login(f.t, f.accounts.adminB.email);
    const accepted = await f.t.app.inject({
      method: 'POST',
      url: `/api/v1/invitations/${new URL(existing.json().invite_url).searchParams.get('token')}/accept`,
      headers: { cookie: adminB.cookie, 'x-csrf-token': adminB.csrf },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const twice = await f.as('adminA', f.a, {
      method: 'POST',
      url: `/api/v1/projects/${f.a.project.id}/members`,
      payload,
    });
    assert.equal(twice.statusCode, 409);
  });

  test('security-relevant actions are audited with actor, target, IP and request id, never a secret', async () => {
    const res = await f.as('adminA', f.a, { url: `/api/v1/projects/${f.a.project.id}/audit?limit=200` });
    const entries = res.json().items as {
      action: string;
      actor: { type: string; label: string };
      ip: string | null;
      request_id: string | null;
      details: unknown;
    }[];
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      'auth.login',
      'auth.login_failed',
      'member.added',
      'token.created',
      'token.revoked',
      'project.updated',
    ])
      assert.ok(actions.has(action), action);
    const revoked = entries.find((e) => e.action === 'token.revoked');
    assert.equal(revoked?.actor.type, 'token');
    assert.equal(revoked?.ip, '127.0.0.1');
    assert.ok(revoked?.request_id);
    const text = JSON.stringify(entries);
    for (const secret of Object.values(f.tokens).flatMap((t) => Object.values(t)))
      assert.ok(!text.includes(secret));
    assert.ok(!text.includes(PASSWORD) && !text.includes('wrong-password!'));
    // SEC-17: there is no route to edit or delete audit entries.
    for (const method of ['DELETE', 'PATCH', 'PUT'] as const) {
      const attempt = await f.as('adminA', f.a, { method, url: `/api/v1/projects/${f.a.project.id}/audit` });
      assert.equal(attempt.statusCode, 404);
    }
  });
});

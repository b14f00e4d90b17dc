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
      const { auth } = f.t.deps;
      const create = (email: string, password: string) =>
        auth.createAccount({ email, password, isInstanceAdmin: false, mustChangePassword: false }, cli);
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

    test("tokens: a workspace admin neither sees nor revokes a project admin's token (404 like a missing one)", async () => {
      const id = f.a.project.id;
      const tokensOf = async (user: 'adminA' | 'wsAdminA') =>
        (
          (await f.as(user, f.a, { url: `/api/v1/projects/${id}/tokens?limit=200` })).json() as {
            items: { id: string; created_by: { email: string } }[];
          }
        ).items;
      const all = await tokensOf('adminA');
      const adminToken = all.find((t) => t.created_by.email === f.accounts.adminA.email);
      const viewerToken = all.find((t) => t.created_by.email === f.accounts.viewerA.email);
      assert.ok(adminToken && viewerToken);
      // An operator of the workspace admin's own workspace: its tokens are manageable.
      const operatorAccess = await f.t.deps.access.memberAccess(f.accounts.operatorA.id, id);
      const { token: operatorToken } = await f.t.deps.tokens.createToken(
        f.accounts.operatorA,
        operatorAccess!,
        { name: 'operator script', permissions: ['campaign.edit'], expiresAt: null },
        cli,
      );

      const seen = (await tokensOf('wsAdminA')).map((t) => t.created_by.email);
      assert.ok(seen.includes(f.accounts.wsAdminA.email));
      assert.ok(seen.includes(f.accounts.operatorA.email));
      assert.ok(!seen.includes(f.accounts.adminA.email), "a project admin's token is not listed");
      assert.ok(!seen.includes(f.accounts.viewerA.email), 'a member of another workspace is not listed');

      const missing = await f.as('wsAdminA', f.a, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/tokens/tok_missing`,
      });
      for (const target of [adminToken.id, viewerToken.id]) {
        const res = await f.as('wsAdminA', f.a, {
          method: 'DELETE',
          url: `/api/v1/projects/${id}/tokens/${target}`,
        });
        assert.equal(res.statusCode, 404, target);
        assert.equal(errorCode(res), errorCode(missing));
      }
      // Still alive.
      assert.equal((await f.as('adminA', f.a, { url: `/api/v1/projects/${id}/members` })).statusCode, 200);
      assert.ok((await tokensOf('adminA')).some((t) => t.id === adminToken.id));

      const revoked = await f.as('wsAdminA', f.a, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/tokens/${operatorToken.id}`,
      });
      assert.equal(revoked.statusCode, 204);
    });

    test('audit: token ids the reader may not see are redacted, in targets and actors', async () => {
      const id = f.a.project.id;
      // The project admin acts with its token, so its token id becomes an actor id too.
      await f.as('adminA', f.a, {
        method: 'POST',
        url: `/api/v1/projects/${id}/workspaces`,
        payload: { name: 'Audited by token' },
      });
      const all = (
        (await f.as('adminA', f.a, { url: `/api/v1/projects/${id}/tokens?limit=200` })).json() as {
          items: { id: string; created_by: { email: string } }[];
        }
      ).items;
      const hidden = all.filter((t) => t.created_by.email === f.accounts.adminA.email).map((t) => t.id);
      const own = all.filter((t) => t.created_by.email === f.accounts.wsAdminA.email).map((t) => t.id);
      assert.ok(hidden.length > 0 && own.length > 0);

      const adminView = (await f.as('adminA', f.a, { url: `/api/v1/projects/${id}/audit?limit=200` })).body;
      for (const tokenId of hidden) assert.ok(adminView.includes(tokenId), 'the project admin sees every id');

      const res = await f.as('wsAdminA', f.a, { url: `/api/v1/projects/${id}/audit?limit=200` });
      assert.equal(res.statusCode, 200);
      for (const tokenId of hidden) assert.ok(!res.body.includes(tokenId), `${tokenId} leaked`);
      for (const tokenId of own) assert.ok(res.body.includes(tokenId), 'its own token ids stay visible');
      const entries = res.json().items as {
        action: string;
        actor: { type: string; id: string; label: string };
        target: { type: string; id: string; label: string };
      }[];
      const byAdminToken = entries.find(
        (e) => e.action === 'workspace.created' && e.target.label === 'Audited by token',
      );
      assert.equal(byAdminToken?.actor.type, 'token');
      assert.equal(byAdminToken?.actor.id, 'redacted');
      assert.ok(
        entries.some(
          (e) => e.action === 'token.created' && e.target.type === 'token' && e.target.id === 'redacted',
        ),
      );
    });

    test('a project created without admin_email has its creator as project admin, so it is reachable', async () => {
      const root = await login(f.t, f.accounts.instanceAdmin.email);
      const headers = { cookie: root.cookie, 'x-csrf-token': root.csrf };
      const created = await f.t.app.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers,
        payload: { name: 'Solo project' },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as number;
      const listed = await f.t.app.inject({ url: '/api/v1/projects', headers });
      assert.ok((listed.json().items as { id: number }[]).some((p) => p.id === id));
      const project = await f.t.app.inject({ url: `/api/v1/projects/${id}`, headers });
      assert.equal(project.statusCode, 200, project.body);
      const members = await f.t.app.inject({ url: `/api/v1/projects/${id}/members`, headers });
      assert.deepEqual(
        (members.json().items as { email: string; role: string }[]).map((m) => [m.email, m.role]),
        [[f.accounts.instanceAdmin.email, 'project_admin']],
      );
    });

    test('an admin issues a new set-password link for a member: audited, shown once, the old link ends', async () => {
      const id = f.a.project.id;
      const issue = (user: 'adminA' | 'wsAdminA' | 'viewerA' | 'adminB', accountId: string, p = f.a) =>
        f.as(user, p, {
          method: 'POST',
          url: `/api/v1/projects/${p.project.id}/members/${accountId}/password-link`,
        });
      const first = await issue('adminA', f.accounts.operatorA.id);
      assert.equal(first.statusCode, 201, first.body);
      const second = await issue('adminA', f.accounts.operatorA.id);
      const url = second.json().set_password_url as string;
      assert.match(url, /\/set-password\?token=/);
      assert.ok(second.json().expires_at);
      const setPassword = (link: string, password: string) =>
        f.t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/set-password',
          payload: { token: new URL(link).searchParams.get('token'), password },
        });
      // A new link ends the previous one.
      const stale = await setPassword(first.json().set_password_url, 'first link password');
      assert.equal(errorCode(stale), 'TP_ERR_AUTH_LINK_INVALID');
      // The password rules apply, and a refused password leaves the link usable.
      const weak = await setPassword(url, 'Sunshine2024');
      assert.equal(errorCode(weak), 'TP_ERR_AUTH_PASSWORD_COMMON');
      assert.equal((await setPassword(url, 'operator reset pw 77')).statusCode, 204);
      assert.equal(
        (await login(f.t, f.accounts.operatorA.email, 'operator reset pw 77')).response.statusCode,
        200,
      );

      // Who may not: 403 without member.manage or over a project admin, 404 from another project.
      assert.equal(errorCode(await issue('viewerA', f.accounts.operatorA.id)), 'TP_ERR_FORBIDDEN');
      assert.equal(
        errorCode(await issue('wsAdminA', f.accounts.adminA.id)),
        'TP_ERR_TENANCY_PERMISSION_NOT_HELD',
      );
      assert.equal((await issue('adminB', f.accounts.operatorA.id, f.b)).statusCode, 404);
      // An account that is also a member elsewhere (here: project admin of B) could be taken over
      // through the link, so only someone who manages it everywhere may issue one.
      const dual = await issue('adminA', f.accounts.dual.id);
      assert.equal(dual.statusCode, 403);
      assert.equal(errorCode(dual), 'TP_ERR_TENANCY_PERMISSION_NOT_HELD');

      const audit = await f.as('adminA', f.a, {
        url: `/api/v1/projects/${id}/audit?action=member.password_link_issued`,
      });
      const entries = audit.json().items as { target: { id: string } }[];
      assert.equal(entries.length, 2);
      assert.equal(entries[0]?.target.id, f.accounts.operatorA.id);
      assert.ok(!audit.body.includes(new URL(url).searchParams.get('token') as string));
    });

    test('adding a member invites: the same answer for known and unknown e-mails, membership only on acceptance', async () => {
      const id = f.a.project.id;
      const ws = f.a.workspaces[0].id;
      const invite = (email: string, user: 'adminA' | 'wsAdminA' = 'adminA', role = 'viewer') =>
        f.as(user, f.a, {
          method: 'POST',
          url: `/api/v1/projects/${id}/members`,
          payload: { email, role, workspace_ids: [ws] },
        });
      const unknown = await invite('stranger@example.com');
      const known = await invite(f.accounts.outsider.email);
      assert.equal(unknown.statusCode, 201, unknown.body);
      assert.equal(known.statusCode, 201, known.body);
      const shape = (res: LightMyRequestResponse) => {
        const body = res.json() as { invitation: Record<string, unknown>; invite_url: string };
        const { id: _id, email: _email, created_at: _c, expires_at: _e, ...rest } = body.invitation;
        return { keys: Object.keys(body).sort(), invitation: Object.keys(body.invitation).sort(), rest };
      };
      assert.deepEqual(shape(known), shape(unknown));
      const tokenOf = (res: LightMyRequestResponse) =>
        new URL(res.json().invite_url as string).searchParams.get('token') as string;
      // The invitation says nothing about the account; the audit neither.
      assert.ok(!known.body.includes(f.accounts.outsider.id));
      const audit = await f.as('adminA', f.a, { url: `/api/v1/projects/${id}/audit?action=member.invited` });
      assert.equal(audit.json().items.length, 2);
      assert.ok(!audit.body.includes(f.accounts.outsider.id));

      // No membership before acceptance.
      const outsider = await login(f.t, f.accounts.outsider.email);
      const asOutsider = (url: string, method: 'GET' | 'POST' = 'GET') =>
        f.t.app.inject({ method, url, headers: { cookie: outsider.cookie, 'x-csrf-token': outsider.csrf } });
      assert.equal((await asOutsider(`/api/v1/projects/${id}`)).statusCode, 404);
      const pending = await f.as('adminA', f.a, { url: `/api/v1/projects/${id}/invitations` });
      assert.equal(pending.statusCode, 200, pending.body);
      assert.deepEqual((pending.json().items as { email: string }[]).map((i) => i.email).sort(), [
        f.accounts.outsider.email,
        'stranger@example.com',
      ]);
      const shown = await f.t.app.inject({ url: `/api/v1/invitations/${tokenOf(unknown)}` });
      assert.equal(shown.statusCode, 200, shown.body);
      assert.equal(shown.json().project_name, 'Project A');

      // The wrong account, or an API token, cannot accept it.
      const wrong = await f.t.app.inject({
        method: 'POST',
        url: `/api/v1/invitations/${tokenOf(known)}/accept`,
        headers: { authorization: `Bearer ${f.tokens.adminB?.[f.b.project.id]}` },
      });
      assert.equal(wrong.statusCode, 403);
      const root = await login(f.t, f.accounts.instanceAdmin.email);
      const other = await f.t.app.inject({
        method: 'POST',
        url: `/api/v1/invitations/${tokenOf(known)}/accept`,
        headers: { cookie: root.cookie, 'x-csrf-token': root.csrf },
      });
      assert.equal(errorCode(other), 'TP_ERR_TENANCY_INVITATION_OTHER_ACCOUNT');

      // An existing account signs in and accepts; the link works once.
      const accepted = await asOutsider(`/api/v1/invitations/${tokenOf(known)}/accept`, 'POST');
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.equal(accepted.json().member.role, 'viewer');
      assert.equal((await asOutsider(`/api/v1/projects/${id}`)).statusCode, 200);
      const again = await asOutsider(`/api/v1/invitations/${tokenOf(known)}/accept`, 'POST');
      assert.equal(again.statusCode, 404);
      assert.equal(errorCode(again), 'TP_ERR_TENANCY_INVITATION_INVALID');
      assert.equal(errorCode(await invite(f.accounts.outsider.email)), 'TP_ERR_TENANCY_MEMBER_EXISTS');

      // A new account sets its password with the link (the set-password flow) and is a member.
      const setPassword = (token: string, password: string) =>
        f.t.app.inject({ method: 'POST', url: '/api/v1/auth/set-password', payload: { token, password } });
      assert.equal(
        errorCode(await setPassword(tokenOf(unknown), 'stranger@example.com')),
        'TP_ERR_AUTH_PASSWORD_IS_EMAIL',
      );
      assert.equal((await setPassword(tokenOf(unknown), 'stranger things 1983')).statusCode, 204);
      const stranger = await login(f.t, 'stranger@example.com', 'stranger things 1983');
      assert.equal(stranger.response.statusCode, 200);
      const session = await f.t.app.inject({
        url: '/api/v1/auth/session',
        headers: { cookie: stranger.cookie },
      });
      assert.deepEqual(
        (session.json().memberships as { project_id: number; role: string }[]).map((m) => [
          m.project_id,
          m.role,
        ]),
        [[id, 'viewer']],
      );
      assert.equal(
        errorCode(await setPassword(tokenOf(unknown), 'stranger things 1984')),
        'TP_ERR_AUTH_LINK_INVALID',
      );

      // An existing account's link never sets its password: it must sign in and accept.
      const forAdminB = await invite(f.accounts.adminB.email);
      const takeover = await setPassword(tokenOf(forAdminB), 'taken over pass 99');
      assert.equal(takeover.statusCode, 409);
      assert.equal(errorCode(takeover), 'TP_ERR_TENANCY_INVITATION_SIGN_IN');
      assert.equal((await login(f.t, f.accounts.adminB.email)).response.statusCode, 200);

      // Revoking ends the link; inviting the same e-mail again replaces the pending invitation.
      const first = await invite('later@example.com');
      const second = await invite('later@example.com');
      assert.equal(
        errorCode(await setPassword(tokenOf(first), 'later person pass 1')),
        'TP_ERR_AUTH_LINK_INVALID',
      );
      const invitationId = second.json().invitation.id as string;
      // A workspace admin sees invitations within its workspaces, never one for a project admin.
      const forAdmin = await f.as('adminA', f.a, {
        method: 'POST',
        url: `/api/v1/projects/${id}/members`,
        payload: { email: 'boss@example.com', role: 'project_admin' },
      });
      const wsView = await f.as('wsAdminA', f.a, { url: `/api/v1/projects/${id}/invitations` });
      const wsEmails = (wsView.json().items as { email: string }[]).map((i) => i.email);
      assert.ok(wsEmails.includes('later@example.com') && !wsEmails.includes('boss@example.com'));
      const wsRevoke = await f.as('wsAdminA', f.a, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/invitations/${forAdmin.json().invitation.id}`,
      });
      assert.equal(wsRevoke.statusCode, 404);
      const foreign = await f.as('adminB', f.b, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/invitations/${invitationId}`,
      });
      assert.equal(foreign.statusCode, 404);
      const revoked = await f.as('adminA', f.a, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/invitations/${invitationId}`,
      });
      assert.equal(revoked.statusCode, 204);
      assert.equal(
        errorCode(await setPassword(tokenOf(second), 'later person pass 1')),
        'TP_ERR_AUTH_LINK_INVALID',
      );
      const actions = (
        (await f.as('adminA', f.a, { url: `/api/v1/projects/${id}/audit?limit=200` })).json().items as {
          action: string;
        }[]
      ).map((e) => e.action);
      for (const action of ['member.invited', 'member.invitation_revoked', 'member.added'])
        assert.ok(actions.includes(action), action);
    });
  });
}

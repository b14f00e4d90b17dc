import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { systemScope } from '../../src/access/scope.ts';
import { createTenancyFixture, login, PASSWORD, type TenancyFixture } from '../support/tenancy-fixture.ts';
import { storeKinds } from '../support/stores.ts';

interface AccountRow {
  id: string;
  email: string;
  name: string;
  is_instance_admin: boolean;
  password_set: boolean;
  locked: boolean;
  locked_until: string | null;
  last_login_at: string | null;
  created_at: string;
  memberships: { project_id: number; project_name: string; role: string }[];
}

const cli = { actor: { type: 'cli' as const, id: 'test', label: 'test' }, ip: null, requestId: null };

function errorCode(res: LightMyRequestResponse): string {
  return (res.json() as { error: { code: string } }).error.code;
}

for (const kind of storeKinds) {
  describe(`instance admin: accounts and all projects [${kind}]`, () => {
    let f: TenancyFixture;
    let root: { cookie: string; csrf: string };
    before(async () => {
      f = await createTenancyFixture(kind);
      root = await login(f.t, f.accounts.instanceAdmin.email);
    });
    after(() => f.close());

    /** As a signed-in account (session cookie and CSRF header). */
    const asSession = (s: { cookie: string; csrf: string }, options: InjectOptions) =>
      f.t.app.inject({
        ...options,
        headers: { ...(options.headers ?? {}), cookie: s.cookie, 'x-csrf-token': s.csrf },
      });
    const asRoot = (options: InjectOptions) => asSession(root, options);

    async function listAll(query = '', limit = 200): Promise<AccountRow[]> {
      const rows: AccountRow[] = [];
      let cursor: string | null = null;
      do {
        const search = new URLSearchParams({ limit: String(limit), ...(query ? { q: query } : {}) });
        if (cursor) search.set('cursor', cursor);
        const res = await asRoot({ url: `/api/v1/accounts?${search}` });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json() as { items: AccountRow[]; next_cursor: string | null };
        rows.push(...body.items);
        cursor = body.next_cursor;
      } while (cursor);
      return rows;
    }

    async function instanceAudit(action: string) {
      return f.t.deps.store.audit.listInstance(
        systemScope('test reads instance audit'),
        { action },
        {
          limit: 50,
        },
      );
    }

    const routes: InjectOptions[] = [
      { method: 'GET', url: '/api/v1/accounts' },
      { method: 'POST', url: '/api/v1/accounts', payload: { email: 'nope@example.com' } },
      { method: 'PATCH', url: '/api/v1/accounts/acc_x', payload: { is_instance_admin: true } },
      { method: 'POST', url: '/api/v1/accounts/acc_x/password-link' },
      { method: 'GET', url: '/api/v1/instance/projects' },
    ];

    test('only a signed-in instance admin: a project admin gets 403, an API token is refused, anonymous 401', async () => {
      const adminA = await login(f.t, f.accounts.adminA.email);
      // The instance admin as a member of project A, with a token carrying every permission.
      await f.t.deps.store.members.put(
        { kind: 'project', projectId: f.a.project.id },
        f.accounts.instanceAdmin.id,
        'project_admin',
        [],
      );
      const access = await f.t.deps.access.memberAccess(f.accounts.instanceAdmin.id, f.a.project.id);
      const { secret } = await f.t.deps.tokens.createToken(
        f.accounts.instanceAdmin,
        access!,
        { name: 'root script', permissions: [...access!.permissions], expiresAt: null },
        cli,
      );
      for (const route of routes) {
        const label = `${route.method} ${route.url}`;
        const projectAdmin = await asSession(adminA, route);
        assert.equal(projectAdmin.statusCode, 403, label);
        assert.equal(errorCode(projectAdmin), 'TP_ERR_FORBIDDEN', label);
        assert.deepEqual(projectAdmin.json().error.details, { required: 'instance_admin' }, label);
        const member = await f.as('adminA', f.a, route);
        assert.equal(member.statusCode, 403, label);
        const token = await f.t.app.inject({
          ...route,
          headers: { authorization: `Bearer ${secret}` },
        });
        assert.equal(token.statusCode, 403, `instance admin's token: ${label}`);
        assert.equal(errorCode(token), 'TP_ERR_FORBIDDEN', label);
        const anonymous = await f.t.app.inject(route);
        assert.equal(anonymous.statusCode, 401, label);
      }
      // Nothing was created by the refused calls.
      assert.equal((await listAll('nope@')).length, 0);
      assert.equal(await f.t.deps.store.accounts.findByEmail('nope@example.com'), undefined);
    });

    test('lists every account with its memberships, pages without gaps and filters by e-mail or name', async () => {
      const all = await listAll();
      const emails = all.map((a) => a.email);
      for (const account of Object.values(f.accounts))
        assert.ok(emails.includes(account.email), account.email);
      assert.equal(new Set(all.map((a) => a.id)).size, all.length);

      const dual = all.find((a) => a.email === f.accounts.dual.email)!;
      assert.deepEqual(
        dual.memberships.map((m) => [m.project_name, m.role]),
        [
          ['Project A', 'operator'],
          ['Project B', 'project_admin'],
        ],
      );
      assert.equal(dual.is_instance_admin, false);
      assert.equal(dual.locked, false);
      assert.equal(dual.password_set, true);
      const rootRow = all.find((a) => a.email === f.accounts.instanceAdmin.email)!;
      assert.equal(rootRow.is_instance_admin, true);
      assert.ok(rootRow.last_login_at, 'the sign-in in before() is recorded');
      assert.equal(all.find((a) => a.email === f.accounts.outsider.email)!.last_login_at, null);

      // Paging: two at a time gives the same accounts in the same order.
      const paged = await listAll('', 2);
      assert.deepEqual(
        paged.map((a) => a.id),
        all.map((a) => a.id),
      );

      // Filter: part of the e-mail or the name, any case; LIKE wildcards are literal.
      assert.deepEqual((await listAll('ADMIN-')).map((a) => a.email).sort(), [
        f.accounts.adminA.email,
        f.accounts.adminB.email,
        f.accounts.wsAdminA.email,
      ]);
      await f.t.deps.auth.createAccount(
        {
          email: 'mei@example.com',
          name: 'Wang Mei 100%',
          isInstanceAdmin: false,
          mustChangePassword: false,
        },
        cli,
      );
      assert.deepEqual(
        (await listAll('wang mei')).map((a) => a.email),
        ['mei@example.com'],
      );
      assert.deepEqual(
        (await listAll('100%')).map((a) => a.email),
        ['mei@example.com'],
      );
      assert.deepEqual(await listAll('%'), (await listAll('100%')).slice(0, 1));
      assert.deepEqual(await listAll('_'), []);
      assert.deepEqual(await listAll('no-such-account'), []);

      // A cursor belongs to its filter: reused with another one it is refused.
      const first = await asRoot({ url: '/api/v1/accounts?limit=1&q=example' });
      const cursor = first.json().next_cursor as string;
      assert.ok(cursor);
      const other = await asRoot({ url: `/api/v1/accounts?limit=1&q=admin&cursor=${cursor}` });
      assert.equal(other.statusCode, 400);
      assert.equal(errorCode(other), 'TP_ERR_CURSOR_INVALID');
      const bad = await asRoot({ url: '/api/v1/accounts?limit=0' });
      assert.equal(errorCode(bad), 'TP_ERR_VALIDATION');
    });

    test('creates an account with a one-time set-password link that signs it in once', async () => {
      const res = await asRoot({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { email: '  New.Person@Example.com ', name: 'New Person' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json() as { account: AccountRow; set_password_url: string; expires_at: string };
      assert.equal(body.account.email, 'new.person@example.com');
      assert.equal(body.account.name, 'New Person');
      assert.equal(body.account.is_instance_admin, false);
      assert.equal(body.account.password_set, false);
      assert.deepEqual(body.account.memberships, []);
      assert.match(body.set_password_url, /\/set-password\?token=[\w-]+$/);
      assert.ok(Date.parse(body.expires_at) > Date.now() + 6 * 24 * 3600 * 1000);

      const created = (await instanceAudit('account.created')).find((e) => e.target.id === body.account.id);
      assert.ok(created, 'account.created is in the instance audit log');
      assert.equal(created.actor.id, f.accounts.instanceAdmin.id);
      assert.equal(created.details.instance_admin, false);

      // No password yet: signing in fails until the link is used; the link works once.
      assert.equal((await login(f.t, 'new.person@example.com')).response.statusCode, 401);
      const token = new URL(body.set_password_url, 'http://x').searchParams.get('token');
      const set = (password: string) =>
        f.t.app.inject({ method: 'POST', url: '/api/v1/auth/set-password', payload: { token, password } });
      assert.equal((await set(PASSWORD)).statusCode, 204);
      assert.equal(errorCode(await set(PASSWORD)), 'TP_ERR_AUTH_LINK_INVALID');
      assert.equal((await login(f.t, 'new.person@example.com')).response.statusCode, 200);
      const row = (await listAll('new.person')).at(0)!;
      assert.equal(row.password_set, true);
      assert.ok(row.last_login_at);

      // An instance admin from the start.
      const admin = await asRoot({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { email: 'second-root@example.com', is_instance_admin: true },
      });
      assert.equal(admin.statusCode, 201);
      assert.equal(admin.json().account.is_instance_admin, true);
      assert.equal(admin.json().account.name, 'second-root');
    });

    test('refuses an existing e-mail and each invalid field with its code', async () => {
      const post = (payload: Record<string, unknown>) =>
        asRoot({ method: 'POST', url: '/api/v1/accounts', payload });
      const exists = await post({ email: f.accounts.viewerA.email.toUpperCase() });
      assert.equal(exists.statusCode, 409);
      assert.equal(errorCode(exists), 'TP_ERR_TENANCY_ACCOUNT_EXISTS');
      const cases: [Record<string, unknown>, string][] = [
        [{ email: 'not-an-email' }, '/email'],
        [{}, '/email'],
        [{ email: 'ok@example.com', name: '' }, '/name'],
        [{ email: 'ok@example.com', name: '   ' }, '/name'],
        [{ email: 'ok@example.com', name: 'x'.repeat(101) }, '/name'],
        [{ email: 'ok@example.com', is_instance_admin: 'yes' }, '/is_instance_admin'],
        [{ email: 'ok@example.com', role: 'root' }, '/role'],
      ];
      for (const [payload, path] of cases) {
        const res = await post(payload);
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
        assert.equal(errorCode(res), 'TP_ERR_VALIDATION', JSON.stringify(payload));
        const issues = res.json().error.details.issues as { path: string }[];
        assert.ok(
          issues.some((i) => i.path === path),
          `${JSON.stringify(payload)}: ${JSON.stringify(issues)}`,
        );
      }
      assert.equal(await f.t.deps.store.accounts.findByEmail('ok@example.com'), undefined);
    });

    test('grants and withdraws instance admin; never your own, never the last; audited in the projects', async () => {
      const patch = (s: { cookie: string; csrf: string }, id: string, payload: Record<string, unknown>) =>
        asSession(s, { method: 'PATCH', url: `/api/v1/accounts/${id}`, payload });
      const viewer = f.accounts.viewerA;
      const granted = await patch(root, viewer.id, { is_instance_admin: true });
      assert.equal(granted.statusCode, 200, granted.body);
      assert.equal(granted.json().is_instance_admin, true);
      assert.equal(granted.json().memberships[0].project_name, 'Project A');
      // Granting again changes nothing and records nothing.
      assert.equal((await patch(root, viewer.id, { is_instance_admin: true })).statusCode, 200);
      const audit = await f.as('adminA', f.a, {
        url: `/api/v1/projects/${f.a.project.id}/audit?action=account.instance_admin_granted`,
      });
      assert.deepEqual(
        (audit.json().items as { target: { id: string } }[]).map((e) => e.target.id),
        [viewer.id],
      );

      // The new instance admin signs in and sees every account.
      const viewerSession = await login(f.t, viewer.email);
      assert.equal((await asSession(viewerSession, { url: '/api/v1/accounts' })).statusCode, 200);

      const own = await patch(viewerSession, viewer.id, { is_instance_admin: false });
      assert.equal(own.statusCode, 403);
      assert.equal(errorCode(own), 'TP_ERR_TENANCY_OWN_INSTANCE_ADMIN');

      // Withdraw every other instance admin, so two remain: root and viewer.
      for (const other of await listAll()) {
        if (!other.is_instance_admin || other.email === viewer.email) continue;
        if (other.email === f.accounts.instanceAdmin.email) continue;
        assert.equal((await patch(root, other.id, { is_instance_admin: false })).statusCode, 200);
      }
      // Two admins withdraw each other at once: one wins; the other is refused, either by the
      // guard (it already lost its rights) or, inside the serialized change, as the last admin.
      const [a, b] = await Promise.all([
        patch(root, viewer.id, { is_instance_admin: false }),
        patch(viewerSession, f.accounts.instanceAdmin.id, { is_instance_admin: false }),
      ]);
      assert.deepEqual(
        [a.statusCode, b.statusCode].filter((s) => s === 200),
        [200],
        `${a.body} ${b.body}`,
      );
      const refused = a.statusCode === 200 ? b : a;
      assert.ok(
        ['TP_ERR_TENANCY_LAST_INSTANCE_ADMIN', 'TP_ERR_FORBIDDEN'].includes(errorCode(refused)),
        refused.body,
      );
      assert.equal(await f.t.deps.store.accounts.countInstanceAdmins(), 1);

      // Whoever lost the rights is refused from the next request on.
      const winner = a.statusCode === 200 ? root : viewerSession;
      const loser = a.statusCode === 200 ? viewerSession : root;
      const loserAccount = loser === root ? f.accounts.instanceAdmin : viewer;
      const winnerAccount = loser === root ? viewer : f.accounts.instanceAdmin;
      assert.equal((await asSession(loser, { url: '/api/v1/accounts' })).statusCode, 403);

      // The last one: a caller that passed the guard just before losing its rights cannot
      // withdraw the only instance admin left.
      const stale = {
        account: { ...loserAccount, isInstanceAdmin: true },
        via: { kind: 'session' as const, idHash: '', csrfToken: '' },
        ip: null,
        requestId: null,
      };
      await assert.rejects(
        f.t.deps.accounts.updateAccount(stale, winnerAccount.id, { isInstanceAdmin: false }),
        { code: 'TP_ERR_TENANCY_LAST_INSTANCE_ADMIN' },
      );
      assert.equal(await f.t.deps.store.accounts.countInstanceAdmins(), 1);

      // Restore: root is the one instance admin again.
      if (winner !== root) {
        assert.equal((await patch(winner, loserAccount.id, { is_instance_admin: true })).statusCode, 200);
        assert.equal((await patch(root, viewer.id, { is_instance_admin: false })).statusCode, 200);
      }
      const withdrawn = await f.as('adminA', f.a, {
        url: `/api/v1/projects/${f.a.project.id}/audit?action=account.instance_admin_withdrawn`,
      });
      assert.ok(withdrawn.json().items.length >= 1);
      assert.equal(await f.t.deps.store.accounts.countInstanceAdmins(), 1);
      assert.equal((await listAll()).find((x) => x.is_instance_admin)?.email, f.accounts.instanceAdmin.email);

      const missing = await patch(root, 'acc_missing', { is_instance_admin: true });
      assert.equal(missing.statusCode, 404);
      assert.equal(errorCode(missing), 'TP_ERR_NOT_FOUND');
      for (const payload of [{}, { locked: true }, { is_instance_admin: 'no' }, { email: 'x@example.com' }]) {
        const res = await patch(root, viewer.id, payload);
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
        assert.equal(errorCode(res), 'TP_ERR_VALIDATION', JSON.stringify(payload));
      }
    });

    test('unlocks a locked account, which then signs in; the unlock is audited', async () => {
      const email = f.accounts.operatorA.email;
      for (let i = 0; i < 5; i++) await login(f.t, email, 'wrong password entirely');
      const locked = (await listAll(email))[0]!;
      assert.equal(locked.locked, true);
      assert.ok(Date.parse(locked.locked_until ?? '') > Date.now());
      assert.equal(errorCode((await login(f.t, email)).response), 'TP_ERR_AUTH_LOCKED');

      const res = await asRoot({
        method: 'PATCH',
        url: `/api/v1/accounts/${locked.id}`,
        payload: { locked: false },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().locked, false);
      assert.equal(res.json().locked_until, null);
      assert.equal((await login(f.t, email)).response.statusCode, 200);
      const audit = await f.as('adminA', f.a, {
        url: `/api/v1/projects/${f.a.project.id}/audit?action=account.unlocked`,
      });
      const entry = (
        audit.json().items as { target: { id: string }; details: { failed_logins: number } }[]
      )[0];
      assert.equal(entry?.target.id, locked.id);
      assert.equal(entry?.details.failed_logins, 5);
      // Unlocking an account that is not locked changes and records nothing.
      await asRoot({ method: 'PATCH', url: `/api/v1/accounts/${locked.id}`, payload: { locked: false } });
      const again = await f.as('adminA', f.a, {
        url: `/api/v1/projects/${f.a.project.id}/audit?action=account.unlocked`,
      });
      assert.equal(again.json().items.length, 1);
    });

    test('issues a new set-password link for another account, not for yourself', async () => {
      const target = f.accounts.wsAdminA;
      const res = await asRoot({ method: 'POST', url: `/api/v1/accounts/${target.id}/password-link` });
      assert.equal(res.statusCode, 201, res.body);
      const token = new URL(res.json().set_password_url as string, 'http://x').searchParams.get('token');
      const set = await f.t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/set-password',
        payload: { token, password: 'a brand new passphrase' },
      });
      assert.equal(set.statusCode, 204);
      assert.equal((await login(f.t, target.email, 'a brand new passphrase')).response.statusCode, 200);
      const audit = await f.as('adminA', f.a, {
        url: `/api/v1/projects/${f.a.project.id}/audit?action=account.password_link_issued`,
      });
      assert.equal(audit.json().items[0]?.target.id, target.id);

      const self = await asRoot({
        method: 'POST',
        url: `/api/v1/accounts/${f.accounts.instanceAdmin.id}/password-link`,
      });
      assert.equal(self.statusCode, 400);
      assert.equal(errorCode(self), 'TP_ERR_VALIDATION');
      const missing = await asRoot({ method: 'POST', url: '/api/v1/accounts/acc_missing/password-link' });
      assert.equal(missing.statusCode, 404);
    });

    test('lists every project with member and project admin counts, paged', async () => {
      const read = async (limit: number) => {
        const rows: { id: number; name: string; member_count: number; admin_count: number }[] = [];
        let cursor: string | null = null;
        do {
          const res = await asRoot({
            url: `/api/v1/instance/projects?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          });
          assert.equal(res.statusCode, 200, res.body);
          rows.push(...res.json().items);
          cursor = res.json().next_cursor;
        } while (cursor);
        return rows;
      };
      const empty = await f.t.deps.projects.createProject(
        { name: 'Project C', adminEmail: f.accounts.outsider.email },
        cli,
      );
      await f.t.deps.store.members.remove({ kind: 'project', projectId: empty.id }, f.accounts.outsider.id);
      const all = await read(50);
      assert.deepEqual(await read(1), all);
      const byName = Object.fromEntries(all.map((p) => [p.name, [p.member_count, p.admin_count]]));
      // A: admin, workspace admin, operator, viewer, dual (+ root, added as admin by the first test).
      assert.deepEqual(byName['Project A'], [6, 2]);
      assert.deepEqual(byName['Project B'], [2, 2]);
      assert.deepEqual(byName['Project C'], [0, 0]);
      // The switcher's list holds only the projects the instance admin can open: its own.
      const plain = await asRoot({ url: '/api/v1/projects' });
      const own = (plain.json().items as { name: string }[]).map((p) => p.name).sort();
      assert.deepEqual(own, ['Project A']);
      const opened = await asRoot({ url: `/api/v1/projects/${empty.id}` });
      assert.equal(opened.statusCode, 404, 'no implicit access to a project it is not in');
    });
  });
}

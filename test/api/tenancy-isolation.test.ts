import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTenancyFixture, login, type TenancyFixture } from '../support/tenancy-fixture.ts';
import { storeKinds } from '../support/stores.ts';

/** The error body without its request id, for "identical to a missing id" comparisons (MT-18). */
function errorShape(res: LightMyRequestResponse) {
  const body = res.json() as { error: { requestId?: string } };
  delete body.error.requestId;
  return { status: res.statusCode, body };
}

for (const kind of storeKinds) {
  describe(`tenant isolation and permissions [${kind}]`, () => {
    let f: TenancyFixture;
    before(async () => {
      f = await createTenancyFixture(kind);
    });
    after(() => f.close());

    const missingProject = 987654;
    const paths = (projectId: number | string) => [
      `/api/v1/projects/${projectId}`,
      `/api/v1/projects/${projectId}/workspaces`,
      `/api/v1/projects/${projectId}/members`,
      `/api/v1/projects/${projectId}/tokens`,
      `/api/v1/projects/${projectId}/invitations`,
      `/api/v1/projects/${projectId}/audit`,
      `/api/v1/projects/${projectId}/messages`,
      `/api/v1/projects/${projectId}/messages-counts`,
    ];

    test('MT-02/MT-18 reading another project answers 404 exactly like a missing one', async () => {
      const aId = f.a.project.id;
      for (const [i, path] of paths(aId).entries()) {
        const foreign = await f.as('adminB', f.b, { url: path });
        const missing = await f.as('adminB', f.b, { url: paths(missingProject)[i] as string });
        assert.equal(foreign.statusCode, 404, path);
        assert.deepEqual(errorShape(foreign), errorShape(missing), path);
      }
      const ws = await f.as('adminB', f.b, {
        url: `/api/v1/projects/${aId}/workspaces/${f.a.workspaces[0].id}`,
      });
      assert.equal(ws.statusCode, 404);
    });

    test('MT-03 writing to another project answers 404 and changes nothing', async () => {
      const aId = f.a.project.id;
      const before = await f.as('adminA', f.a, { url: `/api/v1/projects/${aId}/members` });
      const attempts = [
        { method: 'PATCH' as const, url: `/api/v1/projects/${aId}`, payload: { name: 'pwned' } },
        { method: 'POST' as const, url: `/api/v1/projects/${aId}/workspaces`, payload: { name: 'pwned' } },
        {
          method: 'PATCH' as const,
          url: `/api/v1/projects/${aId}/workspaces/${f.a.workspaces[0].id}`,
          payload: { name: 'pwned' },
        },
        {
          method: 'POST' as const,
          url: `/api/v1/projects/${aId}/members`,
          payload: { email: 'x@example.com', role: 'project_admin' },
        },
        {
          method: 'PATCH' as const,
          url: `/api/v1/projects/${aId}/members/${f.accounts.viewerA.id}`,
          payload: { role: 'project_admin' },
        },
        { method: 'DELETE' as const, url: `/api/v1/projects/${aId}/members/${f.accounts.viewerA.id}` },
        {
          method: 'POST' as const,
          url: `/api/v1/projects/${aId}/tokens`,
          payload: { name: 'x', permissions: [] },
        },
      ];
      for (const attempt of attempts) {
        const res = await f.as('adminB', f.b, attempt);
        assert.equal(res.statusCode, 404, `${attempt.method} ${attempt.url}`);
        assert.equal(res.json().error.code, 'TP_ERR_NOT_FOUND');
      }
      const tokens = await f.as('adminA', f.a, { url: `/api/v1/projects/${aId}/tokens` });
      const tokenId = tokens.json().items[0].id as string;
      assert.equal(
        (await f.as('adminB', f.b, { method: 'DELETE', url: `/api/v1/projects/${aId}/tokens/${tokenId}` }))
          .statusCode,
        404,
      );
      // A's objects are byte-identical afterwards.
      assert.equal((await f.as('adminA', f.a, { url: `/api/v1/projects/${aId}/members` })).body, before.body);
      assert.equal((await f.as('adminA', f.a, { url: `/api/v1/projects/${aId}` })).json().name, 'Project A');
      const afterTokens = await f.as('adminA', f.a, { url: `/api/v1/projects/${aId}/tokens` });
      assert.equal(afterTokens.json().items[0].revoked_at, null);
    });

    test('MT-04 a cursor from another project is refused; project filters in the query are unknown fields', async () => {
      const first = await f.as('dual', f.a, { url: `/api/v1/projects/${f.a.project.id}/members?limit=1` });
      const cursor = first.json().next_cursor as string;
      assert.ok(cursor);
      const res = await f.as('dual', f.b, {
        url: `/api/v1/projects/${f.b.project.id}/members?limit=1&cursor=${encodeURIComponent(cursor)}`,
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error.code, 'TP_ERR_CURSOR_INVALID');
      const filtered = await f.as('adminB', f.b, {
        url: `/api/v1/projects/${f.b.project.id}/members?projectId=${f.a.project.id}`,
      });
      assert.equal(filtered.statusCode, 400);
    });

    test('MT-05 nested mismatch: a workspace of the other project answers 404', async () => {
      for (const [user, p, ws] of [
        ['adminA', f.a, f.b.workspaces[0]],
        ['dual', f.b, f.a.workspaces[0]],
      ] as const) {
        const res = await f.as(user, p, { url: `/api/v1/projects/${p.project.id}/workspaces/${ws.id}` });
        assert.equal(res.statusCode, 404);
      }
    });

    test("MT-06/MT-11 another project's workspace in a body is refused, even for a member of both", async () => {
      const res = await f.as('dual', f.b, {
        method: 'POST',
        url: `/api/v1/projects/${f.b.project.id}/members`,
        payload: { email: 'newbie@example.com', role: 'viewer', workspace_ids: [f.a.workspaces[0].id] },
      });
      assert.equal(res.statusCode, 404);
      const list = await f.as('dual', f.b, { url: `/api/v1/projects/${f.b.project.id}/members?limit=200` });
      assert.ok(!(list.json().items as { email: string }[]).some((m) => m.email === 'newbie@example.com'));
      const injected = await f.as('adminA', f.a, {
        method: 'POST',
        url: `/api/v1/projects/${f.a.project.id}/workspaces`,
        payload: { name: 'Injected', project_id: f.b.project.id },
      });
      assert.equal(injected.statusCode, 400);
      assert.equal(injected.json().error.code, 'TP_ERR_VALIDATION');
    });

    test('MT-07 mass assignment: unknown fields and self-promotion are refused', async () => {
      const promote = await f.as('operatorA', f.a, {
        method: 'PATCH',
        url: `/api/v1/projects/${f.a.project.id}/members/${f.accounts.operatorA.id}`,
        payload: { role: 'project_admin' },
      });
      assert.equal(promote.statusCode, 403);
      const extra = await f.as('adminA', f.a, {
        method: 'PATCH',
        url: `/api/v1/projects/${f.a.project.id}`,
        payload: { name: 'A', id: 99, created_at: '2020-01-01T00:00:00Z' },
      });
      assert.equal(extra.statusCode, 400);
    });

    test('MT-09 viewers and operators calling admin functions get 403 with no side effect', async () => {
      const id = f.a.project.id;
      for (const user of ['viewerA', 'operatorA'] as const) {
        for (const attempt of [
          { method: 'PATCH' as const, url: `/api/v1/projects/${id}`, payload: { name: 'x' } },
          {
            method: 'POST' as const,
            url: `/api/v1/projects/${id}/members`,
            payload: { email: 'y@example.com', role: 'viewer', workspace_ids: [f.a.workspaces[0].id] },
          },
          { method: 'DELETE' as const, url: `/api/v1/projects/${id}/members/${f.accounts.adminA.id}` },
          {
            method: 'POST' as const,
            url: `/api/v1/projects/${id}/tokens`,
            payload: { name: 'x', permissions: [] },
          },
          { method: 'GET' as const, url: `/api/v1/projects/${id}/audit` },
          { method: 'POST' as const, url: `/api/v1/projects/${id}/workspaces`, payload: { name: 'x' } },
        ]) {
          const res = await f.as(user, f.a, attempt);
          assert.equal(res.statusCode, 403, `${user} ${attempt.method} ${attempt.url}`);
          assert.equal(res.json().error.code, 'TP_ERR_FORBIDDEN');
        }
      }
      assert.equal((await f.as('adminA', f.a, { url: `/api/v1/projects/${id}` })).json().name, 'Project A');
      // A workspace admin cannot change the project or hand out project_admin.
      assert.equal(
        (
          await f.as('wsAdminA', f.a, {
            method: 'PATCH',
            url: `/api/v1/projects/${id}`,
            payload: { name: 'x' },
          })
        ).statusCode,
        403,
      );
      const grant = await f.as('wsAdminA', f.a, {
        method: 'POST',
        url: `/api/v1/projects/${id}/members`,
        payload: { email: 'z@example.com', role: 'project_admin' },
      });
      assert.equal(grant.statusCode, 403);
      assert.equal(grant.json().error.code, 'TP_ERR_TENANCY_PERMISSION_NOT_HELD');
      const outside = await f.as('wsAdminA', f.a, {
        method: 'POST',
        url: `/api/v1/projects/${id}/members`,
        payload: { email: 'z@example.com', role: 'viewer', workspace_ids: [f.a.workspaces[1].id] },
      });
      assert.equal(outside.statusCode, 403);
    });

    test('a workspace member sees only its workspaces; other workspaces answer 404', async () => {
      const list = await f.as('operatorA', f.a, { url: `/api/v1/projects/${f.a.project.id}/workspaces` });
      assert.deepEqual(
        (list.json().items as { id: string }[]).map((w) => w.id),
        [f.a.workspaces[0].id],
      );
      const other = await f.as('operatorA', f.a, {
        url: `/api/v1/projects/${f.a.project.id}/workspaces/${f.a.workspaces[1].id}`,
      });
      assert.equal(other.statusCode, 404);
    });

    test('MT-17 each project reads only its own audit entries', async () => {
      const a = await f.as('adminA', f.a, { url: `/api/v1/projects/${f.a.project.id}/audit?limit=200` });
      const b = await f.as('adminB', f.b, { url: `/api/v1/projects/${f.b.project.id}/audit?limit=200` });
      const aTargets = (a.json().items as { target: { label: string } }[]).map((e) => e.target.label);
      const bTargets = (b.json().items as { target: { label: string } }[]).map((e) => e.target.label);
      assert.ok(aTargets.includes('Project A') && !aTargets.includes('Project B'));
      assert.ok(bTargets.includes('Project B') && !bTargets.includes('Project A'));
      assert.ok(!aTargets.includes('adminB token'));
    });

    test('tokens are capped by the creator’s current permissions and bound to one project', async () => {
      // dual's token for A must not open B, and vice versa.
      const crossed = await f.t.app.inject({
        url: `/api/v1/projects/${f.b.project.id}/members`,
        headers: { authorization: `Bearer ${f.tokens.dual?.[f.a.project.id]}` },
      });
      assert.equal(crossed.statusCode, 404);
      // A token asking for more than its creator holds is refused.
      const tooMuch = await f.as('operatorA', f.a, {
        method: 'POST',
        url: `/api/v1/projects/${f.a.project.id}/tokens`,
        payload: { name: 'x', permissions: ['member.manage'] },
      });
      assert.equal(tooMuch.statusCode, 403);
      // Demote wsAdminA to viewer: its token loses audit.read at once.
      const id = f.a.project.id;
      assert.equal((await f.as('wsAdminA', f.a, { url: `/api/v1/projects/${id}/audit` })).statusCode, 200);
      const demote = await f.as('adminA', f.a, {
        method: 'PATCH',
        url: `/api/v1/projects/${id}/members/${f.accounts.wsAdminA.id}`,
        payload: { role: 'viewer' },
      });
      assert.equal(demote.statusCode, 200);
      assert.equal((await f.as('wsAdminA', f.a, { url: `/api/v1/projects/${id}/audit` })).statusCode, 403);
      await f.as('adminA', f.a, {
        method: 'PATCH',
        url: `/api/v1/projects/${id}/members/${f.accounts.wsAdminA.id}`,
        payload: { role: 'workspace_admin' },
      });
    });

    test('MT-10 removing a member takes effect on its next request (token and session)', async () => {
      const id = f.a.project.id;
      const session = await login(f.t, f.accounts.viewerA.email);
      const read = (headers: Record<string, string>) =>
        f.t.app.inject({ url: `/api/v1/projects/${id}/members`, headers });
      assert.equal((await read({ cookie: session.cookie })).statusCode, 200);
      assert.equal((await f.as('viewerA', f.a, { url: `/api/v1/projects/${id}/members` })).statusCode, 200);
      const removed = await f.as('adminA', f.a, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/members/${f.accounts.viewerA.id}`,
      });
      assert.equal(removed.statusCode, 204);
      assert.equal((await read({ cookie: session.cookie })).statusCode, 404);
      assert.equal((await f.as('viewerA', f.a, { url: `/api/v1/projects/${id}/members` })).statusCode, 404);
    });

    test('the last project admin can be neither demoted nor removed', async () => {
      const id = f.b.project.id;
      await f.as('adminB', f.b, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/members/${f.accounts.dual.id}`,
      });
      const demote = await f.as('adminB', f.b, {
        method: 'PATCH',
        url: `/api/v1/projects/${id}/members/${f.accounts.adminB.id}`,
        payload: { role: 'viewer', workspace_ids: [f.b.workspaces[0].id] },
      });
      assert.equal(demote.statusCode, 409);
      assert.equal(demote.json().error.code, 'TP_ERR_TENANCY_LAST_ADMIN');
      const remove = await f.as('adminB', f.b, {
        method: 'DELETE',
        url: `/api/v1/projects/${id}/members/${f.accounts.adminB.id}`,
      });
      assert.equal(remove.statusCode, 409);
    });

    test('only the instance admin creates projects', async () => {
      const asAdminA = await login(f.t, f.accounts.adminA.email);
      const refused = await f.t.app.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { cookie: asAdminA.cookie, 'x-csrf-token': asAdminA.csrf },
        payload: { name: 'Nope' },
      });
      assert.equal(refused.statusCode, 403);
      const root = await login(f.t, f.accounts.instanceAdmin.email);
      const created = await f.t.app.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { cookie: root.cookie, 'x-csrf-token': root.csrf },
        payload: { name: 'Project C', time_zone: 'Europe/Berlin', admin_email: f.accounts.outsider.email },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().time_zone, 'Europe/Berlin');
      const badZone = await f.t.app.inject({
        method: 'POST',
        url: '/api/v1/projects',
        headers: { cookie: root.cookie, 'x-csrf-token': root.csrf },
        payload: { name: 'Project D', time_zone: 'Mars/Olympus' },
      });
      assert.equal(badZone.statusCode, 400);
      assert.equal(badZone.json().error.details.issues[0].path, '/time_zone');
    });
  });
}

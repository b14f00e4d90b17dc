import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTouchpoint, startServer } from '../support/cli.ts';
import { createTestDatabase } from '../support/stores.ts';

test('admin create, then token create prints only a working token, audited as cli:<email>', async () => {
  const db = createTestDatabase('postgres');
  try {
    const admin = await runTouchpoint(
      ['admin', 'create', '--email', 'ops@example.com', '--password', 'ops-password-1'],
      db.env,
    );
    assert.equal(admin.code, 0, admin.stderr);
    assert.match(admin.stdout, /created instance admin ops@example\.com/);
    const dup = await runTouchpoint(
      ['admin', 'create', '--email', 'OPS@example.com', '--password', 'ops-password-1'],
      db.env,
    );
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);

    const server = await startServer(db.env);
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@example.com', password: 'ops-password-1' }),
      });
      assert.equal(login.status, 200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const { csrf_token: csrf } = (await login.json()) as { csrf_token: string };
      const project = await fetch(`${server.url}/api/v1/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({ name: 'Shop', admin_email: 'ops@example.com' }),
      });
      assert.equal(project.status, 201);
      const { id } = (await project.json()) as { id: number };

      const refused = await runTouchpoint(
        ['token', 'create', '--project', String(id), '--as', 'nobody@example.com', '--name', 'x'],
        db.env,
      );
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /not a member of project/);
      const badPermission = await runTouchpoint(
        [
          'token',
          'create',
          '--project',
          String(id),
          '--as',
          'ops@example.com',
          '--name',
          'x',
          '--permissions',
          'audit.read,fly',
        ],
        db.env,
      );
      assert.equal(badPermission.code, 2);

      const created = await runTouchpoint(
        [
          'token',
          'create',
          '--project',
          String(id),
          '--as',
          'ops@example.com',
          '--name',
          'deploy',
          '--permissions',
          'audit.read',
          '--expires',
          '30d',
        ],
        db.env,
      );
      assert.equal(created.code, 0, created.stderr);
      const token = created.stdout.trim();
      assert.match(token, /^tp_[A-Za-z0-9_-]{43}$/);
      const audit = await fetch(`${server.url}/api/v1/projects/${id}/audit?action=token.created`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(audit.status, 200);
      const entries = (
        (await audit.json()) as {
          items: { actor: { type: string; label: string }; details: { permissions: string[] } }[];
        }
      ).items;
      assert.equal(entries[0]?.actor.type, 'cli');
      assert.equal(entries[0]?.actor.label, 'cli:ops@example.com');
      assert.deepEqual(entries[0]?.details.permissions, ['audit.read']);
      // Capped to audit.read: member management is refused.
      const members = await fetch(`${server.url}/api/v1/projects/${id}/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'x@example.com', role: 'project_admin' }),
      });
      assert.equal(members.status, 403);
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
});

test('embedded first run creates the instance admin with a one-time password', async () => {
  const db = createTestDatabase('sqlite');
  const server = await startServer(db.env, ['--embedded']);
  try {
    const match = /e-mail:\s+(\S+)\s+password:\s+(\S+)/.exec(server.output());
    assert.ok(match, server.output());
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: match[1], password: match[2] }),
    });
    assert.equal(login.status, 200);
    const body = (await login.json()) as {
      account: { must_change_password: boolean; is_instance_admin: boolean };
    };
    assert.equal(body.account.must_change_password, true);
    assert.equal(body.account.is_instance_admin, true);
  } finally {
    await server.stop();
  }
  // A second start does not create another account or print a password.
  const again = await startServer(db.env, ['--embedded']);
  try {
    assert.doesNotMatch(again.output(), /password:/);
  } finally {
    await again.stop();
    await db.drop();
  }
});

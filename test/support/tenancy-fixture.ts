import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Account, Project, Role, Workspace } from '../../src/tenancy/model.ts';
import { permissions } from '../../src/access/permissions.ts';
import { buildTestApp, type TestApp } from './app.ts';
import type { StoreKind } from './stores.ts';

export const PASSWORD = 'correct-horse-battery';

const cli = { actor: { type: 'cli' as const, id: 'fixture', label: 'fixture' }, ip: null, requestId: null };

export type UserKey =
  'instanceAdmin' | 'adminA' | 'wsAdminA' | 'operatorA' | 'viewerA' | 'adminB' | 'dual' | 'outsider';

export interface ProjectFixture {
  readonly project: Project;
  readonly workspaces: readonly [Workspace, Workspace];
}

/**
 * The reusable two-project fixture of RELIABILITY §6.3: projects A and B with two workspaces
 * each, a member of every role in A, an admin of B, and `dual` — operator in A's first
 * workspace and project admin of B (the confused-deputy case). Each member gets a token with
 * all its permissions in each of its projects. Later issues extend it with their own resources.
 */
export interface TenancyFixture {
  readonly t: TestApp;
  readonly a: ProjectFixture;
  readonly b: ProjectFixture;
  readonly accounts: Readonly<Record<UserKey, Account>>;
  /** `tokens[user][projectId]`: a bearer secret with every permission the member holds there. */
  readonly tokens: Readonly<Record<string, Readonly<Record<number, string>>>>;
  /** Injects a request as `user` in `project` (its token); no token → anonymous. */
  as(user: UserKey, project: ProjectFixture, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createTenancyFixture(
  kind: StoreKind,
  options: { env?: Record<string, string> } = {},
): Promise<TenancyFixture> {
  const t = await buildTestApp(kind, options.env ? { env: options.env } : {});
  const { auth, projects, access } = t.deps;
  const account = (email: string, isInstanceAdmin = false) =>
    auth.createAccount({ email, password: PASSWORD, isInstanceAdmin, mustChangePassword: false }, cli);
  const accounts = {
    instanceAdmin: await account('root@example.com', true),
    adminA: await account('admin-a@example.com'),
    wsAdminA: await account('wsadmin-a@example.com'),
    operatorA: await account('operator-a@example.com'),
    viewerA: await account('viewer-a@example.com'),
    adminB: await account('admin-b@example.com'),
    dual: await account('dual@example.com'),
    outsider: await account('outsider@example.com'),
  } satisfies Record<UserKey, Account>;

  async function project(name: string, adminEmail: string): Promise<ProjectFixture> {
    const p = await projects.createProject({ name, timeZone: 'Asia/Shanghai', adminEmail }, cli);
    const admin = (await t.deps.store.accounts.findByEmail(adminEmail))!;
    const adminAccess = await access.memberAccess(admin.id, p.id);
    const caller = {
      account: admin,
      via: { kind: 'session' as const, idHash: '', csrfToken: '' },
      ip: null,
      requestId: null,
    };
    const w1 = await projects.createWorkspace(caller, adminAccess!, { name: `${name} one` });
    const w2 = await projects.createWorkspace(caller, adminAccess!, { name: `${name} two` });
    return { project: p, workspaces: [w1, w2] };
  }
  const a = await project('Project A', accounts.adminA.email);
  const b = await project('Project B', accounts.adminB.email);

  const members: [UserKey, ProjectFixture, Role, Workspace[]][] = [
    ['wsAdminA', a, 'workspace_admin', [a.workspaces[0]]],
    ['operatorA', a, 'operator', [a.workspaces[0]]],
    ['viewerA', a, 'viewer', [a.workspaces[0], a.workspaces[1]]],
    ['dual', a, 'operator', [a.workspaces[0]]],
    ['dual', b, 'project_admin', []],
  ];
  for (const [user, p, role, workspaces] of members) {
    await t.deps.store.members.put(
      { kind: 'project', projectId: p.project.id },
      accounts[user].id,
      role,
      workspaces.map((w) => w.id),
    );
  }

  const tokens: Record<string, Record<number, string>> = {};
  const memberships: [UserKey, ProjectFixture][] = [
    ['adminA', a],
    ['wsAdminA', a],
    ['operatorA', a],
    ['viewerA', a],
    ['adminB', b],
    ['dual', a],
    ['dual', b],
  ];
  for (const [user, p] of memberships) {
    const memberAccess = (await access.memberAccess(accounts[user].id, p.project.id))!;
    const { secret } = await t.deps.tokens.createToken(
      accounts[user],
      memberAccess,
      {
        name: `${user} token`,
        permissions: permissions.filter((x) => memberAccess.permissions.has(x)),
        expiresAt: null,
      },
      cli,
    );
    (tokens[user] ??= {})[p.project.id] = secret;
  }

  return {
    t,
    a,
    b,
    accounts,
    tokens,
    as(user, p, options) {
      const token = tokens[user]?.[p.project.id];
      return t.app.inject({
        ...options,
        headers: { ...(options.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    },
    close: () => t.close(),
  };
}

/** Logs in through the API and answers the session cookie and CSRF token. */
export async function login(
  t: TestApp,
  email: string,
  password = PASSWORD,
): Promise<{ cookie: string; csrf: string; response: LightMyRequestResponse }> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  const setCookie = String(response.headers['set-cookie'] ?? '');
  const cookie = /tp_session=([^;]+)/.exec(setCookie)?.[1] ?? '';
  return {
    cookie: `tp_session=${cookie}`,
    csrf: response.statusCode === 200 ? response.json().csrf_token : '',
    response,
  };
}

import type { Caller, ProjectAccess } from '../../../src/access/caller.ts';
import type { AddressInfo } from 'node:net';
import type { AppDeps } from '../../../src/api/app-deps.ts';
import type { PlatformConfig } from '../../../src/sources/model.ts';
import type { EventFilter, StoredEvent } from '../../../src/store/repositories/events-repository.ts';
import { projectScope } from '../../../src/access/scope.ts';
import { buildTestApp, type TestApp } from '../../support/app.ts';
import type { StoreKind } from '../../support/stores.ts';

const cli = {
  actor: { type: 'cli' as const, id: 'ingest-fixture', label: 'ingest fixture' },
  ip: null,
  requestId: null,
};

export interface TestSource {
  readonly id: string;
  readonly projectId: number;
  readonly appKey: string;
  readonly secret: string;
}

export interface ProjectHandle {
  readonly projectId: number;
  readonly access: ProjectAccess;
  readonly caller: Caller;
  /** A bearer token of the project admin with every permission, for the admin API. */
  readonly token: string;
}

/**
 * A real Touchpoint listening on 127.0.0.1 with projects and data sources created through the
 * sources service, for ingest tests that drive real SDKs and raw HTTP.
 */
export interface IngestFixture {
  readonly t: TestApp;
  readonly deps: AppDeps;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly project: ProjectHandle;
  createProject(name: string, timeZone?: string): Promise<ProjectHandle>;
  createSource(options?: SourceOptions & { project?: ProjectHandle }): Promise<TestSource>;
  /** The source's stored events, oldest first (`filter` narrows further). */
  events(source: { projectId: number; id: string }, filter?: EventFilter): Promise<StoredEvent[]>;
  count(source: { projectId: number; id: string }, filter?: EventFilter): Promise<number>;
  close(): Promise<void>;
}

let counter = 0;

export interface SourceOptions {
  platforms?: PlatformConfig[];
  timeZone?: string | null;
  rateLimit?: number | null;
  appType?: 'app' | 'web' | 'mini_program';
}

/** A project with an admin (caller, access, API token), made through the tenancy services. */
export async function projectFor(deps: AppDeps, name: string, timeZone = 'UTC'): Promise<ProjectHandle> {
  const { auth, projects, tokens, access } = deps;
  const email = `admin-${++counter}-${Date.now()}@example.com`;
  await auth.createAccount(
    { email, password: 'correct-horse-battery', isInstanceAdmin: false, mustChangePassword: false },
    cli,
  );
  const p = await projects.createProject({ name, timeZone, adminEmail: email }, cli);
  const admin = (await deps.store.accounts.findByEmail(email))!;
  const memberAccess = (await access.memberAccess(admin.id, p.id))!;
  const caller: Caller = {
    account: admin,
    via: { kind: 'session', idHash: '', csrfToken: '' },
    ip: null,
    requestId: null,
  };
  const { secret } = await tokens.createToken(
    admin,
    memberAccess,
    { name: 'ingest fixture', permissions: [...memberAccess.permissions], expiresAt: null },
    cli,
  );
  return { projectId: p.id, access: memberAccess, caller, token: secret };
}

/** An app and a data source in `project`, made through the sources service; its secret revealed. */
export async function sourceFor(
  deps: AppDeps,
  project: ProjectHandle,
  options: SourceOptions = {},
): Promise<TestSource> {
  const app = await deps.sources.createApp(project.caller, project.access, {
    name: `app ${++counter}`,
    appType: options.appType ?? 'app',
  });
  const source = await deps.sources.createSource(project.caller, project.access, {
    name: `source ${counter}`,
    appId: app.id,
    platforms: options.platforms ?? [{ platform: 'server' }],
    timeZone: options.timeZone,
    rateLimit: options.rateLimit,
  });
  const secret = await deps.sources.revealSecret(project.caller, project.access, source.id);
  return { id: source.id, projectId: project.projectId, appKey: source.appKey, secret };
}

export async function createIngestFixture(
  kind: StoreKind,
  env: Record<string, string> = {},
): Promise<IngestFixture> {
  const t = await buildTestApp(kind, { env });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

  const createProject = (name: string, timeZone = 'UTC') => projectFor(t.deps, name, timeZone);
  const project = await createProject('Ingest project');

  return {
    t,
    deps: t.deps,
    url,
    project,
    createProject,
    createSource: (options = {}) => sourceFor(t.deps, options.project ?? project, options),
    events: (source, filter = {}) =>
      t.deps.store.events.list(projectScope(source.projectId), { sourceId: source.id, ...filter }, 10_000),
    count: (source, filter = {}) =>
      t.deps.store.events.count(projectScope(source.projectId), { sourceId: source.id, ...filter }),
    close: () => t.close(),
  };
}

/** HTTP Basic for a Segment write key (`key:` with an empty password, as the SDKs send it). */
export function basic(user: string, password = ''): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body:
      typeof body === 'string'
        ? body
        : body instanceof Uint8Array
          ? new Uint8Array(body)
          : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, headers: response.headers, json };
}

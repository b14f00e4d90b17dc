/**
 * Whose data a repository call may touch. Every repository method on tenant data takes one, so
 * an unscoped query cannot be written: a `ProjectScope` handle refuses SQL that is not pinned to
 * its project (src/store/tenant-guard.ts).
 */
export interface ProjectScope {
  readonly kind: 'project';
  readonly projectId: number;
}

/**
 * A deliberate cross-tenant path (ingest key lookup, token and session authentication, worker
 * claims, retention, migrations). Each use names its reason and is listed in docs/decisions.md;
 * `grep -rn "systemScope(" src` finds them all.
 */
export interface SystemScope {
  readonly kind: 'system';
  readonly reason: string;
}

export type Scope = ProjectScope | SystemScope;

export function projectScope(projectId: number): ProjectScope {
  return { kind: 'project', projectId };
}

export function systemScope(reason: string): SystemScope {
  return { kind: 'system', reason };
}

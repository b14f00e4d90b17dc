import type { Permission } from '../access/permissions.ts';

/**
 * Who may call a route. Every route declares one in `config.scope`; the app refuses to build with
 * an undeclared route (RELIABILITY decision 8, MT-01).
 * - `public`: anyone (health, metrics, docs, login).
 * - `ingest`: a data source key (the ingest endpoints authenticate it themselves).
 * - `account`: any signed-in account, in no particular project (own profile, password change);
 *   an account that must change its password reaches only routes with `allowPendingPasswordChange`.
 * - `instance_admin`: the instance admin (projects, accounts).
 * - `member`: a member of the project in the `projectId` path parameter, holding `permission`
 *   (`null`: any member may read); with `workspace: true` also a member of `workspaceId`.
 */
export type RouteScope =
  | { readonly kind: 'public' }
  | { readonly kind: 'ingest' }
  | { readonly kind: 'account'; readonly allowPendingPasswordChange?: boolean }
  | { readonly kind: 'instance_admin' }
  | { readonly kind: 'member'; readonly permission: Permission | null; readonly workspace?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: RouteScope;
  }
}

export const publicScope: RouteScope = { kind: 'public' };

export function describeScope(scope: RouteScope): string {
  switch (scope.kind) {
    case 'member':
      return `member${scope.workspace ? ' of the workspace' : ''}${scope.permission ? ` with ${scope.permission}` : ''}`;
    default:
      return scope.kind;
  }
}

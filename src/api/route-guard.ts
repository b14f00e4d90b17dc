import type { Caller, ProjectAccess } from '../access/caller.ts';
import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { TouchpointError } from '../errors.ts';
import type { AccessControl } from '../tenancy/access.ts';
import type { RouteGuard } from './app-deps.ts';
import type { RouteScope } from './route-scope.ts';

export const SESSION_COOKIE = 'tp_session';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
    access?: ProjectAccess;
  }
}

/** The authenticated caller of a route whose scope is not public. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new TouchpointError('TP_ERR_AUTH_REQUIRED');
  return request.caller;
}

/** The caller's access to the project of a `member`-scoped route. */
export function accessOf(request: FastifyRequest): ProjectAccess {
  if (!request.access) throw new TouchpointError('TP_ERR_INTERNAL', { reason: 'route_not_member_scoped' });
  return request.access;
}

const QUERY_TOKEN_PARAMS = ['access_token', 'token', 'api_key', 'apikey'];

/** Authenticates by bearer token or session cookie, then enforces the route's scope. */
export function createRouteGuard(access: AccessControl): RouteGuard {
  return {
    async authorize(request: FastifyRequest, scope: RouteScope) {
      const query = request.query as Record<string, unknown> | undefined;
      if (
        query &&
        QUERY_TOKEN_PARAMS.some((p) => typeof query[p] === 'string' && String(query[p]).startsWith('tp_'))
      )
        throw new TouchpointError('TP_ERR_AUTH_TOKEN_IN_QUERY');
      const meta = { ip: request.ip ?? null, requestId: String(request.id) };
      const header = request.headers.authorization;
      let caller: Caller;
      if (header !== undefined) {
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        if (!match?.[1]) throw new TouchpointError('TP_ERR_AUTH_TOKEN_INVALID');
        caller = await access.authenticateToken(match[1], meta);
      } else {
        const cookie = request.cookies?.[SESSION_COOKIE];
        if (!cookie) throw new TouchpointError('TP_ERR_AUTH_REQUIRED');
        const csrf = request.headers['x-csrf-token'];
        caller = await access.authenticateSession(cookie, {
          method: request.method,
          csrfHeader: typeof csrf === 'string' ? csrf : undefined,
          ...meta,
        });
      }
      request.caller = caller;
      if (
        caller.account.mustChangePassword &&
        !(scope.kind === 'account' && scope.allowPendingPasswordChange)
      )
        throw new TouchpointError('TP_ERR_AUTH_PASSWORD_CHANGE_REQUIRED');
      if (scope.kind === 'instance_admin') {
        if (!caller.account.isInstanceAdmin || caller.via.kind !== 'session')
          throw new TouchpointError('TP_ERR_FORBIDDEN', { required: 'instance_admin' });
        return;
      }
      if (scope.kind !== 'member') return;
      const params = request.params as { projectId?: string; workspaceId?: string };
      const projectId = /^\d{1,15}$/.test(params.projectId ?? '') ? Number(params.projectId) : NaN;
      const projectAccess = await access.requireProject(caller, projectId, scope.permission);
      if (scope.workspace) await access.requireWorkspace(projectAccess, params.workspaceId ?? '');
      request.access = projectAccess;
    },
  };
}

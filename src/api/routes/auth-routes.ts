import type {} from '@fastify/cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_IDLE_MS } from '../../tenancy/access.ts';
import { roles } from '../../tenancy/model.ts';
import { permissions } from '../../access/permissions.ts';
import { rolePermissions } from '../../tenancy/roles.ts';
import type { AppDeps } from '../app-deps.ts';
import { callerOf, SESSION_COOKIE } from '../route-guard.ts';
import { noContent } from '../route-params.ts';
import { accountJson, accountSchema, membershipJson, membershipSchema } from '../serializers/tenancy-json.ts';

function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAgeMs: number,
): void {
  reply.setCookie(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/** Login, logout, the current session, password change and set-password links. */
export function authRoutes(deps: AppDeps): FastifyPluginAsync {
  const { auth } = deps;
  return async (app) => {
    app.post(
      '/api/v1/auth/login',
      {
        config: { scope: { kind: 'public' } },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with e-mail and password; sets the session cookie',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['email', 'password'],
            properties: {
              email: { type: 'string', maxLength: 320 },
              password: { type: 'string', maxLength: 200 },
            },
          },
          response: {
            200: { type: 'object', properties: { account: accountSchema, csrf_token: { type: 'string' } } },
            401: { $ref: 'ErrorBody#' },
            429: { $ref: 'ErrorBody#' },
          },
        },
      },
      async (request, reply) => {
        const body = request.body as { email: string; password: string };
        const result = await auth.login(body.email, body.password, {
          ip: request.ip,
          requestId: String(request.id),
        });
        setSessionCookie(request, reply, result.cookie, SESSION_IDLE_MS);
        return { account: accountJson(result.account), csrf_token: result.csrfToken };
      },
    );

    app.post(
      '/api/v1/auth/logout',
      {
        config: { scope: { kind: 'account', allowPendingPasswordChange: true } },
        schema: { tags: ['auth'], summary: 'End the session', response: noContent },
      },
      async (request, reply) => {
        await auth.logout(callerOf(request));
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/auth/session',
      {
        config: { scope: { kind: 'account', allowPendingPasswordChange: true } },
        schema: {
          tags: ['auth'],
          summary: 'The signed-in account, its CSRF token and its projects',
          response: {
            200: {
              type: 'object',
              properties: {
                account: accountSchema,
                csrf_token: { type: ['string', 'null'] },
                memberships: { type: 'array', items: membershipSchema },
              },
            },
          },
        },
      },
      async (request) => {
        const info = await auth.sessionInfo(callerOf(request));
        return {
          account: accountJson(info.account),
          csrf_token: info.csrfToken,
          memberships: info.memberships.map(membershipJson),
        };
      },
    );

    app.post(
      '/api/v1/auth/password',
      {
        config: { scope: { kind: 'account', allowPendingPasswordChange: true } },
        schema: {
          tags: ['auth'],
          summary: 'Change your password (ends your other sessions)',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['current_password', 'new_password'],
            properties: {
              current_password: { type: 'string', maxLength: 200 },
              new_password: { type: 'string', maxLength: 200 },
            },
          },
          response: noContent,
        },
      },
      async (request, reply) => {
        const body = request.body as { current_password: string; new_password: string };
        await auth.changePassword(callerOf(request), body.current_password, body.new_password);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/auth/set-password',
      {
        config: { scope: { kind: 'public' } },
        schema: {
          tags: ['auth'],
          summary: 'Set a password with a one-time link (valid 7 days)',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['token', 'password'],
            properties: {
              token: { type: 'string', maxLength: 200 },
              password: { type: 'string', maxLength: 200 },
            },
          },
          response: noContent,
        },
      },
      async (request, reply) => {
        const body = request.body as { token: string; password: string };
        await auth.setPasswordWithLink(body.token, body.password, {
          ip: request.ip,
          requestId: String(request.id),
        });
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/roles',
      {
        config: { scope: { kind: 'account' } },
        schema: {
          tags: ['members'],
          summary: 'Roles and the permissions each grants',
          response: {
            200: {
              type: 'object',
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      role: { type: 'string' },
                      permissions: { type: 'array', items: { type: 'string' } },
                    },
                  },
                },
                permissions: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
      async () => ({
        items: roles.map((role) => ({ role, permissions: rolePermissions[role] })),
        permissions,
      }),
    );
  };
}

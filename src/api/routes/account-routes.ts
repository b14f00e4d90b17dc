import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { publicBaseUrl } from '../public-url.ts';
import { callerOf } from '../route-guard.ts';
import {
  accountSummaryJson,
  accountSummarySchema,
  passwordLinkSchema,
  projectSummaryJson,
  projectSummarySchema,
} from '../serializers/account-json.ts';

const accountParams = {
  type: 'object',
  required: ['accountId'],
  properties: { accountId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const scope = { kind: 'instance_admin' } as const;

/**
 * The instance admin's routes (a signed-in instance admin only; API tokens are refused): every
 * account and every project of the instance, and account creation and rights.
 */
export function accountRoutes(deps: AppDeps): FastifyPluginAsync {
  const { accounts, cursors } = deps;
  return async (app) => {
    app.get(
      '/api/v1/accounts',
      {
        config: { scope },
        schema: {
          tags: ['accounts'],
          summary: 'Every account on the instance, with its memberships, lock and last sign-in',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              q: { type: 'string', maxLength: 320, description: 'Part of the e-mail or name, any case' },
            },
          },
          response: { 200: pageSchema(accountSummarySchema) },
        },
      },
      async (request) => {
        const query = request.query as { limit?: number; cursor?: string; q?: string };
        const q = query.q?.trim() ?? '';
        const page = readPage(cursors, `accounts:${q.toLowerCase()}`, query);
        const rows = await accounts.listAccounts({ q }, page.request);
        const now = Date.now();
        return page.respond(
          rows,
          (a) => [a.createdAt, a.id],
          (a) => accountSummaryJson(a, now),
        );
      },
    );

    app.post(
      '/api/v1/accounts',
      {
        config: { scope },
        schema: {
          tags: ['accounts'],
          summary:
            'Create an account without a password, and a one-time set-password link to hand over (shown once)',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['email'],
            properties: {
              email: { type: 'string', minLength: 3, maxLength: 320 },
              name: { type: 'string', minLength: 1, maxLength: 100 },
              is_instance_admin: { type: 'boolean', default: false },
            },
          },
          response: {
            201: {
              type: 'object',
              required: ['account', 'set_password_url', 'expires_at'],
              properties: {
                account: accountSummarySchema,
                set_password_url: passwordLinkSchema.properties.set_password_url,
                expires_at: passwordLinkSchema.properties.expires_at,
              },
            },
          },
        },
      },
      async (request, reply) => {
        const body = request.body as { email: string; name?: string; is_instance_admin?: boolean };
        const { account, link } = await accounts.createAccount(
          callerOf(request),
          { email: body.email, name: body.name, isInstanceAdmin: body.is_instance_admin ?? false },
          publicBaseUrl(request, deps.config),
        );
        return reply.code(201).send({
          account: accountSummaryJson(account),
          set_password_url: link.url,
          expires_at: new Date(link.expiresAt).toISOString(),
        });
      },
    );

    app.patch(
      '/api/v1/accounts/:accountId',
      {
        config: { scope },
        schema: {
          tags: ['accounts'],
          summary:
            'Grant or withdraw instance admin rights (never your own, never the last), or end a login lockout ("locked": false)',
          params: accountParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              is_instance_admin: { type: 'boolean' },
              locked: { type: 'boolean', enum: [false], description: 'false ends a lockout' },
            },
          },
          response: { 200: accountSummarySchema },
        },
      },
      async (request) => {
        const { accountId } = request.params as { accountId: string };
        const body = request.body as { is_instance_admin?: boolean; locked?: false };
        return accountSummaryJson(
          await accounts.updateAccount(callerOf(request), accountId, {
            isInstanceAdmin: body.is_instance_admin,
            locked: body.locked,
          }),
        );
      },
    );

    app.post(
      '/api/v1/accounts/:accountId/password-link',
      {
        config: { scope },
        schema: {
          tags: ['accounts'],
          summary:
            "Issue a new one-time set-password link for an account (shown once; ends the account's older links)",
          params: accountParams,
          response: { 201: passwordLinkSchema },
        },
      },
      async (request, reply) => {
        const { accountId } = request.params as { accountId: string };
        const link = await accounts.issuePasswordLink(
          callerOf(request),
          accountId,
          publicBaseUrl(request, deps.config),
        );
        return reply
          .code(201)
          .send({ set_password_url: link.url, expires_at: new Date(link.expiresAt).toISOString() });
      },
    );

    app.get(
      '/api/v1/instance/projects',
      {
        config: { scope },
        schema: {
          tags: ['accounts'],
          summary: 'Every project on the instance with its member and project admin counts',
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(projectSummarySchema) },
        },
      },
      async (request) => {
        const page = readPage(
          cursors,
          'instance-projects',
          request.query as { limit?: number; cursor?: string },
        );
        const rows = await accounts.listProjects(page.request);
        return page.respond(rows, (p) => [p.id], projectSummaryJson);
      },
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import { auditContextOf } from '../../access/caller.ts';
import { permissions, type Permission } from '../../access/permissions.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { noContent, pathParams, projectParams } from '../route-params.ts';
import { tokenJson, tokenSchema } from '../serializers/tenancy-json.ts';

const tokenParams = pathParams('tokenId');

/** API tokens of a project: list, create (the secret is shown once) and revoke. */
export function tokenRoutes(deps: AppDeps): FastifyPluginAsync {
  const { tokens, cursors } = deps;
  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/tokens',
      {
        config: { scope: { kind: 'member', permission: 'token.manage' } },
        schema: {
          tags: ['tokens'],
          summary: 'API tokens of the project (never their secrets)',
          params: projectParams,
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(tokenSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const page = readPage(
          cursors,
          `tokens:${access.scope.projectId}`,
          request.query as { limit?: number },
        );
        const rows = await tokens.listTokens(callerOf(request), access, page.request);
        return page.respond(rows, (t) => [t.createdAt, t.id], tokenJson);
      },
    );

    app.post(
      '/api/v1/projects/:projectId/tokens',
      {
        config: { scope: { kind: 'member', permission: 'token.manage' } },
        schema: {
          tags: ['tokens'],
          summary: 'Create an API token with a subset of your permissions; the secret is shown once',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'permissions'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 100 },
              permissions: {
                type: 'array',
                maxItems: permissions.length,
                items: { type: 'string', enum: permissions },
              },
              expires_in_days: { type: ['integer', 'null'], minimum: 1, maximum: 3650 },
            },
          },
          response: {
            201: { type: 'object', properties: { token: tokenSchema, secret: { type: 'string' } } },
          },
        },
      },
      async (request, reply) => {
        const body = request.body as {
          name: string;
          permissions: Permission[];
          expires_in_days?: number | null;
        };
        const caller = callerOf(request);
        const result = await tokens.createToken(
          caller.account,
          accessOf(request),
          {
            name: body.name,
            permissions: body.permissions,
            expiresAt: body.expires_in_days ? Date.now() + body.expires_in_days * 86_400_000 : null,
          },
          auditContextOf(caller),
        );
        return reply.code(201).send({ token: tokenJson(result.token), secret: result.secret });
      },
    );

    app.delete(
      '/api/v1/projects/:projectId/tokens/:tokenId',
      {
        config: { scope: { kind: 'member', permission: 'token.manage' } },
        schema: {
          tags: ['tokens'],
          summary: 'Revoke a token (effective immediately)',
          params: tokenParams,
          response: noContent,
        },
      },
      async (request, reply) => {
        const { tokenId } = request.params as { tokenId: string };
        await tokens.revokeToken(callerOf(request), accessOf(request), tokenId);
        return reply.code(204).send();
      },
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { projectParams } from '../route-params.ts';
import { auditEntryJson, auditEntrySchema } from '../serializers/tenancy-json.ts';

/** The audit log of a project (read only). */
export function auditRoutes(deps: AppDeps): FastifyPluginAsync {
  const { audit, cursors } = deps;
  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/audit',
      {
        config: { scope: { kind: 'member', permission: 'audit.read' } },
        schema: {
          tags: ['audit'],
          summary: 'The audit log, newest first (read only: entries are never edited or deleted)',
          params: projectParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...pageQuerySchema, action: { type: 'string', maxLength: 100 } },
          },
          response: { 200: pageSchema(auditEntrySchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const query = request.query as { limit?: number; cursor?: string; action?: string };
        const page = readPage(cursors, `audit:${access.scope.projectId}:${query.action ?? ''}`, query);
        const rows = await audit.list(callerOf(request), access, { action: query.action }, page.request);
        return page.respond(rows, (e) => [e.id], auditEntryJson);
      },
    );
  };
}

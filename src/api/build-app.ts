import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type RouteOptions,
} from 'fastify';
import { TouchpointError } from '../errors.ts';
import type { AppDeps } from './app-deps.ts';
import { clientErrorHandler } from './client-error-handler.ts';
import { errorBodySchema, errorHandler, sendError, toTouchpointError } from './error-handler.ts';
import { describeScope, type RouteScope } from './route-scope.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { audienceRoutes } from './routes/audience-routes.ts';
import { campaignRoutes } from './routes/campaign-routes.ts';
import { consentRoutes } from './routes/consent-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { channelAccessRoutes } from './routes/channel-access-routes.ts';
import { channelRoutes } from './routes/channel-routes.ts';
import { channelSendRoutes } from './routes/channel-send-routes.ts';
import { deliveryRoutes } from './routes/delivery-routes.ts';
import { deliveryStatsRoutes } from './routes/delivery-stats-routes.ts';
import { consoleRoutes } from './routes/console-routes.ts';
import { ingestRoutes } from './routes/ingest-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { memberRoutes } from './routes/member-routes.ts';
import { profileRoutes } from './routes/profile-routes.ts';
import { projectRoutes } from './routes/project-routes.ts';
import { sourceRoutes } from './routes/source-routes.ts';
import { tokenRoutes } from './routes/token-routes.ts';
import { verifyRoutes } from './routes/verify-routes.ts';
import { validatorCompiler } from './validation.ts';

export interface BuildAppOptions {
  /** Further route plugins (the modules' routes; tests register test-only routes here). */
  readonly plugins?: readonly FastifyPluginAsync[];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

function securityOf(scope: RouteScope): Record<string, string[]>[] | undefined {
  if (scope.kind === 'public' || scope.kind === 'ingest') return undefined;
  return [{ bearerAuth: [] }, { sessionCookie: [] }];
}

/**
 * Builds the HTTP application without listening, so tests drive it with `inject()`.
 * Conventions every route follows: a declared `config.scope` (checked here before the handler),
 * request and response schemas (strict: unknown fields and wrong types are 400), errors from the
 * registry in `{error:{code,message,details}}`.
 */
export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.apiBodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    clientErrorHandler: clientErrorHandler(deps.metrics),
    // What the router refuses before any route (a bad percent-encoding) answers like a route would.
    frameworkErrors: (error, request, reply) =>
      sendError(request, reply, toTouchpointError(error), deps.metrics),
    // Slow headers (slowloris) get 408 after headersTimeout; Node checks it every interval.
    http: {
      headersTimeout: deps.config.headersTimeoutMs,
      requestTimeout: 0,
      connectionsCheckingInterval: Math.min(
        30_000,
        Math.max(100, Math.floor(deps.config.headersTimeoutMs / 4)),
      ),
    },
  });
  // Cookies are parsed in an onRequest hook, which must run before the scope check below.
  await app.register(fastifyCookie);
  app.setValidatorCompiler(validatorCompiler);
  app.addSchema(errorBodySchema);
  app.setErrorHandler(errorHandler(deps.metrics));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new TouchpointError('TP_ERR_NOT_FOUND', { path: request.url.split('?')[0] }),
      deps.metrics,
    ),
  );

  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
    const scope = route.config?.scope;
    route.schema ??= {};
    if (scope && !route.schema.hide) {
      const security = securityOf(scope);
      const schema = route.schema as Record<string, unknown>;
      if (security && schema.security === undefined) schema.security = security;
      schema['x-scope'] = describeScope(scope);
      const response = (schema.response ?? {}) as Record<string, unknown>;
      for (const status of ['400', '401', '403', '404', '500']) {
        if (status === '401' || status === '403') if (!security) continue;
        if (response[status] === undefined && response[Number(status)] === undefined)
          response[status] = { $ref: 'ErrorBody#' };
      }
      schema.response = response;
    }
  });
  // Fail closed: a route without a declared scope stops the app from starting (MT-01).
  app.addHook('onReady', async () => {
    const name = (r: RouteOptions) => `${String(r.method)} ${r.url}`;
    const undeclared = routes.filter((r) => r.config?.scope === undefined);
    if (undeclared.length > 0)
      throw new Error(`routes without a declared scope: ${undeclared.map(name).join(', ')}`);
    // Admin API answers are allow-listed by a response schema (MT-08): no schema, no route.
    const unschematized = routes.filter(
      (r) =>
        r.url.startsWith('/api/v1/') && !Object.keys(r.schema?.response ?? {}).some((s) => s.startsWith('2')),
    );
    if (unschematized.length > 0)
      throw new Error(
        `admin API routes without a 2xx response schema: ${unschematized.map(name).join(', ')}`,
      );
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.is404) return;
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) throw new TouchpointError('TP_ERR_INTERNAL', { reason: 'route_scope_missing' });
    if (scope.kind === 'public' || scope.kind === 'ingest') return;
    await deps.guard.authorize(request, scope);
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequests.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Touchpoint API',
        version: '1',
        description:
          'Admin REST API of Touchpoint. Every error answers `{"error":{"code","message","details"}}` with a `TP_ERR_*` code (see docs/errors.md). Lists paginate with `?limit=&cursor=` and answer `next_cursor`.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token (`tp_…`)' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'tp_session' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, scope: { kind: 'public' } };
    });
    await docs.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  });

  app.get('/api/openapi.json', { config: { scope: { kind: 'public' } }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  await app.register(healthRoutes(deps));
  await app.register(consoleRoutes(deps));
  await app.register(authRoutes(deps));
  await app.register(projectRoutes(deps));
  await app.register(memberRoutes(deps));
  await app.register(accountRoutes(deps));
  await app.register(tokenRoutes(deps));
  await app.register(auditRoutes(deps));
  await app.register(sourceRoutes(deps));
  await app.register(channelRoutes(deps));
  await app.register(channelAccessRoutes(deps));
  await app.register(channelSendRoutes(deps));
  await app.register(deliveryRoutes(deps));
  await app.register(deliveryStatsRoutes(deps));
  await app.register(audienceRoutes(deps));
  await app.register(campaignRoutes(deps));
  await app.register(consentRoutes(deps));
  await app.register(profileRoutes(deps));
  await app.register(verifyRoutes(deps));
  await app.register(ingestRoutes(deps));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}

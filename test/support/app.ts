import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../../src/api/app-deps.ts';
import { buildApp } from '../../src/api/build-app.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { assemble } from '../../src/main.ts';
import { createTestDatabase, type StoreKind, type TestDatabase } from './stores.ts';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly deps: AppDeps;
  readonly db: TestDatabase;
  close(): Promise<void>;
}

/** A real app on a fresh database of `kind`, driven in-process with `inject()`. */
export async function buildTestApp(
  kind: StoreKind,
  options: { plugins?: FastifyPluginAsync[]; env?: Record<string, string>; logger?: AppDeps['logger'] } = {},
): Promise<TestApp> {
  const db = createTestDatabase(kind);
  const config = loadConfig({ ...db.env, TOUCHPOINT_LOG_LEVEL: 'silent', ...options.env });
  const { deps } = await assemble(config, options.logger ?? createLogger(config.logLevel));
  const app = await buildApp(deps, { plugins: options.plugins ?? [] });
  await app.ready();
  return {
    app,
    deps,
    db,
    async close() {
      await app.close();
      await deps.store.close();
      await db.drop();
    },
  };
}

import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppDeps, RouteGuard } from './api/app-deps.ts';
import { buildApp } from './api/build-app.ts';
import { CursorCodec } from './api/pagination.ts';
import type { Config } from './config/load-config.ts';
import { TouchpointError } from './errors.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { unlockSecrets } from './secrets/master-key.ts';
import { openStore, storeOptionsFromConfig, type Store } from './store/store.ts';

export type ServeRole = 'api' | 'worker' | 'all';

export interface Touchpoint {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly app: FastifyInstance | undefined;
  /** Where the API listens (`http://host:port`), once listening. */
  readonly url: string | undefined;
  readonly generatedMasterKey: boolean;
  close(): Promise<void>;
}

// Until tenancy's guard is wired in, anything beyond public and ingest routes is refused.
const closedGuard: RouteGuard = {
  async authorize() {
    throw new TouchpointError('TP_ERR_AUTH_REQUIRED');
  },
};

/** Opens the store, migrates, unlocks secrets and builds the dependencies every role shares. */
export async function assemble(
  config: Config,
  logger: Logger,
): Promise<{ deps: AppDeps; generated: boolean }> {
  const store = await openStore(storeOptionsFromConfig(config));
  try {
    await store.migrate();
    const { box, generated } = await unlockSecrets(config, store);
    const cursors = new CursorCodec(
      Buffer.from(hkdfSync('sha256', box.deriveSeed(), '', 'touchpoint cursors v1', 32)),
    );
    const deps: AppDeps = {
      config,
      store,
      logger,
      metrics: createMetrics(),
      secrets: box,
      cursors,
      guard: closedGuard,
    };
    return { deps, generated };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * The composition root: builds and starts Touchpoint for a role. `api` serves HTTP, `worker`
 * runs background work, `all` (the embedded default) does both in one process.
 */
export async function startTouchpoint(
  config: Config,
  options: { role: ServeRole; logger?: Logger },
): Promise<Touchpoint> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const { deps, generated } = await assemble(config, logger);
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (options.role !== 'worker') {
    app = await buildApp(deps);
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  }
  let closed = false;
  return {
    config,
    store: deps.store,
    logger,
    app,
    url,
    generatedMasterKey: generated,
    async close() {
      if (closed) return;
      closed = true;
      await app?.close();
      await deps.store.close();
    },
  };
}

import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './api/app-deps.ts';
import { buildApp } from './api/build-app.ts';
import { ChannelsService } from './channels/channel-service.ts';
import { CursorCodec } from './api/pagination.ts';
import type { Config } from './config/load-config.ts';
import { createRouteGuard } from './api/route-guard.ts';
import { GuardedClient } from './net/guarded-client.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { unlockSecrets } from './secrets/master-key.ts';
import { openStore, storeOptionsFromConfig, type Store } from './store/store.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { ProfileApplier } from './profiles/profile-applier.ts';
import { ProfilesService } from './profiles/profiles-service.ts';
import { SourcesService } from './sources/sources-service.ts';
import { VerifyService } from './sources/verify-service.ts';
import { AccessControl } from './tenancy/access.ts';
import { TenancyService } from './tenancy/tenancy-service.ts';

export type ServeRole = 'api' | 'worker' | 'all';

export interface Touchpoint {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly app: FastifyInstance | undefined;
  /** Where the API listens (`http://host:port`), once listening. */
  readonly url: string | undefined;
  readonly generatedMasterKey: boolean;
  /** Set on an embedded first run: the instance admin created with a random password. */
  /** `password` is null when it came from TOUCHPOINT_ADMIN_PASSWORD (never printed). */
  readonly firstAdmin: { email: string; password: string | null; projectId: number } | undefined;
  close(): Promise<void>;
}

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
    const access = new AccessControl(store);
    const tenancy = new TenancyService(store, access, config);
    const metrics = createMetrics();
    const sources = new SourcesService({ store, secrets: box, tenancy, config });
    // The one client for customer URLs (RELIABILITY decision 6).
    const outbound = new GuardedClient({ allowTargets: config.allowTargets, logger });
    const ingest = new IngestService({ store, sources, config, logger, registry: metrics.registry });
    const applier = new ProfileApplier({
      store,
      logger,
      registry: metrics.registry,
      killBeforeCommit: config.testFaults && process.env.TOUCHPOINT_TEST_FAULT === 'profiles-before-commit',
    });
    const profiles = new ProfilesService({ store, tenancy, applier });
    const channels = new ChannelsService({
      store,
      secrets: box,
      tenancy,
      access,
      client: outbound,
      allowTargets: config.allowTargets,
      profiles,
    });
    const verify = new VerifyService({ store, logger, retentionHours: config.verifyRetentionHours });
    verify.listen(ingest.emitter);
    applier.onConflict = (projectId, conflict) => verify.recordConflict(projectId, conflict);
    const deps: AppDeps = {
      config,
      store,
      logger,
      metrics,
      secrets: box,
      cursors,
      guard: createRouteGuard(access),
      access,
      tenancy,
      sources,
      ingest,
      profiles,
      verify,
      outbound,
      channels,
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
  options: { role: ServeRole; logger?: Logger; embedded?: boolean },
): Promise<Touchpoint> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const { deps, generated } = await assemble(config, logger);
  // Embedded first run: an instance admin with a one-time random password (changed at first login).
  const firstAdmin = options.embedded ? await deps.tenancy.bootstrapEmbedded() : undefined;
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  // Workers build profiles from the event log; in one process, each commit wakes the applier.
  if (options.role !== 'api') {
    deps.profiles.applier.start();
    deps.verify.startRetention();
    deps.ingest.emitter.on('ingest:accepted', (batch) => {
      if (!batch.dryRun) deps.profiles.applier.notify();
    });
  }
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
    firstAdmin,
    async close() {
      if (closed) return;
      closed = true;
      await app?.close();
      await deps.profiles.applier.stop();
      deps.verify.stopRetention();
      await deps.outbound.close();
      await deps.store.close();
    },
  };
}

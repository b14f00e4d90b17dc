import { TouchpointError } from './errors.ts';
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
import { LifecycleEvents } from './observability/lifecycle-events.ts';
import { createMetrics } from './observability/metrics.ts';
import { WorkerRunner } from './runner/worker-runner.ts';
import { registerDeliveryMetrics } from './delivery/delivery-metrics.ts';
import { DeliveryStatsService } from './delivery/delivery-stats-service.ts';
import { AudienceService } from './audiences/audience-service.ts';
import { CampaignRunner } from './campaigns/campaign-runner.ts';
import { EventTriggers } from './campaigns/event-triggers.ts';
import { recordReceipts } from './campaigns/receipts.ts';
import { ConsentService, SendGate, recordConsentEvents } from './campaigns/consent-service.ts';
import {
  CampaignService,
  campaignAudienceUsage,
  campaignChannelUsage,
} from './campaigns/campaign-service.ts';
import { Dispatcher } from './delivery/dispatcher.ts';
import { MessageRetention } from './delivery/message-retention.ts';
import { MessageService } from './delivery/message-service.ts';
import { SendService } from './delivery/send-service.ts';
import { unlockSecrets } from './secrets/master-key.ts';
import { openStore, storeOptionsFromConfig, type Store } from './store/store.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { ProfileApplier } from './profiles/profile-applier.ts';
import { ProfilesService } from './profiles/profiles-service.ts';
import { ErasureService } from './profiles/erasure-service.ts';
import { SourcesService } from './sources/sources-service.ts';
import { VerifyService } from './sources/verify-service.ts';
import { AccessControl } from './tenancy/access.ts';
import { AuditLogService } from './tenancy/audit-log-service.ts';
import { AccountsService } from './tenancy/accounts-service.ts';
import { AuthService } from './tenancy/auth-service.ts';
import { MembersService } from './tenancy/members-service.ts';
import { ProjectsService } from './tenancy/projects-service.ts';
import { TokensService } from './tenancy/tokens-service.ts';

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
): Promise<{ deps: AppDeps; events: LifecycleEvents; generated: boolean }> {
  const store = await openStore(storeOptionsFromConfig(config));
  try {
    await store.migrate();
    const { box, generated } = await unlockSecrets(config, store);
    const cursors = new CursorCodec(
      Buffer.from(hkdfSync('sha256', box.deriveSeed(), '', 'touchpoint cursors v1', 32)),
    );
    const access = new AccessControl(store);
    const audit = new AuditLogService(store);
    const projects = new ProjectsService({ store, audit, access });
    const metrics = createMetrics();
    const sources = new SourcesService({ store, secrets: box, audit, config });
    // The one client for customer URLs (RELIABILITY decision 6).
    const outbound = new GuardedClient({ allowTargets: config.allowTargets, logger });
    const events = new LifecycleEvents(logger);
    const ingest = new IngestService({ store, sources, config, logger, registry: metrics.registry, events });
    // Erased users' identities are kept only as digests under this key (decision 121).
    const erasureKey = Buffer.from(hkdfSync('sha256', box.deriveSeed(), '', 'touchpoint erasure v1', 32));
    // Built below (it needs the channels and audiences); the applier calls it only once running.
    // eslint-disable-next-line prefer-const
    let triggers: EventTriggers;
    const applier = new ProfileApplier({
      store,
      logger,
      erasureKey,
      registry: metrics.registry,
      // Role all: the applier gives way while ingest is saturated (decision 85).
      busy: () => ingest.load.saturated,
      // With each window, exactly once: `$suppress` / `$unsubscribe` events are recorded,
      // receipts are attributed to their messages (decision 130), and events that trigger
      // campaigns become fires (decision 128).
      onWindow: async (tx, scope, windowEvents, window) => {
        await recordConsentEvents(tx, scope, windowEvents, window.identitiesOf);
        await recordReceipts(tx, scope, windowEvents, window.ownerOf, Date.now());
        return { fires: await triggers.match(tx, scope, windowEvents, window.ownerOf) };
      },
      afterWindow: (scope, result) => {
        const fires = (result as { fires: number } | undefined)?.fires ?? 0;
        if (fires > 0) events.emit('campaign:fired', { projectId: scope.projectId, fires });
      },
      killBeforeCommit: config.testFaults && config.testFault === 'profiles-before-commit',
    });
    const profiles = new ProfilesService({ store, audit, applier });
    const erasure = new ErasureService({
      store,
      audit,
      key: erasureKey,
      blockDays: config.erasureBlockDays,
      logger,
    });
    const channels = new ChannelsService({
      store,
      secrets: box,
      audit,
      access,
      client: outbound,
      allowTargets: config.allowTargets,
      profiles,
      usage: campaignChannelUsage(store),
    });
    const exitAfterCommit = config.testFaults && config.testFault === 'send-exit-after-commit';
    const queued = (projectId: number, messages: number) =>
      events.emit('delivery:queued', { projectId, messages });
    const gate = new SendGate(store);
    const sends = new SendService({
      store,
      channels,
      profiles,
      gate,
      onEnqueued: (projectId, messages) => {
        // DUR-04: die after the fan-out commit, before any dispatcher could claim a message.
        if (exitAfterCommit) process.kill(process.pid, 'SIGKILL');
        queued(projectId, messages);
      },
    });
    const messages = new MessageService({
      store,
      audit,
      profiles,
      onQueued: (projectId, count) => queued(projectId, count),
    });
    const dispatcher = new Dispatcher({
      store,
      channels,
      client: outbound,
      logger,
      events,
      options: {
        retrySchedule: config.deliveryRetrySchedule,
        concurrency: config.deliveryConcurrency,
        channelConcurrency: config.deliveryChannelConcurrency,
        pollMs: config.deliveryPollMs,
        leaseMarginMs: config.deliveryLeaseMarginMs,
        drainMs: config.deliveryDrainMs,
        unhealthyAfterMs: config.deliveryUnhealthyAfterMs,
        unhealthyFailures: config.deliveryUnhealthyFailures,
        rateMarginMs: config.deliveryRateMarginMs,
        ...(config.testFaults && config.testFault === 'delivery-pause-before-complete'
          ? { testPauseBeforeCompleteMs: 3000 }
          : {}),
      },
    });
    registerDeliveryMetrics(events, metrics.registry, store);
    const verify = new VerifyService({ store, logger, retentionHours: config.verifyRetentionHours });
    verify.listen(events);
    applier.onConflict = (projectId, conflict) => verify.recordConflict(projectId, conflict);
    const audiences = new AudienceService({
      store,
      audit,
      access,
      usage: campaignAudienceUsage(store),
      async sendIdTypeOf(projectAccess, workspaceId, channelId) {
        const channel = await channels.get(projectAccess, channelId);
        if (!channel.workspaceIds.includes(workspaceId))
          throw new TouchpointError('TP_ERR_CHANNEL_NOT_AUTHORIZED', {
            channel_id: channelId,
            workspace_id: workspaceId,
          });
        return channel.config.sendIdType;
      },
    });
    const cron = { seconds: config.campaignCronSeconds };
    const campaigns = new CampaignService({
      store,
      audit,
      access,
      channels,
      audiences,
      cron,
      onPublished: (projectId, campaignId) => events.emit('campaign:due', { projectId, campaignId }),
    });
    const exitMidRender = config.testFaults && config.testFault === 'campaign-exit-mid-render';
    let renderedPages = 0;
    const campaignRunner = new CampaignRunner({
      store,
      audit,
      channels,
      audiences,
      gate,
      logger,
      options: { leaseMs: config.campaignLeaseMs, pollMs: config.campaignPollMs, cron },
      onEnqueued: (projectId, count) => {
        // Crash test: die mid-run, after the third page's commit.
        if (exitMidRender && ++renderedPages === 3) process.kill(process.pid, 'SIGKILL');
        queued(projectId, count);
      },
    });
    triggers = new EventTriggers({
      store,
      audit,
      channels,
      audiences,
      gate,
      logger,
      options: { leaseMs: config.campaignLeaseMs, pollMs: config.campaignPollMs },
      onEnqueued: queued,
      killBeforeCommit: config.testFaults && config.testFault === 'triggers-exit-before-commit' ? 3 : 0,
    });
    const deps: AppDeps = {
      config,
      store,
      logger,
      metrics,
      secrets: box,
      cursors,
      guard: createRouteGuard(access),
      access,
      audit,
      auth: new AuthService({ store, audit, config, projects }),
      accounts: new AccountsService({ store, audit, config }),
      projects,
      members: new MembersService({ store, audit, access, config }),
      tokens: new TokensService({ store, audit }),
      sources,
      ingest,
      profiles,
      erasure,
      verify,
      outbound,
      channels,
      sends,
      messages,
      dispatcher,
      deliveryStats: new DeliveryStatsService({ store }),
      messageRetention: new MessageRetention({
        store,
        logger,
        options: { retentionMs: config.messageRetentionDays * 86_400_000 },
      }),
      audiences,
      campaigns,
      campaignRunner,
      eventTriggers: triggers,
      consent: new ConsentService({ store, audit }),
    };
    return { deps, events, generated };
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
  const { deps, events, generated } = await assemble(config, logger);
  logger.info({ allowTargets: config.allowTargets.map((c) => c.text) }, 'outbound allowlist');
  // Embedded first run: an instance admin with a one-time random password (changed at first login).
  const firstAdmin = options.embedded ? await deps.auth.bootstrapEmbedded() : undefined;
  let app: FastifyInstance | undefined;
  let url: string | undefined;
  // Workers run every background job through one runner; in one process, each ingest commit
  // wakes the profile applier at once instead of at its next poll. A worker apart from the API
  // looks every 200 ms (the applier's least gap between windows anyway): event-triggered
  // campaigns fire from applied windows, and their latency starts with this poll (decision 128).
  const runner = new WorkerRunner({ logger });
  if (options.role !== 'api') {
    runner.register(deps.profiles.applier.job(200, config.shutdownDeadlineMs));
    runner.register(deps.verify.retentionJob());
    runner.register(deps.ingest.digestRetentionJob());
    runner.register(deps.dispatcher.job());
    runner.register(deps.messageRetention.job());
    runner.register(deps.erasure.job());
    runner.register(deps.campaignRunner.job());
    runner.register(deps.eventTriggers.job());
    events.on('delivery:queued', () => {
      runner.notify('dispatcher');
      deps.dispatcher.wake();
    });
    events.on('campaign:due', () => runner.notify('campaigns'));
    events.on('campaign:fired', () => runner.notify('campaign-triggers'));
    events.on('ingest:accepted', (batch) => {
      if (!batch.dryRun) runner.notify('profiles');
    });
    runner.start();
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
      // SIGTERM ends background work between batches within the deadline; the profile applier
      // resumes from its cursor on the next start.
      await runner.stop(config.shutdownDeadlineMs);
      await deps.outbound.close();
      await deps.store.close();
    },
  };
}

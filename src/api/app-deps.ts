import type { FastifyRequest } from 'fastify';
import type { AudienceService } from '../audiences/audience-service.ts';
import type { CampaignRunner } from '../campaigns/campaign-runner.ts';
import type { EventTriggers } from '../campaigns/event-triggers.ts';
import type { CampaignService } from '../campaigns/campaign-service.ts';
import type { ConsentService } from '../campaigns/consent-service.ts';
import type { ChannelsService } from '../channels/channel-service.ts';
import type { Config } from '../config/load-config.ts';
import type { DeliveryStatsService } from '../delivery/delivery-stats-service.ts';
import type { Dispatcher } from '../delivery/dispatcher.ts';
import type { MessageRetention } from '../delivery/message-retention.ts';
import type { MessageService } from '../delivery/message-service.ts';
import type { SendService } from '../delivery/send-service.ts';
import type { GuardedClient } from '../net/guarded-client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { Store } from '../store/store.ts';
import type { IngestService } from '../ingest/ingest-service.ts';
import type { ProfilesService } from '../profiles/profiles-service.ts';
import type { ErasureService } from '../profiles/erasure-service.ts';
import type { SourcesService } from '../sources/sources-service.ts';
import type { VerifyService } from '../sources/verify-service.ts';
import type { AccessControl } from '../tenancy/access.ts';
import type { AccountsService } from '../tenancy/accounts-service.ts';
import type { AuditLogService } from '../tenancy/audit-log-service.ts';
import type { AuthService } from '../tenancy/auth-service.ts';
import type { MembersService } from '../tenancy/members-service.ts';
import type { ProjectsService } from '../tenancy/projects-service.ts';
import type { TokensService } from '../tenancy/tokens-service.ts';
import type { CursorCodec } from './pagination.ts';
import type { RouteScope } from './route-scope.ts';

/**
 * Checks a request against its route's scope before the handler runs: throws
 * TP_ERR_AUTH_REQUIRED (401), TP_ERR_FORBIDDEN (403) or TP_ERR_NOT_FOUND (404, for a project or
 * workspace the caller cannot see). Supplied by the tenancy module.
 */
export interface RouteGuard {
  authorize(request: FastifyRequest, scope: RouteScope): Promise<void>;
}

/** Everything the HTTP layer adapts; built once by the composition root (src/main.ts). */
export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly secrets: SecretBox;
  readonly cursors: CursorCodec;
  readonly guard: RouteGuard;
  readonly access: AccessControl;
  readonly audit: AuditLogService;
  readonly auth: AuthService;
  /** The instance admin's accounts and all-projects views. */
  readonly accounts: AccountsService;
  readonly projects: ProjectsService;
  readonly members: MembersService;
  readonly tokens: TokensService;
  readonly sources: SourcesService;
  readonly profiles: ProfilesService;
  /** Erasure of a user on request (issue 20 item 4). */
  readonly erasure: ErasureService;
  readonly verify: VerifyService;
  readonly ingest: IngestService;
  /** The guarded client every customer URL goes through. */
  readonly outbound: GuardedClient;
  readonly channels: ChannelsService;
  readonly sends: SendService;
  readonly messages: MessageService;
  readonly dispatcher: Dispatcher;
  readonly deliveryStats: DeliveryStatsService;
  readonly messageRetention: MessageRetention;
  readonly audiences: AudienceService;
  readonly campaigns: CampaignService;
  /** The campaign scheduler (worker role). */
  readonly campaignRunner: CampaignRunner;
  readonly eventTriggers: EventTriggers;
  /** Suppressions and per-channel unsubscribes. */
  readonly consent: ConsentService;
}

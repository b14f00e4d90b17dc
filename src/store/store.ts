import type { Kysely } from 'kysely';
import type { Config } from '../config/load-config.ts';
import { TouchpointError } from '../errors.ts';
import type { DialectHandle } from './dialect-handle.ts';
import { openPostgres } from './dialects/postgres/open-postgres.ts';
import { openSqlite } from './dialects/sqlite/open-sqlite.ts';
import { migrations } from './migrations/index.ts';
import { checkSchema, migrate, type MigrationResult } from './migrator.ts';
import { accountsRepository, type AccountsRepository } from './repositories/accounts-repository.ts';
import { auditRepository, type AuditRepository } from './repositories/audit-repository.ts';
import { audiencesRepository, type AudiencesRepository } from './repositories/audiences-repository.ts';
import { campaignsRepository, type CampaignsRepository } from './repositories/campaigns-repository.ts';
import {
  campaignFiresRepository,
  type CampaignFiresRepository,
} from './repositories/campaign-fires-repository.ts';
import { consentRepository, type ConsentRepository } from './repositories/consent-repository.ts';
import { receiptsRepository, type ReceiptsRepository } from './repositories/receipts-repository.ts';
import { channelsRepository, type ChannelsRepository } from './repositories/channels-repository.ts';
import { deliveryRepository, type DeliveryRepository } from './repositories/delivery-repository.ts';
import {
  deliveryStatsRepository,
  type DeliveryStatsRepository,
} from './repositories/delivery-stats-repository.ts';
import { retentionRepository, type RetentionRepository } from './repositories/retention-repository.ts';
import { erasureRepository, type ErasureRepository } from './repositories/erasure-repository.ts';
import { eventsRepository, type EventsRepository } from './repositories/events-repository.ts';
import { profilesRepository, type ProfilesRepository } from './repositories/profiles-repository.ts';
import { verifyRepository, type VerifyRepository } from './repositories/verify-repository.ts';
import {
  ingestDigestsRepository,
  type IngestDigestsRepository,
} from './repositories/ingest-digests-repository.ts';
import { membersRepository, type MembersRepository } from './repositories/members-repository.ts';
import { projectsRepository, type ProjectsRepository } from './repositories/projects-repository.ts';
import { sessionsRepository, type SessionsRepository } from './repositories/sessions-repository.ts';
import { settingsRepository, type SettingsRepository } from './repositories/settings-repository.ts';
import { sourcesRepository, type SourcesRepository } from './repositories/sources-repository.ts';
import { tokensRepository, type TokensRepository } from './repositories/tokens-repository.ts';
import { invitationsRepository, type InvitationsRepository } from './repositories/invitations-repository.ts';
import type { Database } from './schema.ts';
import type { StoreCapabilities } from './store-capabilities.ts';

export type { StoreCapabilities } from './store-capabilities.ts';
export { StoreBusyError, StoreUnavailableError, UniqueViolationError } from './store-errors.ts';
export type { MigrationResult } from './migrator.ts';

/** The repositories; the same shape inside and outside a transaction. */
export interface Repositories {
  readonly settings: SettingsRepository;
  readonly accounts: AccountsRepository;
  readonly projects: ProjectsRepository;
  readonly members: MembersRepository;
  readonly tokens: TokensRepository;
  readonly invitations: InvitationsRepository;
  readonly sessions: SessionsRepository;
  readonly audit: AuditRepository;
  readonly sources: SourcesRepository;
  readonly events: EventsRepository;
  readonly profiles: ProfilesRepository;
  readonly verify: VerifyRepository;
  readonly ingestDigests: IngestDigestsRepository;
  readonly channels: ChannelsRepository;
  readonly delivery: DeliveryRepository;
  readonly deliveryStats: DeliveryStatsRepository;
  readonly retention: RetentionRepository;
  readonly audiences: AudiencesRepository;
  readonly campaigns: CampaignsRepository;
  readonly consent: ConsentRepository;
  readonly fires: CampaignFiresRepository;
  readonly receipts: ReceiptsRepository;
  readonly erasure: ErasureRepository;
}

/**
 * Touchpoint's persistence: repositories that take and return domain types, over SQLite
 * (embedded) or PostgreSQL (scale-out). Kysely and the drivers never leak past this seam, nor do
 * their errors: a call fails with `UniqueViolationError` or `StoreUnavailableError` (of which
 * `StoreBusyError` is one) from store-errors.ts, or with an untyped error that is a defect.
 *
 * @example
 *   const store = await openStore(storeOptionsFromConfig(config));
 *   await store.migrate();
 *   await store.transaction(async (tx) => tx.settings.set('k', 'v'));
 */
export interface Store extends Repositories {
  readonly capabilities: StoreCapabilities;
  /** Which database, without credentials: for logs and start-up lines. */
  readonly description: string;
  /** Files holding the data (SQLite); empty for PostgreSQL. */
  readonly files: readonly string[];
  migrate(): Promise<MigrationResult>;
  /** Current schema version; throws TP_ERR_STORE_NEWER_SCHEMA for a database newer than the code. */
  checkSchema(): Promise<{ version: number; pending: number }>;
  /** Throws TP_ERR_STORE_UNAVAILABLE when the database does not answer. */
  ping(): Promise<void>;
  /**
   * Runs `fn` in one transaction (SQLite: BEGIN IMMEDIATE); a throw rolls everything back.
   * `relaxed`: the commit does not wait for the disk, for work a machine crash may undo safely
   * (delivery's claims and completions: the message is sent again, decision 94).
   */
  transaction<T>(fn: (tx: Repositories) => Promise<T>, options?: { relaxed?: boolean }): Promise<T>;
  close(): Promise<void>;
}

export type StoreOptions =
  | {
      readonly kind: 'sqlite';
      readonly path: string;
      readonly busyTimeoutMs: number;
      readonly maxPageCount?: number;
    }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolMax: number; readonly schema?: string };

export function storeOptionsFromConfig(config: Config): StoreOptions {
  return config.database.kind === 'sqlite'
    ? {
        kind: 'sqlite',
        path: config.database.path,
        busyTimeoutMs: config.sqliteBusyTimeoutMs,
        maxPageCount: config.sqliteMaxPages,
      }
    : { kind: 'postgres', url: config.database.url, poolMax: config.pgPoolMax, schema: config.pgSchema };
}

function repositories(db: Kysely<Database>, handle: DialectHandle): Repositories {
  return {
    settings: settingsRepository(db),
    accounts: accountsRepository(db, (trx, key) => handle.transactionLock(trx, key)),
    projects: projectsRepository(db),
    members: membersRepository(db),
    tokens: tokensRepository(db),
    invitations: invitationsRepository(db),
    sessions: sessionsRepository(db),
    audit: auditRepository(db),
    sources: sourcesRepository(db),
    events: eventsRepository(db),
    profiles: profilesRepository(
      db,
      (trx, key) => handle.transactionLock(trx, key),
      (root) => handle.committedEventHorizon(root),
      handle.capabilities.arrayParameters,
    ),
    verify: verifyRepository(db),
    ingestDigests: ingestDigestsRepository(db),
    channels: channelsRepository(db),
    delivery: deliveryRepository(db, handle),
    deliveryStats: deliveryStatsRepository(db),
    retention: retentionRepository(db, handle),
    audiences: audiencesRepository(db, handle.json),
    campaigns: campaignsRepository(db),
    consent: consentRepository(db),
    fires: campaignFiresRepository(db),
    receipts: receiptsRepository(db),
    erasure: erasureRepository(db, handle.json),
  };
}

export async function openStore(options: StoreOptions): Promise<Store> {
  let handle: DialectHandle;
  try {
    handle = options.kind === 'sqlite' ? openSqlite(options) : await openPostgres(options);
  } catch (error) {
    throw new TouchpointError(
      'TP_ERR_STORE_UNAVAILABLE',
      {},
      { message: (error as Error).message, cause: error },
    );
  }
  const db = handle.db as Kysely<Database>;
  return {
    ...repositories(db, handle),
    capabilities: handle.capabilities,
    description: handle.description,
    files: handle.files,
    migrate: () => migrate(handle, migrations),
    checkSchema: () => checkSchema(handle, migrations),
    async ping() {
      try {
        await db.selectFrom('tp_migrations').select('id').limit(1).execute();
      } catch (error) {
        throw new TouchpointError('TP_ERR_STORE_UNAVAILABLE', {}, { cause: error, retryAfter: 5 });
      }
    },
    transaction: (fn, options) =>
      options?.relaxed
        ? handle.relaxedTransaction(db, (trx) => fn(repositories(trx, handle)))
        : db.transaction().execute((trx) => fn(repositories(trx, handle))),
    close: () => handle.destroy(),
  };
}

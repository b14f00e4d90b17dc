import { type Caller, type ProjectAccess, auditContextOf } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/load-config.ts';
import { TouchpointError } from '../errors.ts';
import { looksMasked, maskSecret, type SecretBox } from '../secrets/secret-box.ts';
import type { Repositories, Store } from '../store/store.ts';
import { isValidTimeZone } from '../access/time-zone.ts';
import type { AuditLog } from '../access/audit-log.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import type { IngestKeyLookup, IngestKeyVerdict, IngestSource } from './ingest-key.ts';
import { integrationPrompts, type IntegrationPrompt } from './integration-prompts.ts';
import {
  platformsByAppType,
  type App,
  type AppType,
  type DataSource,
  type PlatformConfig,
  type ReportingStatus,
  type SourceStatus,
} from './model.ts';

export interface SourceInput {
  readonly name: string;
  readonly appId: string;
  readonly platforms: readonly PlatformConfig[];
  readonly timeZone?: string | null;
  readonly rateLimit?: number | null;
}

export interface SourcePatch {
  readonly name?: string;
  readonly platforms?: readonly PlatformConfig[];
  readonly timeZone?: string | null;
  readonly rateLimit?: number | null;
  /** Only present to be refused: secrets are rotated, never typed (SEC-10/11). */
  readonly masterSecret?: string | null;
}

const ORIGIN = /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

function invalid(path: string, message: string, code: 'TP_ERR_VALIDATION' = 'TP_ERR_VALIDATION') {
  return new TouchpointError(
    code,
    { issues: [{ in: 'body', path, rule: 'invalid', message }] },
    { message: `body${path} ${message}` },
  );
}

const secretContext = (source: { id: string; projectId: number }) => ({
  table: 'data_sources',
  column: 'master_secret',
  rowId: source.id,
  projectId: source.projectId,
});

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Apps and data sources (SPEC §2): credentials, lifecycle, reporting status, integration
 * prompts, and the ingest key lookup. Every lifecycle change is audited and bumps the source's
 * credentials version, so no process can keep accepting a key after a change elsewhere.
 */
export class SourcesService implements IngestKeyLookup {
  readonly #store: Store;
  readonly #secrets: SecretBox;
  readonly #audit: AuditLog;
  readonly #config: Config;
  readonly #now: () => number;
  // Decrypted secret digests by `sourceId:credentialsVersion`: a rotation changes the version,
  // so a stale entry is never consulted.
  readonly #secretDigests = new Map<string, Buffer>();

  constructor(deps: {
    store: Store;
    secrets: SecretBox;
    audit: AuditLog;
    config: Config;
    now?: () => number;
  }) {
    this.#store = deps.store;
    this.#secrets = deps.secrets;
    this.#audit = deps.audit;
    this.#config = deps.config;
    this.#now = deps.now ?? Date.now;
  }

  // ---- apps -----------------------------------------------------------------------------------

  listApps(access: ProjectAccess): Promise<App[]> {
    return this.#store.sources.listApps(access.scope);
  }

  async createApp(
    caller: Caller,
    access: ProjectAccess,
    input: { name: string; appType: AppType },
  ): Promise<App> {
    const name = input.name.trim();
    if (name === '') throw invalid('/name', 'must not be empty');
    try {
      return await this.#store.transaction(async (tx) => {
        const app = await tx.sources.createApp(access.scope, {
          id: newId('app'),
          name,
          appType: input.appType,
        });
        await this.#audit.record(
          access.scope,
          auditContextOf(caller),
          {
            action: 'app.created',
            target: { type: 'app', id: app.id, label: app.name },
            details: { app_type: app.appType },
          },
          tx,
        );
        return app;
      });
    } catch (error) {
      if (error instanceof UniqueViolationError)
        throw new TouchpointError('TP_ERR_TENANCY_NAME_TAKEN', { name });
      throw error;
    }
  }

  async updateApp(
    caller: Caller,
    access: ProjectAccess,
    appId: string,
    patch: { name?: string; appType?: string },
  ): Promise<App> {
    const app = await this.#store.sources.getApp(access.scope, appId);
    if (!app) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'app' });
    if (patch.appType !== undefined && patch.appType !== app.appType)
      throw new TouchpointError('TP_ERR_SOURCE_APP_TYPE_IMMUTABLE', { app_type: app.appType });
    if (patch.name === undefined) return app;
    const name = patch.name.trim();
    if (name === '') throw invalid('/name', 'must not be empty');
    return this.#store.transaction(async (tx) => {
      const renamed = await tx.sources.renameApp(access.scope, appId, name);
      if (!renamed) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'app' });
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'app.updated',
          target: { type: 'app', id: app.id, label: name },
        },
        tx,
      );
      return renamed;
    });
  }

  // ---- data sources ---------------------------------------------------------------------------

  listSources(
    access: ProjectAccess,
    filter: { status?: SourceStatus; reportingStatus?: ReportingStatus },
    page: PageRequest,
  ): Promise<DataSource[]> {
    return this.#store.sources.list(access.scope, { ...filter, now: this.#now() }, page);
  }

  async getSource(access: ProjectAccess, id: string, repos: Repositories = this.#store): Promise<DataSource> {
    const source = await repos.sources.get(access.scope, id, this.#now());
    if (!source) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'source' });
    return source;
  }

  now(): number {
    return this.#now();
  }

  #checkPlatforms(appType: AppType, platforms: readonly PlatformConfig[]): PlatformConfig[] {
    if (platforms.length === 0) throw invalid('/platforms', 'must list at least one platform');
    const seen = new Set<string>();
    const allowed = platformsByAppType[appType];
    return platforms.map((p, i) => {
      if (!allowed.includes(p.platform))
        throw new TouchpointError('TP_ERR_SOURCE_PLATFORM_NOT_ALLOWED', {
          platform: p.platform,
          app_type: appType,
          allowed,
        });
      if (seen.has(p.platform)) throw invalid(`/platforms/${i}/platform`, 'is listed twice');
      seen.add(p.platform);
      if (p.requireSecret !== undefined && p.platform !== 'server')
        throw invalid(`/platforms/${i}/require_secret`, 'applies only to the server platform');
      if (p.platform === 'web') {
        const origins = [
          ...new Set((p.origins ?? []).map((o) => o.trim().replace(/\/+$/, '').toLowerCase())),
        ];
        if (origins.length === 0)
          throw invalid(`/platforms/${i}/origins`, 'must list at least one origin for web');
        origins.forEach((o, j) => {
          if (!ORIGIN.test(o))
            throw invalid(`/platforms/${i}/origins/${j}`, 'must be http(s)://host[:port] without a path');
        });
        return { platform: 'web', origins };
      }
      if (p.origins !== undefined)
        throw invalid(`/platforms/${i}/origins`, 'applies only to the web platform');
      if (p.platform === 'server') return { platform: 'server', requireSecret: p.requireSecret ?? false };
      return { platform: p.platform };
    });
  }

  #checkTimeZone(zone: string | null | undefined): void {
    if (zone !== undefined && zone !== null && !isValidTimeZone(zone))
      throw invalid('/time_zone', 'must be an IANA time zone such as Asia/Shanghai');
  }

  async createSource(caller: Caller, access: ProjectAccess, input: SourceInput): Promise<DataSource> {
    const app = await this.#store.sources.getApp(access.scope, input.appId);
    if (!app) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'app', id: input.appId });
    const platforms = this.#checkPlatforms(app.appType, input.platforms);
    this.#checkTimeZone(input.timeZone);
    const name = input.name.trim();
    if (name === '') throw invalid('/name', 'must not be empty');
    const id = newId('src');
    const secret = randomBytes(24).toString('base64url');
    return this.#store.transaction(async (tx) => {
      await tx.sources.create(access.scope, {
        id,
        appId: app.id,
        name,
        platforms,
        timeZone: input.timeZone ?? null,
        appKey: randomBytes(16).toString('hex'),
        masterSecretCiphertext: this.#secrets.encrypt(
          secret,
          secretContext({ id, projectId: access.scope.projectId }),
        ),
        scheme: app.appType === 'app' ? `tp${randomBytes(5).toString('hex')}` : null,
        rateLimit: input.rateLimit ?? null,
      });
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'source.created',
          target: { type: 'source', id, label: name },
          details: { app_id: app.id, platforms: platforms.map((p) => p.platform) },
        },
        tx,
      );
      return this.getSource(access, id, tx);
    });
  }

  async updateSource(
    caller: Caller,
    access: ProjectAccess,
    id: string,
    patch: SourcePatch,
  ): Promise<DataSource> {
    if (patch.masterSecret !== undefined) {
      if (typeof patch.masterSecret === 'string' && looksMasked(patch.masterSecret))
        throw new TouchpointError('TP_ERR_SECRET_MASKED_VALUE', { field: 'master_secret' });
      throw new TouchpointError('TP_ERR_SOURCE_SECRET_NOT_EDITABLE', { field: 'master_secret' });
    }
    const before = await this.getSource(access, id);
    const app = await this.#store.sources.getApp(access.scope, before.appId);
    const platforms = patch.platforms && app ? this.#checkPlatforms(app.appType, patch.platforms) : undefined;
    this.#checkTimeZone(patch.timeZone);
    const name = patch.name?.trim();
    if (name === '') throw invalid('/name', 'must not be empty');
    return this.#store.transaction(async (tx) => {
      // Platforms decide origins and require_secret: ingest must see the change at once.
      await tx.sources.update(
        access.scope,
        id,
        { name, platforms, timeZone: patch.timeZone, rateLimit: patch.rateLimit },
        platforms !== undefined || patch.timeZone !== undefined || patch.rateLimit !== undefined,
      );
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'source.updated',
          target: { type: 'source', id, label: name ?? before.name },
          details: {
            fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined),
          },
        },
        tx,
      );
      return this.getSource(access, id, tx);
    });
  }

  async #lifecycle(
    caller: Caller,
    access: ProjectAccess,
    id: string,
    action: 'source.disabled' | 'source.enabled' | 'source.deleted',
  ): Promise<void> {
    const source = await this.getSource(access, id);
    await this.#store.transaction(async (tx) => {
      const patch =
        action === 'source.deleted'
          ? { deletedAt: this.#now() }
          : { status: (action === 'source.disabled' ? 'disabled' : 'enabled') as SourceStatus };
      if (!(await tx.sources.update(access.scope, id, patch, true)))
        throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'source' });
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action,
          target: { type: 'source', id, label: source.name },
        },
        tx,
      );
    });
  }

  disableSource(caller: Caller, access: ProjectAccess, id: string) {
    return this.#lifecycle(caller, access, id, 'source.disabled');
  }
  enableSource(caller: Caller, access: ProjectAccess, id: string) {
    return this.#lifecycle(caller, access, id, 'source.enabled');
  }
  /** Deletes the source: its key answers like an unknown key; its stored events remain. */
  deleteSource(caller: Caller, access: ProjectAccess, id: string) {
    return this.#lifecycle(caller, access, id, 'source.deleted');
  }

  /** The master secret in clear, for callers holding `source.secret.reveal`; audited either way. */
  async revealSecret(caller: Caller, access: ProjectAccess, id: string): Promise<string> {
    const source = await this.getSource(access, id);
    const target = { type: 'source', id, label: source.name };
    if (!access.permissions.has('source.secret.reveal')) {
      await this.#audit.record(access.scope, auditContextOf(caller), {
        action: 'secret.reveal.denied',
        target,
      });
      throw new TouchpointError('TP_ERR_FORBIDDEN', { permission: 'source.secret.reveal' });
    }
    const secret = this.#secrets.decrypt(source.masterSecretCiphertext, secretContext(source));
    await this.#audit.record(access.scope, auditContextOf(caller), { action: 'secret.revealed', target });
    return secret;
  }

  /** A new master secret; the old one is refused from the next request on (any process). */
  async rotateSecret(caller: Caller, access: ProjectAccess, id: string): Promise<string> {
    const source = await this.getSource(access, id);
    const secret = randomBytes(24).toString('base64url');
    await this.#store.transaction(async (tx) => {
      await tx.sources.update(
        access.scope,
        id,
        { masterSecretCiphertext: this.#secrets.encrypt(secret, secretContext(source)) },
        true,
      );
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'secret.rotated',
          target: { type: 'source', id, label: source.name },
        },
        tx,
      );
    });
    return secret;
  }

  /** The master secret as shown in every answer: masked. */
  maskedSecret(source: DataSource): string {
    return maskSecret(this.#secrets.decrypt(source.masterSecretCiphertext, secretContext(source)));
  }

  integration(source: DataSource, baseUrl: string = this.#config.publicUrl): IntegrationPrompt[] {
    return integrationPrompts(source, baseUrl);
  }

  // ---- ingest ---------------------------------------------------------------------------------

  async lookupIngestKey(appKey: string, secret: string | undefined): Promise<IngestKeyVerdict> {
    if (appKey === '' || appKey.length > 200) return { status: 'unknown' };
    const source = await this.#store.sources.findByAppKey(appKey);
    if (!source || source.deletedAt !== null) return { status: 'unknown' };
    const server = source.platforms.find((p) => p.platform === 'server');
    const requireSecret = server?.requireSecret === true;
    const owner = { id: source.id, projectId: source.projectId };
    if (secret !== undefined && secret !== '') {
      const cacheKey = `${source.id}:${source.credentialsVersion}`;
      let expected = this.#secretDigests.get(cacheKey);
      if (!expected) {
        expected = digest(this.#secrets.decrypt(source.masterSecretCiphertext, secretContext(source)));
        if (this.#secretDigests.size > 10_000) this.#secretDigests.clear();
        this.#secretDigests.set(cacheKey, expected);
      }
      // Digests have equal length, so the comparison is constant-time whatever was sent (SEC-16).
      if (!timingSafeEqual(digest(secret), expected))
        return { status: 'secret_mismatch', missing: false, owner };
    } else if (requireSecret) {
      return { status: 'secret_mismatch', missing: true, owner };
    }
    const project = await this.#store.projects.get({ kind: 'project', projectId: source.projectId });
    const ingestSource: IngestSource = {
      id: source.id,
      projectId: source.projectId,
      timeZone: source.timeZone ?? project?.timeZone ?? 'UTC',
      platforms: source.platforms.map((p) => p.platform),
      origins: source.platforms.flatMap((p) => p.origins ?? []),
      requireSecret,
      credentialsVersion: source.credentialsVersion,
      rateLimitPerSecond: source.rateLimit,
    };
    return source.status === 'disabled'
      ? { status: 'disabled', source: ingestSource }
      : { status: 'ok', source: ingestSource };
  }
}

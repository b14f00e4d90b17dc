import type { AuditLog } from '../access/audit-log.ts';
import { auditContextOf, type Caller, type ProjectAccess, type WorkspaceGate } from '../access/caller.ts';
import { newId } from '../access/ids.ts';
import type { PageRequest } from '../access/paging.ts';
import type { ProjectScope } from '../access/scope.ts';
import { TouchpointError } from '../errors.ts';
import type { AudienceMemberProfile } from '../store/repositories/audiences-repository.ts';
import type { Store } from '../store/store.ts';
import { UniqueViolationError } from '../store/store-errors.ts';
import type {
  Audience,
  AudienceCatalog,
  AudienceEstimate,
  ConditionGroupJson,
  TypeCatalog,
} from './model.ts';
import { parseConditions, type ParsedConditions } from './parse-conditions.ts';

/** The send ID type of a channel authorized to the workspace (404 / 403 otherwise). */
export type SendIdTypeOf = (access: ProjectAccess, workspaceId: string, channelId: string) => Promise<string>;

export interface AudienceInput {
  readonly name: string;
  readonly description?: string | null;
  readonly conditions: unknown;
}

export interface PreviewMember {
  readonly tpUid: string;
  readonly identities: readonly { readonly type: string; readonly value: string }[];
  /** Only the properties the conditions use. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface AudiencePreview {
  readonly properties: readonly string[];
  readonly members: readonly PreviewMember[];
}

export interface CatalogListing {
  readonly profileProperties: readonly { name: string; types: readonly string[]; profiles: number }[];
  readonly events: readonly {
    name: string;
    properties: readonly { name: string; types: readonly string[] }[];
  }[];
}

/** A saved audience ready to evaluate (campaign runs and previews). */
export interface AudienceEvaluator {
  readonly audience: Audience;
  /** Profile properties the conditions use. */
  readonly properties: readonly string[];
  estimate(sendIdType: string | null): Promise<{ size: number; reachable: number | null }>;
  pages(options: {
    after: string | null;
    sendIdType: string | null;
    pageSize: number;
  }): AsyncGenerator<string[]>;
  /** Which of `tpUids` are members (event-triggered campaigns). */
  among(tpUids: readonly string[]): Promise<Set<string>>;
  /** Members holding `sendIdType` with their properties and send-ID values (campaign runs). */
  profilePages(options: {
    after: string | null;
    sendIdType: string;
    pageSize: number;
  }): AsyncGenerator<AudienceMemberProfile[]>;
}

/** Which live campaigns use an audience (implemented by the campaigns module). */
export interface AudienceUsage {
  usedBy(
    scope: ProjectScope,
    audienceId: string,
  ): Promise<readonly { id: string; name: string; state: string }[]>;
}

/** How long the scanned profile property catalog is reused for validation (live estimates). */
const CATALOG_TTL_MS = 30_000;

/**
 * Audiences of a workspace (SPEC §5): saved conditions, estimates with and without a channel's
 * send ID, previews. Membership is computed by the store when asked, never kept.
 */
export class AudienceService {
  readonly #store: Store;
  readonly #audit: AuditLog;
  readonly #access: WorkspaceGate;
  readonly #sendIdTypeOf: SendIdTypeOf;
  readonly #now: () => number;
  readonly #usage: AudienceUsage | undefined;
  readonly #catalogs = new Map<number, { at: number; listing: CatalogListing }>();

  constructor(deps: {
    store: Store;
    audit: AuditLog;
    access: WorkspaceGate;
    sendIdTypeOf: SendIdTypeOf;
    usage?: AudienceUsage;
    now?: () => number;
  }) {
    this.#usage = deps.usage;
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#access = deps.access;
    this.#sendIdTypeOf = deps.sendIdTypeOf;
    this.#now = deps.now ?? Date.now;
  }

  /** Profile properties (with observed types) and events with their properties: the pickers. */
  async catalog(access: ProjectAccess, workspaceId: string, fresh = false): Promise<CatalogListing> {
    await this.#access.requireWorkspace(access, workspaceId);
    const projectId = access.scope.projectId;
    const cached = this.#catalogs.get(projectId);
    if (!fresh && cached && this.#now() - cached.at < CATALOG_TTL_MS) return cached.listing;
    const [properties, events] = await Promise.all([
      this.#store.audiences.profilePropertyTypes(access.scope),
      this.#store.profiles.eventDefinitions(access.scope),
    ]);
    const listing: CatalogListing = {
      profileProperties: properties,
      events: events.map((e) => ({
        name: e.name,
        properties: e.properties.map((p) => ({ name: p.name, types: p.types })),
      })),
    };
    this.#catalogs.set(projectId, { at: this.#now(), listing });
    return listing;
  }

  async #parse(
    access: ProjectAccess,
    workspaceId: string,
    conditions: unknown,
    fresh = false,
  ): Promise<ParsedConditions> {
    const cached = this.#catalogs.get(access.scope.projectId);
    const listing = await this.catalog(access, workspaceId, fresh);
    const catalog: AudienceCatalog = {
      profileProperties: new Map(listing.profileProperties.map((p) => [p.name, p.types])),
      events: new Map(
        listing.events.map((e): [string, TypeCatalog] => [
          e.name,
          new Map(e.properties.map((p) => [p.name, p.types])),
        ]),
      ),
    };
    try {
      return parseConditions(conditions, { catalog, timeZone: await this.#zone(access), now: this.#now() });
    } catch (error) {
      // A property or event that appeared since the catalog was scanned: look again once.
      if (
        error instanceof TouchpointError &&
        error.code.startsWith('TP_ERR_AUDIENCE_UNKNOWN') &&
        !fresh &&
        cached?.listing === listing
      )
        return this.#parse(access, workspaceId, conditions, true);
      throw error;
    }
  }

  async #zone(access: ProjectAccess): Promise<string> {
    const project = await this.#store.projects.get(access.scope);
    return project?.timeZone ?? 'UTC';
  }

  /** A saved audience's conditions as of now (names are not checked again). */
  async #parseSaved(access: ProjectAccess, audience: Audience): Promise<ParsedConditions> {
    return parseConditions(audience.conditions, { timeZone: await this.#zone(access), now: this.#now() });
  }

  async #estimate(
    access: ProjectAccess,
    workspaceId: string,
    parsed: ParsedConditions,
    channelId: string | undefined,
  ): Promise<AudienceEstimate> {
    const sendIdType =
      channelId === undefined ? null : await this.#sendIdTypeOf(access, workspaceId, channelId);
    const { size, reachable } = await this.#store.audiences.estimate(access.scope, parsed.query, sendIdType);
    return { size, reachable, sendIdType };
  }

  /** Estimates unsaved conditions; with a channel also the members holding its send ID type. */
  async estimate(
    access: ProjectAccess,
    workspaceId: string,
    conditions: unknown,
    channelId?: string,
  ): Promise<AudienceEstimate> {
    const parsed = await this.#parse(access, workspaceId, conditions);
    return this.#estimate(access, workspaceId, parsed, channelId);
  }

  async estimateSaved(access: ProjectAccess, workspaceId: string, id: string, channelId?: string) {
    const audience = await this.get(access, workspaceId, id);
    return this.#estimate(access, workspaceId, await this.#parseSaved(access, audience), channelId);
  }

  async #preview(access: ProjectAccess, parsed: ParsedConditions, limit: number): Promise<AudiencePreview> {
    const ids = await this.#store.audiences.membersPage(access.scope, parsed.query, {
      after: null,
      limit,
      sendIdType: null,
    });
    const profiles = await this.#store.profiles.getProfiles(access.scope, ids);
    const byId = new Map(profiles.map((p) => [p.tpUid, p]));
    const members: PreviewMember[] = [];
    for (const id of ids) {
      const p = byId.get(id);
      if (!p) continue;
      const properties: Record<string, unknown> = {};
      for (const name of parsed.properties) if (name in p.properties) properties[name] = p.properties[name];
      members.push({ tpUid: p.tpUid, identities: p.identities, properties });
    }
    return { properties: parsed.properties, members };
  }

  async preview(access: ProjectAccess, workspaceId: string, conditions: unknown, limit = 20) {
    return this.#preview(access, await this.#parse(access, workspaceId, conditions), limit);
  }

  async previewSaved(access: ProjectAccess, workspaceId: string, id: string, limit = 20) {
    const audience = await this.get(access, workspaceId, id);
    return this.#preview(access, await this.#parseSaved(access, audience), limit);
  }

  /**
   * A saved audience as a campaign run evaluates it, with no caller (the scheduler): its size and
   * its members page by page in tp_uid order, from any point (a run's checkpoint). Undefined when
   * the audience no longer exists. Relative dates ("in the last 7 days") are fixed when this is
   * called, so one run sees one audience.
   */
  async evaluator(
    scope: ProjectScope,
    workspaceId: string,
    id: string,
  ): Promise<AudienceEvaluator | undefined> {
    const audience = await this.#store.audiences.get(scope, workspaceId, id);
    if (!audience) return undefined;
    const project = await this.#store.projects.get(scope);
    const parsed = parseConditions(audience.conditions, {
      timeZone: project?.timeZone ?? 'UTC',
      now: this.#now(),
    });
    const store = this.#store;
    return {
      audience,
      properties: parsed.properties,
      estimate: (sendIdType) => store.audiences.estimate(scope, parsed.query, sendIdType),
      pages: (options) => store.audiences.streamMembers(scope, parsed.query, options),
      among: (tpUids) => store.audiences.membersAmong(scope, parsed.query, tpUids),
      profilePages: (options) => store.audiences.streamMemberProfiles(scope, parsed.query, options),
    };
  }

  async list(access: ProjectAccess, workspaceId: string, page: PageRequest): Promise<Audience[]> {
    await this.#access.requireWorkspace(access, workspaceId);
    return this.#store.audiences.list(access.scope, workspaceId, page);
  }

  async get(access: ProjectAccess, workspaceId: string, id: string): Promise<Audience> {
    await this.#access.requireWorkspace(access, workspaceId);
    const audience = await this.#store.audiences.get(access.scope, workspaceId, id);
    if (!audience) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'audience' });
    return audience;
  }

  async create(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    input: AudienceInput,
  ): Promise<Audience> {
    await this.#parse(access, workspaceId, input.conditions);
    try {
      return await this.#store.transaction(async (tx) => {
        const audience = await tx.audiences.create(access.scope, {
          id: newId('aud'),
          workspaceId,
          name: input.name.trim(),
          description: input.description ?? null,
          conditions: input.conditions as ConditionGroupJson,
          createdBy: caller.account.id,
          at: this.#now(),
        });
        await this.#audit.record(
          access.scope,
          auditContextOf(caller),
          {
            action: 'audience.created',
            target: { type: 'audience', id: audience.id, label: audience.name },
            details: { workspace_id: workspaceId },
          },
          tx,
        );
        return audience;
      });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new TouchpointError('TP_ERR_AUDIENCE_NAME_TAKEN');
      throw error;
    }
  }

  async update(
    caller: Caller,
    access: ProjectAccess,
    workspaceId: string,
    id: string,
    patch: Partial<AudienceInput>,
  ): Promise<Audience> {
    await this.get(access, workspaceId, id);
    if (patch.conditions !== undefined) await this.#parse(access, workspaceId, patch.conditions);
    try {
      return await this.#store.transaction(async (tx) => {
        const audience = await tx.audiences.update(
          access.scope,
          workspaceId,
          id,
          {
            ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.conditions !== undefined ? { conditions: patch.conditions as ConditionGroupJson } : {}),
          },
          this.#now(),
        );
        if (!audience) throw new TouchpointError('TP_ERR_NOT_FOUND', { resource: 'audience' });
        await this.#audit.record(
          access.scope,
          auditContextOf(caller),
          {
            action: 'audience.updated',
            target: { type: 'audience', id, label: audience.name },
            details: { workspace_id: workspaceId, fields: Object.keys(patch).sort() },
          },
          tx,
        );
        return audience;
      });
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new TouchpointError('TP_ERR_AUDIENCE_NAME_TAKEN');
      throw error;
    }
  }

  async delete(caller: Caller, access: ProjectAccess, workspaceId: string, id: string): Promise<void> {
    const existing = await this.get(access, workspaceId, id);
    const campaigns = (await this.#usage?.usedBy(access.scope, id)) ?? [];
    if (campaigns.length > 0)
      throw new TouchpointError(
        'TP_ERR_AUDIENCE_IN_USE',
        { campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, state: c.state })) },
        {
          message: `Campaigns use this audience: ${campaigns.map((c) => `${c.name} (${c.state})`).join(', ')}; stop them or choose another audience first.`,
        },
      );
    await this.#store.transaction(async (tx) => {
      await tx.audiences.delete(access.scope, workspaceId, id);
      await this.#audit.record(
        access.scope,
        auditContextOf(caller),
        {
          action: 'audience.deleted',
          target: { type: 'audience', id, label: existing.name },
          details: { workspace_id: workspaceId },
        },
        tx,
      );
    });
  }
}

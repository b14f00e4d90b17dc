import type { PageRequest } from '../../access/paging.ts';
import type { Kysely } from 'kysely';
import type {
  Channel,
  ChannelCategory,
  ChannelKind,
  ChannelSecretsCiphertext,
  ChannelStatus,
  ChannelTestStatus,
  WebhookConfig,
} from '../../channels/model.ts';
import type { ProjectScope } from '../../access/scope.ts';
import { fromJson } from '../json.ts';
import type { Database } from '../schema.ts';
import { nameKey } from './projects-repository.ts';
import { scoped } from './scoped.ts';

export interface NewChannel {
  readonly id: string;
  readonly kind: ChannelKind;
  readonly name: string;
  readonly category: ChannelCategory;
  readonly description: string | null;
  readonly appId: string | null;
  readonly config: WebhookConfig;
  readonly secrets: ChannelSecretsCiphertext;
}

export interface ChannelPatch {
  readonly name?: string;
  readonly category?: ChannelCategory;
  readonly description?: string | null;
  readonly appId?: string | null;
  readonly config?: WebhookConfig;
  readonly status?: ChannelStatus;
  readonly testStatus?: ChannelTestStatus;
  readonly testedAt?: number | null;
  readonly secrets?: Partial<ChannelSecretsCiphertext>;
}

export interface UsageGrant {
  readonly accountId: string;
  readonly grantedBy: string;
  readonly createdAt: number;
}

/** Reach channels, their workspace authorizations, and the usage grants that name them. */
export interface ChannelsRepository {
  /** Not deleted, oldest first; `after` is `[createdAt, id]`. */
  list(
    scope: ProjectScope,
    filter: { status?: ChannelStatus; workspaceId?: string },
    page: PageRequest,
  ): Promise<Channel[]>;
  get(scope: ProjectScope, id: string): Promise<Channel | undefined>;
  /** Throws the database's unique violation when the name (ignoring case) is taken. */
  create(scope: ProjectScope, row: NewChannel): Promise<void>;
  /** Applies the patch to a channel that is not deleted; false when there is none. */
  update(scope: ProjectScope, id: string, patch: ChannelPatch): Promise<boolean>;
  /** Marks the channel deleted, drops its secrets, authorizations and usage grants, frees its name. */
  delete(scope: ProjectScope, id: string, at: number): Promise<boolean>;
  authorize(scope: ProjectScope, channelId: string, workspaceId: string, by: string): Promise<void>;
  deauthorize(scope: ProjectScope, channelId: string, workspaceId: string): Promise<boolean>;
  listGrants(scope: ProjectScope, channelId: string): Promise<UsageGrant[]>;
}

export function channelsRepository(db: Kysely<Database>): ChannelsRepository {
  const q = (scope: ProjectScope) => scoped(db, scope);

  type Row = Database['channels'];
  const toChannel = (r: Row, workspaceIds: readonly string[]): Channel => ({
    id: r.id,
    projectId: Number(r.project_id),
    kind: r.kind as ChannelKind,
    name: r.name,
    category: r.category as ChannelCategory,
    description: r.description,
    appId: r.app_id,
    status: r.status as ChannelStatus,
    testStatus: r.test_status as ChannelTestStatus,
    testedAt: r.tested_at === null ? null : Number(r.tested_at),
    config: fromJson<WebhookConfig>(r.config),
    secrets: {
      token: r.token_secret,
      v2Key: r.v2_key,
      v2PreviousKey: r.v2_previous_key,
      v2PreviousUntil: r.v2_previous_until === null ? null : Number(r.v2_previous_until),
    },
    workspaceIds,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });

  async function withWorkspaces(scope: ProjectScope, rows: Row[]): Promise<Channel[]> {
    if (rows.length === 0) return [];
    const links = await q(scope)
      .selectFrom('channel_workspaces')
      .select(['channel_id', 'workspace_id'])
      .where('project_id', '=', scope.projectId)
      .where(
        'channel_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('created_at')
      .orderBy('workspace_id')
      .execute();
    const byChannel = new Map<string, string[]>();
    for (const link of links) {
      const list = byChannel.get(link.channel_id) ?? [];
      list.push(link.workspace_id);
      byChannel.set(link.channel_id, list);
    }
    return rows.map((r) => toChannel(r, byChannel.get(r.id) ?? []));
  }

  return {
    async list(scope, filter, page) {
      let query = q(scope)
        .selectFrom('channels')
        .selectAll('channels')
        .where('channels.project_id', '=', scope.projectId)
        .where('channels.deleted_at', 'is', null);
      if (filter.status) query = query.where('channels.status', '=', filter.status);
      if (filter.workspaceId !== undefined) {
        const workspaceId = filter.workspaceId;
        query = query.where('channels.id', 'in', (eb) =>
          eb
            .selectFrom('channel_workspaces')
            .select('channel_id')
            .where('project_id', '=', scope.projectId)
            .where('workspace_id', '=', workspaceId),
        );
      }
      if (page.after) {
        const [createdAt, id] = page.after;
        query = query.where((eb) =>
          eb.or([
            eb('channels.created_at', '>', Number(createdAt)),
            eb.and([eb('channels.created_at', '=', Number(createdAt)), eb('channels.id', '>', String(id))]),
          ]),
        );
      }
      const rows = await query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
      return withWorkspaces(scope, rows);
    },
    async get(scope, id) {
      const row = await q(scope)
        .selectFrom('channels')
        .selectAll()
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return row ? (await withWorkspaces(scope, [row]))[0] : undefined;
    },
    async create(scope, c) {
      const now = Date.now();
      await q(scope)
        .insertInto('channels')
        .values({
          id: c.id,
          project_id: scope.projectId,
          kind: c.kind,
          name: c.name,
          name_key: nameKey(c.name),
          category: c.category,
          description: c.description,
          app_id: c.appId,
          status: 'enabled',
          test_status: 'untested',
          tested_at: null,
          config: JSON.stringify(c.config),
          token_secret: c.secrets.token,
          v2_key: c.secrets.v2Key,
          v2_previous_key: c.secrets.v2PreviousKey,
          v2_previous_until: c.secrets.v2PreviousUntil,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        })
        .execute();
    },
    async update(scope, id, patch) {
      const s = patch.secrets ?? {};
      const result = await q(scope)
        .updateTable('channels')
        .set({
          ...(patch.name !== undefined ? { name: patch.name, name_key: nameKey(patch.name) } : {}),
          ...(patch.category !== undefined ? { category: patch.category } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.appId !== undefined ? { app_id: patch.appId } : {}),
          ...(patch.config !== undefined ? { config: JSON.stringify(patch.config) } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.testStatus !== undefined ? { test_status: patch.testStatus } : {}),
          ...(patch.testedAt !== undefined ? { tested_at: patch.testedAt } : {}),
          ...(s.token !== undefined ? { token_secret: s.token } : {}),
          ...(s.v2Key !== undefined ? { v2_key: s.v2Key } : {}),
          ...(s.v2PreviousKey !== undefined ? { v2_previous_key: s.v2PreviousKey } : {}),
          ...(s.v2PreviousUntil !== undefined ? { v2_previous_until: s.v2PreviousUntil } : {}),
          updated_at: Date.now(),
        })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(scope, id, at) {
      const result = await q(scope)
        .updateTable('channels')
        .set({
          deleted_at: at,
          updated_at: at,
          name_key: null,
          token_secret: null,
          v2_key: null,
          v2_previous_key: null,
          v2_previous_until: null,
        })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      await q(scope)
        .deleteFrom('channel_workspaces')
        .where('project_id', '=', scope.projectId)
        .where('channel_id', '=', id)
        .execute();
      await q(scope)
        .deleteFrom('usage_grants')
        .where('project_id', '=', scope.projectId)
        .where('channel_id', '=', id)
        .execute();
      return Number(result.numUpdatedRows) > 0;
    },
    async authorize(scope, channelId, workspaceId, by) {
      await q(scope)
        .insertInto('channel_workspaces')
        .values({
          project_id: scope.projectId,
          channel_id: channelId,
          workspace_id: workspaceId,
          authorized_by: by,
          created_at: Date.now(),
        })
        .onConflict((oc) => oc.columns(['channel_id', 'workspace_id']).doNothing())
        .execute();
    },
    async deauthorize(scope, channelId, workspaceId) {
      const result = await q(scope)
        .deleteFrom('channel_workspaces')
        .where('project_id', '=', scope.projectId)
        .where('channel_id', '=', channelId)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listGrants(scope, channelId) {
      const rows = await q(scope)
        .selectFrom('usage_grants')
        .select(['account_id', 'granted_by', 'created_at'])
        .where('project_id', '=', scope.projectId)
        .where('channel_id', '=', channelId)
        .orderBy('created_at')
        .orderBy('account_id')
        .execute();
      return rows.map((r) => ({
        accountId: r.account_id,
        grantedBy: r.granted_by,
        createdAt: Number(r.created_at),
      }));
    },
  };
}

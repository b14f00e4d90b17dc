import type { Kysely } from 'kysely';
import type { Invitation, Role } from '../../tenancy/model.ts';
import type { ProjectScope, Scope, SystemScope } from '../../access/scope.ts';
import type { Database } from '../schema.ts';
import { scoped } from './scoped.ts';

/** Invitations to join a project; only the SHA-256 of an invitation's link token is stored. */
export interface InvitationsRepository {
  create(
    scope: ProjectScope,
    invitation: {
      id: string;
      email: string;
      name: string | null;
      role: Role;
      workspaceIds: readonly string[];
      tokenHash: string;
      invitedBy: string;
      expiresAt: number;
    },
  ): Promise<Invitation>;
  /** Neither accepted, revoked nor expired at `now`; newest first. */
  listPending(scope: ProjectScope, now: number): Promise<Invitation[]>;
  get(scope: ProjectScope, id: string): Promise<Invitation | undefined>;
  /** Revokes a pending invitation; false when it was not pending. */
  revoke(scope: ProjectScope, id: string, now: number): Promise<boolean>;
  /** Redemption: any project's invitation by its token hash, whatever its state. */
  findByTokenHash(scope: SystemScope, tokenHash: string): Promise<Invitation | undefined>;
  /** Marks a still pending invitation accepted; false when it was not pending (used once only). */
  markAccepted(scope: ProjectScope, id: string, now: number): Promise<boolean>;
}

interface Row {
  id: string;
  project_id: number;
  email: string;
  name: string | null;
  role: string;
  workspace_ids: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
  inviter_email: string;
}

function toInvitation(row: Row): Invitation {
  return {
    id: row.id,
    projectId: Number(row.project_id),
    email: row.email,
    name: row.name,
    role: row.role as Role,
    workspaceIds: JSON.parse(row.workspace_ids) as string[],
    invitedBy: { accountId: row.invited_by, email: row.inviter_email },
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export function invitationsRepository(db: Kysely<Database>): InvitationsRepository {
  const select = (scope: Scope) =>
    scoped(db, scope)
      .selectFrom('invitations')
      .innerJoin('accounts', 'accounts.id', 'invitations.invited_by')
      .select([
        'invitations.id',
        'invitations.project_id',
        'invitations.email',
        'invitations.name',
        'invitations.role',
        'invitations.workspace_ids',
        'invitations.invited_by',
        'invitations.created_at',
        'invitations.expires_at',
        'invitations.accepted_at',
        'invitations.revoked_at',
        'accounts.email as inviter_email',
      ]);
  return {
    async create(scope, i) {
      await scoped(db, scope)
        .insertInto('invitations')
        .values({
          id: i.id,
          project_id: scope.projectId,
          email: i.email,
          name: i.name,
          role: i.role,
          workspace_ids: JSON.stringify(i.workspaceIds),
          token_hash: i.tokenHash,
          invited_by: i.invitedBy,
          created_at: Date.now(),
          expires_at: i.expiresAt,
          accepted_at: null,
          revoked_at: null,
        })
        .execute();
      const invitation = await this.get(scope, i.id);
      if (!invitation) throw new Error('invitation vanished after insert');
      return invitation;
    },
    async listPending(scope, now) {
      const rows = await select(scope)
        .where('invitations.project_id', '=', scope.projectId)
        .where('invitations.accepted_at', 'is', null)
        .where('invitations.revoked_at', 'is', null)
        .where('invitations.expires_at', '>', now)
        .orderBy('invitations.created_at', 'desc')
        .orderBy('invitations.id', 'desc')
        .execute();
      return rows.map(toInvitation);
    },
    async get(scope, id) {
      const row = await select(scope)
        .where('invitations.project_id', '=', scope.projectId)
        .where('invitations.id', '=', id)
        .executeTakeFirst();
      return row && toInvitation(row);
    },
    async revoke(scope, id, now) {
      const result = await scoped(db, scope)
        .updateTable('invitations')
        .set({ revoked_at: now })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async findByTokenHash(scope, tokenHash) {
      const row = await select(scope).where('invitations.token_hash', '=', tokenHash).executeTakeFirst();
      return row && toInvitation(row);
    },
    async markAccepted(scope, id, now) {
      const result = await scoped(db, scope)
        .updateTable('invitations')
        .set({ accepted_at: now })
        .where('project_id', '=', scope.projectId)
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

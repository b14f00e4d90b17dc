import type { AuditLog } from '../access/audit-log.ts';
import type { AuditContext } from '../access/caller.ts';
import { projectScope, systemScope } from '../access/scope.ts';
import { TouchpointError } from '../errors.ts';
import type { Repositories } from '../store/store.ts';
import { hashSecret } from './credentials.ts';
import type { Account, Invitation, Member } from './model.ts';
import { roleHasWorkspaces } from './roles.ts';

/**
 * A pending invitation by its link token; 404-like `TP_ERR_TENANCY_INVITATION_INVALID` when
 * unknown, accepted, revoked or expired. Both the accept route and the set-password flow redeem.
 */
export async function pendingInvitation(repos: Repositories, token: string): Promise<Invitation> {
  const scope = systemScope('invitation redemption by its link token');
  const invitation = await repos.invitations.findByTokenHash(scope, hashSecret(token));
  const now = Date.now();
  if (
    !invitation ||
    invitation.acceptedAt !== null ||
    invitation.revokedAt !== null ||
    invitation.expiresAt <= now
  )
    throw new TouchpointError('TP_ERR_TENANCY_INVITATION_INVALID');
  return invitation;
}

/** Turns an accepted invitation into a membership (workspaces deleted meanwhile are left out). */
export async function joinByInvitation(
  tx: Repositories,
  audit: AuditLog,
  invitation: Invitation,
  account: Account,
  ctx: AuditContext,
): Promise<Member> {
  const scope = projectScope(invitation.projectId);
  if (await tx.members.get(scope, account.id))
    throw new TouchpointError('TP_ERR_TENANCY_MEMBER_EXISTS', { email: account.email });
  const known = new Set((await tx.projects.listWorkspaces(scope)).map((w) => w.id));
  const workspaceIds = invitation.workspaceIds.filter((id) => known.has(id));
  if (
    (roleHasWorkspaces(invitation.role) && workspaceIds.length === 0) ||
    !(await tx.invitations.markAccepted(scope, invitation.id, Date.now()))
  )
    throw new TouchpointError('TP_ERR_TENANCY_INVITATION_INVALID');
  const member = await tx.members.put(scope, account.id, invitation.role, workspaceIds);
  await audit.record(
    scope,
    ctx,
    {
      action: 'member.added',
      target: { type: 'account', id: account.id, label: account.email },
      details: {
        role: member.role,
        workspace_ids: member.workspaceIds,
        invitation_id: invitation.id,
        invited_by: invitation.invitedBy.email,
      },
    },
    tx,
  );
  return member;
}

import type { Role } from './model.ts';
import { permissions, type Permission } from '../access/permissions.ts';

const workspaceAdminExcluded: readonly Permission[] = [
  'project.manage',
  'source.manage',
  'source.secret.reveal',
  'reach.webhook.manage',
];

/**
 * The role matrix of SPEC §1. `workspace_admin` acts only within its workspaces; an operator's
 * `reach.webhook.use` also needs a per-channel usage grant (checked where a channel is used).
 */
export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  project_admin: permissions,
  workspace_admin: permissions.filter((p) => !workspaceAdminExcluded.includes(p)),
  operator: ['audience.manage', 'campaign.edit', 'campaign.operate', 'delivery.replay', 'reach.webhook.use'],
  viewer: [],
};

/** Roles whose members list the workspaces they belong to (project admins see all). */
export function roleHasWorkspaces(role: Role): boolean {
  return role !== 'project_admin';
}

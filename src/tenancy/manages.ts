import type { ProjectAccess } from '../access/caller.ts';
import type { Member } from './model.ts';

/** Whether the caller may change this member: project admins any, workspace admins within theirs. */
export function manages(access: ProjectAccess, member: Pick<Member, 'role' | 'workspaceIds'>): boolean {
  if (access.workspaceIds === 'all') return true;
  const own = access.workspaceIds;
  return member.role !== 'project_admin' && member.workspaceIds.every((w) => own.includes(w));
}

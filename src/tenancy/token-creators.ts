import type { Caller, ProjectAccess } from '../access/caller.ts';
import type { Repositories } from '../store/store.ts';
import { manages } from './manages.ts';

/**
 * Whose tokens the caller sees and may revoke: its own, and with `token.manage` those of the
 * members it manages (a workspace admin never sees a project admin's). `all` for project admins.
 * The token list, token revocation and the audit log's redaction all follow it.
 */
export async function tokenCreators(
  caller: Caller,
  access: ProjectAccess,
  repos: Repositories,
): Promise<'all' | string[]> {
  if (!access.permissions.has('token.manage')) return [caller.account.id];
  if (access.workspaceIds === 'all') return 'all';
  const members = await repos.members.list(access.scope, { limit: 100_000 });
  return [caller.account.id, ...members.filter((m) => manages(access, m)).map((m) => m.accountId)];
}

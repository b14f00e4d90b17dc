import type { Caller } from '../access/caller.ts';
import { systemScope } from '../access/scope.ts';
import type { Repositories } from '../store/store.ts';
import type { MembershipSummary } from './model.ts';

/** The caller's memberships; an API token sees only the project it acts in. */
export async function callerMemberships(repos: Repositories, caller: Caller): Promise<MembershipSummary[]> {
  const memberships = await repos.projects.membershipsOf(
    systemScope("the caller's own memberships"),
    caller.account.id,
  );
  if (caller.via.kind !== 'token') return memberships;
  const projectId = caller.via.token.projectId;
  return memberships.filter((m) => m.projectId === projectId);
}

import type { Kysely } from 'kysely';
import type { Scope } from '../../access/scope.ts';
import type { Database } from '../schema.ts';
import { TenantGuardPlugin } from '../tenant-guard.ts';

/** The handle a repository call may use: project-scoped ones refuse unscoped tenant SQL. */
export function scoped(db: Kysely<Database>, scope: Scope): Kysely<Database> {
  return scope.kind === 'project' ? db.withPlugin(new TenantGuardPlugin(scope.projectId)) : db;
}

export const bool = (value: boolean | number): boolean => value === true || value === 1;

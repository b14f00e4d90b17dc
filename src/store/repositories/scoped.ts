import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Scope } from '../../access/scope.ts';
import type { Database } from '../schema.ts';
import { TenantGuardPlugin } from '../tenant-guard.ts';

/** The handle a repository call may use: project-scoped ones refuse unscoped tenant SQL. */
export function scoped(db: Kysely<Database>, scope: Scope): Kysely<Database> {
  return scope.kind === 'project' ? db.withPlugin(new TenantGuardPlugin(scope.projectId)) : db;
}

export const bool = (value: boolean | number): boolean => value === true || value === 1;

/**
 * The keyset predicate of a newest-first list ordered by `(timeColumn desc, id desc)`: rows after
 * the page key `[time, id]` that the previous page ended on.
 */
export function olderThan(timeColumn: string, after: readonly (string | number)[]): RawBuilder<SqlBool> {
  const [time, id] = after;
  const t = sql.ref(timeColumn);
  return sql<SqlBool>`(${t} < ${Number(time)} OR (${t} = ${Number(time)} AND ${sql.ref('id')} < ${String(id)}))`;
}

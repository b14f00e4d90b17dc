import { sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.ts';
import { runCached } from './cached-statement.ts';

const CHUNK = 500;

/**
 * Runs a lookup of `list` values: with array parameters (PostgreSQL) one statement whose list is
 * one `= ANY(?)` parameter, so its text and plan never change; otherwise `IN (?, …)` statements
 * of up to 500 values. `build(match)` makes the statement with `match` as the list condition's
 * right side; the list's parameters follow `before` and precede nothing.
 */
async function lookupIn<R>(
  db: Kysely<Database>,
  projectId: number,
  arrays: boolean,
  name: string,
  list: readonly string[],
  before: readonly unknown[],
  build: (match: (column: string) => RawBuilder<boolean>) => Compilable,
): Promise<R[]> {
  if (list.length === 0) return [];
  if (arrays) {
    const result = await runCached<R>(
      db,
      projectId,
      `${name}:any`,
      () => build((column) => sql<boolean>`${sql.ref(column)} = ANY(${list})`),
      [...before, list],
      [0],
    );
    return result.rows;
  }
  const found: R[] = [];
  for (let start = 0; start < list.length; start += CHUNK) {
    const chunk = list.slice(start, start + CHUNK);
    const result = await runCached<R>(
      db,
      projectId,
      `${name}:${chunk.length}`,
      () => build((column) => sql<boolean>`${sql.ref(column)} in (${sql.join(chunk.map((v) => sql`${v}`))})`),
      [...before, ...chunk],
      [0],
    );
    found.push(...result.rows);
  }
  return found;
}

/**
 * The owners of many identities at once, for a whole window of the event log: one statement per
 * identity type (and, without array parameters, per chunk of values) on the primary key.
 */
export async function findIdentityOwners(
  db: Kysely<Database>,
  projectId: number,
  byType: ReadonlyMap<string, readonly string[]>,
  arrays: boolean,
): Promise<{ id_type: string; value: string; tp_uid: string }[]> {
  const found: { id_type: string; value: string; tp_uid: string }[] = [];
  for (const [type, values] of byType)
    found.push(
      ...(await lookupIn<{ id_type: string; value: string; tp_uid: string }>(
        db,
        projectId,
        arrays,
        'find-identity-owners',
        values,
        [projectId, type],
        (match) =>
          db
            .selectFrom('profile_identities')
            .select(['id_type', 'value', 'tp_uid'])
            .where('project_id', '=', projectId)
            .where('id_type', '=', type)
            .where(match('value')),
      )),
    );
  return found;
}

/** Every identity of the given profiles (the index `profile_identities_profile`). */
export function identitiesOfProfiles(
  db: Kysely<Database>,
  projectId: number,
  tpUids: readonly string[],
  arrays: boolean,
): Promise<{ id_type: string; value: string; tp_uid: string }[]> {
  return lookupIn(db, projectId, arrays, 'identities-of-profiles', tpUids, [projectId], (match) =>
    db
      .selectFrom('profile_identities')
      .select(['id_type', 'value', 'tp_uid'])
      .where('project_id', '=', projectId)
      .where(match('tp_uid')),
  );
}

export interface ProfileStateRow {
  readonly tp_uid: string;
  readonly properties: string;
  readonly meta: string;
  readonly created_at: number;
  readonly last_event_at: number | null;
  readonly event_count: number;
}

/** The stored state of the given profiles (primary key). */
export function profileStates(
  db: Kysely<Database>,
  projectId: number,
  tpUids: readonly string[],
  arrays: boolean,
): Promise<ProfileStateRow[]> {
  return lookupIn(db, projectId, arrays, 'profile-states', tpUids, [projectId], (match) =>
    db
      .selectFrom('profiles')
      .select(['tp_uid', 'properties', 'meta', 'created_at', 'last_event_at', 'event_count'])
      .where('project_id', '=', projectId)
      .where(match('tp_uid')),
  );
}

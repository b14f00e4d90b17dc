import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { runCached } from './cached-statement.ts';

const CHUNK = 500;

/**
 * The owners of many identities at once, for a whole window of the event log: one statement per
 * identity type and chunk of values (`id_type = ? AND value IN (…)` on the primary key).
 */
export async function findIdentityOwners(
  db: Kysely<Database>,
  projectId: number,
  byType: ReadonlyMap<string, readonly string[]>,
): Promise<{ id_type: string; value: string; tp_uid: string }[]> {
  const found: { id_type: string; value: string; tp_uid: string }[] = [];
  for (const [type, values] of byType) {
    for (let start = 0; start < values.length; start += CHUNK) {
      const chunk = values.slice(start, start + CHUNK);
      const result = await runCached<{ id_type: string; value: string; tp_uid: string }>(
        db,
        projectId,
        `find-identity-owners:${chunk.length}`,
        () =>
          db
            .selectFrom('profile_identities')
            .select(['id_type', 'value', 'tp_uid'])
            .where('project_id', '=', projectId)
            .where('id_type', '=', type)
            .where('value', 'in', chunk),
        [projectId, type, ...chunk],
        [0],
      );
      found.push(...result.rows);
    }
  }
  return found;
}

/** Every identity of the given profiles (the index `profile_identities_profile`). */
export async function identitiesOfProfiles(
  db: Kysely<Database>,
  projectId: number,
  tpUids: readonly string[],
): Promise<{ id_type: string; value: string; tp_uid: string }[]> {
  const found: { id_type: string; value: string; tp_uid: string }[] = [];
  for (let start = 0; start < tpUids.length; start += CHUNK) {
    const chunk = tpUids.slice(start, start + CHUNK);
    const result = await runCached<{ id_type: string; value: string; tp_uid: string }>(
      db,
      projectId,
      `identities-of-profiles:${chunk.length}`,
      () =>
        db
          .selectFrom('profile_identities')
          .select(['id_type', 'value', 'tp_uid'])
          .where('project_id', '=', projectId)
          .where('tp_uid', 'in', chunk),
      [projectId, ...chunk],
      [0],
    );
    found.push(...result.rows);
  }
  return found;
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
export async function profileStates(
  db: Kysely<Database>,
  projectId: number,
  tpUids: readonly string[],
): Promise<ProfileStateRow[]> {
  const found: ProfileStateRow[] = [];
  for (let start = 0; start < tpUids.length; start += CHUNK) {
    const chunk = tpUids.slice(start, start + CHUNK);
    const result = await runCached<ProfileStateRow>(
      db,
      projectId,
      `profile-states:${chunk.length}`,
      () =>
        db
          .selectFrom('profiles')
          .select(['tp_uid', 'properties', 'meta', 'created_at', 'last_event_at', 'event_count'])
          .where('project_id', '=', projectId)
          .where('tp_uid', 'in', chunk),
      [projectId, ...chunk],
      [0],
    );
    found.push(...result.rows);
  }
  return found;
}

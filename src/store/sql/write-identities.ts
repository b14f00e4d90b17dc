import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { runCached } from './cached-statement.ts';

export interface IdentityRow {
  readonly id_type: string;
  readonly value: string;
  readonly tp_uid: string;
  readonly created_at: number;
}

const CHUNK = 300;

/**
 * Attaches identities to profiles, new ones and those a merge moved, with multi-row
 * INSERT … ON CONFLICT DO UPDATE on the identity's key (each key once per statement).
 */
export async function writeIdentities(
  db: Kysely<Database>,
  projectId: number,
  rows: readonly IdentityRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const values = chunk.map((r) => ({ project_id: projectId, ...r }));
    const parameters = values.flatMap((v) => [v.project_id, v.id_type, v.value, v.tp_uid, v.created_at]);
    await runCached(
      db,
      projectId,
      `write-identities:${chunk.length}`,
      () =>
        db
          .insertInto('profile_identities')
          .values(values)
          .onConflict((oc) =>
            oc
              .columns(['project_id', 'id_type', 'value'])
              .doUpdateSet((eb) => ({ tp_uid: eb.ref('excluded.tp_uid') })),
          ),
      parameters,
      chunk.map((_, i) => i * 5),
    );
  }
}

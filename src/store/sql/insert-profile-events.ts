import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { runCached } from './cached-statement.ts';

const CHUNK = 500;

/** Records which profile each event of an applied window belongs to (multi-row INSERT). */
export async function insertProfileEvents(
  db: Kysely<Database>,
  projectId: number,
  rows: readonly { tp_uid: string; event_time: number; event_id: number }[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const values = chunk.map((r) => ({ project_id: projectId, ...r }));
    const parameters = values.flatMap((v) => [v.project_id, v.tp_uid, v.event_time, v.event_id]);
    await runCached(
      db,
      projectId,
      `insert-profile-events:${chunk.length}`,
      () => db.insertInto('profile_events').values(values),
      parameters,
      chunk.map((_, i) => i * 4),
    );
  }
}

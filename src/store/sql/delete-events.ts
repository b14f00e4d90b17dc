import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

const CHUNK = 500;
const EMPTY = '{}';

/**
 * Deletes events of one project by id (erasure). The project's newest event is blanked instead
 * of deleted when it is among them: SQLite gives a new row `max(id) + 1`, so deleting the
 * highest rows would hand their ids out again, below the profile applier's cursor, and those
 * events would never be applied. The project's newest row is the table's newest whenever that
 * matters, so keeping it keeps ids ascending. The blanked row keeps only times, source and type.
 */
export async function deleteEvents(
  db: Kysely<Database>,
  projectId: number,
  ids: readonly number[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const top = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  const newest = top?.id === null || top?.id === undefined ? undefined : Number(top.id);
  const keep = newest !== undefined && ids.includes(newest) ? newest : undefined;
  const doomed = ids.filter((id) => id !== keep);
  let deleted = 0;
  for (let start = 0; start < doomed.length; start += CHUNK) {
    const result = await db
      .deleteFrom('events')
      .where('project_id', '=', projectId)
      .where('id', 'in', doomed.slice(start, start + CHUNK))
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
  if (keep !== undefined) {
    await db
      .updateTable('events')
      .set({
        message_id: `erased-${keep}`,
        event_name: null,
        user_id: null,
        anonymous_id: null,
        account_id: null,
        distinct_id: null,
        previous_id: null,
        group_id: null,
        identities: EMPTY,
        properties: EMPTY,
        traits: EMPTY,
        context: EMPTY,
        extra: EMPTY,
        receipt_properties: null,
        ops_request_id: null,
        tp_uid: null,
      })
      .where('project_id', '=', projectId)
      .where('id', '=', keep)
      .execute();
    deleted++;
  }
  return deleted;
}

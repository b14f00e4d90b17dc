import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

const CHUNK = 200;

/**
 * After a window's merges: events applied in earlier windows to a merged-away profile, and
 * profiles that had been merged into it, now belong to its survivor. One UPDATE … CASE per table
 * and chunk of losers (merges are a few per cent of events).
 */
export async function moveMergedProfiles(
  db: Kysely<Database>,
  projectId: number,
  survivorOf: ReadonlyMap<string, string>,
  at: number,
): Promise<void> {
  const losers = [...survivorOf.keys()];
  for (let start = 0; start < losers.length; start += CHUNK) {
    const chunk = losers.slice(start, start + CHUNK);
    await db
      .updateTable('profile_events')
      .set((eb) => {
        const [first, ...rest] = chunk as [string, ...string[]];
        let built = eb
          .case('tp_uid')
          .when(first)
          .then(survivorOf.get(first) as string);
        for (const loser of rest) built = built.when(loser).then(survivorOf.get(loser) as string);
        return { tp_uid: built.else(eb.ref('tp_uid')).end() };
      })
      .where('project_id', '=', projectId)
      .where('tp_uid', 'in', chunk)
      .execute();
    await db
      .updateTable('profiles')
      .set((eb) => {
        const [first, ...rest] = chunk as [string, ...string[]];
        let built = eb
          .case('merged_into')
          .when(first)
          .then(survivorOf.get(first) as string);
        for (const loser of rest) built = built.when(loser).then(survivorOf.get(loser) as string);
        return { merged_into: built.else(eb.ref('merged_into')).end(), updated_at: at };
      })
      .where('project_id', '=', projectId)
      .where('merged_into', 'in', chunk)
      .execute();
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Instance-wide key/value settings (not tenant data): the master key check, instance flags. */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  /** Writes the value; with `onlyIfAbsent`, keeps an existing one and answers whether it wrote. */
  set(key: string, value: string, options?: { onlyIfAbsent?: boolean }): Promise<boolean>;
}

export function settingsRepository(db: Kysely<Database>): SettingsRepository {
  return {
    async get(key) {
      const row = await db
        .selectFrom('instance_settings')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },
    async set(key, value, options) {
      const now = Date.now();
      const insert = db.insertInto('instance_settings').values({ key, value, updated_at: now });
      const result = options?.onlyIfAbsent
        ? await insert.onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst()
        : await insert
            .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
            .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}

import type { Transaction } from 'kysely';
import type { ColumnTypes } from '../column-types.ts';

/** What a migration may use: the transaction it runs in and the per-database column types. */
export interface MigrationContext {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Transaction<any>;
  readonly types: ColumnTypes;
  readonly serialPrimaryKey: 'bigserial' | 'integer';
}

/**
 * One schema step. Migrations are ordered by `id`, run once each, and never edited after they
 * land (test/store/migrations.test.ts holds their checksums): change the schema with a new one.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  up(ctx: MigrationContext): Promise<void>;
}

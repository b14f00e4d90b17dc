import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { ColumnTypes } from './column-types.ts';
import type { JsonSql } from './json-sql.ts';
import type { StoreCapabilities } from './store-capabilities.ts';

/**
 * What each dialect (src/store/dialects/{sqlite,postgres}/) hands the rest of the store: the
 * Kysely instance, whose driver already translates failures into the typed errors of
 * store-errors.ts, and what differs between databases as flags and small SQL fragments.
 */
export interface DialectHandle {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly capabilities: StoreCapabilities;
  readonly types: ColumnTypes;
  /** A human description without credentials, e.g. `sqlite /data/touchpoint.db`. */
  readonly description: string;
  /** Reading keys of JSON documents (audience conditions). */
  readonly json: JsonSql;
  /** Current time in epoch milliseconds, evaluated by the database (shared clock for leases). */
  nowMs(): RawBuilder<number>;
  /** Serializes concurrent migrators (inside the migration transaction). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  lockForMigration(trx: Transaction<any>): Promise<void>;
  /**
   * Serializes transactions that take the same key, across processes, until the transaction
   * ends (PostgreSQL advisory lock; SQLite's single writer already serializes).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transactionLock(trx: Kysely<any>, key: string): Promise<void>;
  /**
   * The highest event id below which no transaction can still commit an event: every event with
   * an id up to it is visible now or never will be (issue 14). The profile applier applies up to
   * it, so its cursor never passes an event still being committed. SQLite's single writer commits
   * in id order (no limit); PostgreSQL takes `LOCK TABLE events IN SHARE MODE` for a moment,
   * which waits for the inserts in flight, and reads max(id). Called outside a transaction.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  committedEventHorizon(db: Kysely<any>): Promise<number>;
  /**
   * A transaction whose commit does not wait for the disk (SQLite: `synchronous = NORMAL` around
   * it, on the one connection; PostgreSQL: `SET LOCAL synchronous_commit = off`). A crash of the
   * machine or the database server may lose the latest such commits, never corrupt anything, and
   * a later ordinary commit makes them durable too (the log is sequential). Decision 94.
   */
  relaxedTransaction<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /** Adds an auto-increment integer primary key column named `id`. */
  serialPrimaryKey: 'bigserial' | 'integer';
  /** Files holding the data, for backup and the secrets-at-rest tests (SQLite only). */
  readonly files: readonly string[];
  /** Closes the database; every later call fails with StoreUnavailableError. */
  destroy(): Promise<void>;
}

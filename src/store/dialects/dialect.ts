import type { Kysely, RawBuilder, Transaction } from 'kysely';

/**
 * What differs between the databases, as flags and small SQL fragments. Code outside
 * `src/store/dialects/` reads these instead of asking which database it is on.
 */
export interface StoreCapabilities {
  /** `FOR UPDATE SKIP LOCKED` exists, so several workers can claim rows concurrently. */
  readonly skipLocked: boolean;
  /** One writer at a time for the whole database (SQLite): batch writes, keep transactions short. */
  readonly singleWriter: boolean;
  /** LISTEN/NOTIFY is available for cross-process wake-ups; otherwise poll. */
  readonly listenNotify: boolean;
  /** Several processes on several machines may share this database. */
  readonly sharedAcrossMachines: boolean;
}

/** Column types used by migrations, chosen per database. */
export interface ColumnTypes {
  /** JSON document: `jsonb` or `text`. Read it back with `fromJson`. */
  readonly json: 'jsonb' | 'text';
}

/** One opened database: the Kysely instance and what the rest of the store needs to know. */
export interface DialectHandle {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly capabilities: StoreCapabilities;
  readonly types: ColumnTypes;
  /** A human description without credentials, e.g. `sqlite /data/touchpoint.db`. */
  readonly description: string;
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
  /** Adds an auto-increment integer primary key column named `id`. */
  serialPrimaryKey: 'bigserial' | 'integer';
  /** Files holding the data, for backup and the secrets-at-rest tests (SQLite only). */
  readonly files: readonly string[];
  destroy(): Promise<void>;
}

/** Reads a JSON column whichever way the driver returned it. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import type { DialectHandle } from '../dialect.ts';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';

export interface SqliteOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Caps the database file at this many pages (0: no cap) — a quota, and the disk-full test. */
  readonly maxPageCount?: number;
}

/** Opens (creating if needed) a SQLite database in WAL mode with full fsync on commit. */
export function openSqlite(options: SqliteOptions): DialectHandle {
  mkdirSync(dirname(options.path), { recursive: true });
  const database = new DatabaseSync(options.path, { timeout: options.busyTimeoutMs });
  // synchronous=FULL: an acknowledged commit survives power loss (RELIABILITY decision 1).
  database.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA foreign_keys = ON;
    PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs)};
    PRAGMA cache_size = -65536;
    PRAGMA temp_store = MEMORY;
  `);
  if (options.maxPageCount) database.exec(`PRAGMA max_page_count = ${Math.trunc(options.maxPageCount)};`);
  const db = new Kysely({
    dialect: new NodeSqliteDialect(database, {
      connectionWaitMs: Math.max(30_000, options.busyTimeoutMs * 3),
    }),
  });
  return {
    db,
    capabilities: { skipLocked: false, singleWriter: true, listenNotify: false, sharedAcrossMachines: false },
    types: { json: 'text' },
    serialPrimaryKey: 'integer',
    description: `sqlite ${options.path}`,
    files: [options.path, `${options.path}-wal`, `${options.path}-shm`],
    nowMs: () => sql<number>`CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`,
    lockForMigration: async () => {
      // BEGIN IMMEDIATE already holds the database's single write lock.
    },
    transactionLock: async () => {
      // BEGIN IMMEDIATE holds the single write lock for the whole transaction.
    },
    destroy: () => db.destroy(),
  };
}

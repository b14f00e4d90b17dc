import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import type { DialectHandle } from '../../dialect-handle.ts';
import { TranslatingDialect } from '../translating-dialect.ts';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';
import { translateSqliteError } from './translate-sqlite-error.ts';
import { sqliteJsonSql } from './sqlite-json-sql.ts';

export interface SqliteOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  /** Caps the database file at this many pages (0: no cap) — a quota, and the disk-full test. */
  readonly maxPageCount?: number;
}

/** Opens (creating if needed) a SQLite database in WAL mode with full fsync on commit. */
export function openSqlite(options: SqliteOptions): DialectHandle {
  // Owner-only: the database holds personal data and encrypted secrets. The folder is made 0700
  // when we create it; the file is created 0600 before SQLite opens it, and SQLite gives the
  // -wal and -shm files the mode of the database file.
  mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
  closeSync(openSync(options.path, 'a', 0o600));
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
  const dialect = new TranslatingDialect(
    new NodeSqliteDialect(database, { connectionWaitMs: Math.max(30_000, options.busyTimeoutMs * 3) }),
    translateSqliteError,
  );
  const db = new Kysely({ dialect });
  return {
    db,
    capabilities: {
      skipLocked: false,
      singleWriter: true,
      listenNotify: false,
      sharedAcrossMachines: false,
      arrayParameters: false,
    },
    types: { json: 'text' },
    serialPrimaryKey: 'integer',
    description: `sqlite ${options.path}`,
    files: [options.path, `${options.path}-wal`, `${options.path}-shm`],
    json: sqliteJsonSql,
    nowMs: () => sql<number>`CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)`,
    lockForMigration: async () => {
      // BEGIN IMMEDIATE already holds the database's single write lock.
    },
    transactionLock: async () => {
      // BEGIN IMMEDIATE holds the single write lock for the whole transaction.
    },
    relaxedTransaction: (root, fn) =>
      // The safety level can change only outside a transaction: hold the one connection for both.
      root.connection().execute(async (conn) => {
        await sql`PRAGMA synchronous = NORMAL`.execute(conn);
        try {
          return await conn.transaction().execute(fn);
        } finally {
          await sql`PRAGMA synchronous = FULL`.execute(conn);
        }
      }),
    // One writer at a time: an event is visible only once committed, and ids grow in commit order.
    committedEventHorizon: async () => Number.MAX_SAFE_INTEGER,
    destroy: () => dialect.close(),
  };
}

import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../../../config/load-config.ts';
import type { DialectHandle } from '../../dialect-handle.ts';
import { TranslatingDialect } from '../translating-dialect.ts';
import { translatePostgresError } from './translate-postgres-error.ts';
import { postgresJsonSql } from './postgres-json-sql.ts';

export interface PostgresOptions {
  readonly url: string;
  readonly poolMax: number;
  /** Schema for every table (search_path); created when missing. */
  readonly schema?: string;
}

// int8 and numeric counts come back as numbers: every bigint we store (epoch ms, counters) fits
// in 2^53. Parsed per pool, not globally.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** Opens a pooled PostgreSQL connection; fails fast when the server is unreachable. */
export async function openPostgres(options: PostgresOptions): Promise<DialectHandle> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: 5000,
    options: `-c search_path=${schema}`,
    types,
  });
  // A broken connection must not crash the process: an idle one is dropped by the pool, and a
  // checked-out one fails the query it is running (which callers turn into 503); without a
  // listener, pg would also raise the client's 'error' event as an uncaught exception.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const client = await pool.connect();
    try {
      if (schema !== 'public') await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(options.url)} (${reason})`, {
      cause: error,
    });
  }
  const dialect = new TranslatingDialect(new PostgresDialect({ pool }), translatePostgresError);
  const db = new Kysely({ dialect });
  return {
    db,
    capabilities: {
      skipLocked: true,
      singleWriter: false,
      listenNotify: true,
      sharedAcrossMachines: true,
      arrayParameters: true,
    },
    types: { json: 'jsonb' },
    serialPrimaryKey: 'bigserial',
    description: `postgres ${redactUrl(options.url)}${schema === 'public' ? '' : ` schema ${schema}`}`,
    files: [],
    json: postgresJsonSql,
    nowMs: () => sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`,
    lockForMigration: async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(7316250)`.execute(trx);
    },
    transactionLock: async (trx, key) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
    },
    relaxedTransaction: (root, fn) =>
      root.transaction().execute(async (trx) => {
        await sql`SET LOCAL synchronous_commit = off`.execute(trx);
        return fn(trx);
      }),
    committedEventHorizon: (root) =>
      root.transaction().execute(async (trx) => {
        // SHARE conflicts with the ROW EXCLUSIVE lock every insert holds until it commits: once
        // granted, no transaction that took an event id is still open. Held for one statement.
        await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
        await sql`LOCK TABLE events IN SHARE MODE`.execute(trx);
        const row = await sql<{ max: string | number | null }>`SELECT max(id) AS max FROM events`.execute(
          trx,
        );
        return Number(row.rows[0]?.max ?? 0);
      }),
    destroy: () => dialect.close(),
  };
}

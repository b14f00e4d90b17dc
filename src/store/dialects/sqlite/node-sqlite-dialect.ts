import type { DatabaseSync } from 'node:sqlite';
import { type StatementSync, type SQLInputValue } from 'node:sqlite';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import { StoreBusyError } from '../../store-errors.ts';

/**
 * Kysely dialect over Node's built-in `node:sqlite`. One connection per process, guarded by a
 * mutex so a transaction's statements never interleave with other queries; every transaction
 * starts with `BEGIN IMMEDIATE`, taking the write lock up front — a deferred `BEGIN` fails with
 * SQLITE_BUSY_SNAPSHOT when another process (the CLI, a second server) wrote in between.
 */
export class NodeSqliteDialect implements Dialect {
  readonly #database: DatabaseSync;
  readonly #waitLimitMs: number;
  constructor(database: DatabaseSync, options: { connectionWaitMs: number }) {
    this.#database = database;
    this.#waitLimitMs = options.connectionWaitMs;
  }
  createDriver(): Driver {
    return new NodeSqliteDriver(this.#database, this.#waitLimitMs);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/**
 * Kysely guards a single-connection adapter with its own mutex, which it never releases when
 * acquiring the connection fails (a wait timeout, a closed store): every later query would then
 * hang. The driver below has its own mutex with a wait limit, so Kysely's is turned off.
 */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

class NodeSqliteDriver implements Driver {
  readonly #connection: NodeSqliteConnection;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  readonly #database: DatabaseSync;

  readonly #waitLimitMs: number;

  constructor(database: DatabaseSync, waitLimitMs: number) {
    this.#database = database;
    this.#connection = new NodeSqliteConnection(database);
    this.#waitLimitMs = waitLimitMs;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    // A query issued outside an open transaction while that transaction awaits it would wait
    // forever on this single connection; fail loudly instead of hanging.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreBusyError('timed out waiting for the SQLite connection')),
        this.#waitLimitMs,
      );
    });
    try {
      await Promise.race([previous, timeout]);
    } catch (error) {
      // Keep the queue intact: this waiter's turn is passed on once the previous holder is done.
      void previous.then(release);
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.#release = release;
    return this.#connection;
  }
  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN IMMEDIATE'));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#database.isTransaction) await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }
  async destroy(): Promise<void> {
    if (this.#database.isOpen) this.#database.close();
  }
}

function toSqliteValue(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  return value as SQLInputValue;
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #database: DatabaseSync;
  // Prepared statements are reused: preparing dominates the cost of small queries.
  readonly #statements = new Map<string, StatementSync>();

  constructor(database: DatabaseSync) {
    this.#database = database;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(sql);
      if (this.#statements.size >= 500) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters.map(toSqliteValue);
    if (statement.columns().length > 0) {
      return { rows: statement.all(...parameters) as R[] };
    }
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) throw new Error('node:sqlite streams only select queries');
    const statement = this.#database.prepare(compiledQuery.sql);
    for (const row of statement.iterate(...compiledQuery.parameters.map(toSqliteValue))) {
      yield { rows: [row as R] };
    }
  }
}

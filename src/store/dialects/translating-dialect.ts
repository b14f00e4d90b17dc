import type {
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
  CompiledQuery,
} from 'kysely';
import { isStoreError, StoreUnavailableError } from '../store-errors.ts';

/** Turns one driver error into a typed store error, or returns it unchanged when it is neither. */
export type ErrorTranslator = (error: unknown) => unknown;

/**
 * Wraps a dialect so that every failure of its driver (acquiring a connection, a query, a stream,
 * BEGIN/COMMIT/ROLLBACK) is translated once, where the driver is called, by the dialect's own
 * translator. Errors that are already typed pass through as they are.
 *
 * It also owns closing: after `close()`, every call fails with StoreUnavailableError. (Kysely's
 * own `destroy()` would answer a later query with a plain "driver has already been destroyed"
 * thrown above this wrapper, so the store closes through here instead.)
 */
export class TranslatingDialect implements Dialect {
  readonly #inner: Dialect;
  readonly #translate: ErrorTranslator;
  #driver: TranslatingDriver | undefined;
  constructor(inner: Dialect, translate: ErrorTranslator) {
    this.#inner = inner;
    this.#translate = translate;
  }
  createDriver(): Driver {
    this.#driver = new TranslatingDriver(this.#inner.createDriver(), this.#translate);
    return this.#driver;
  }
  createQueryCompiler(): QueryCompiler {
    return this.#inner.createQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return this.#inner.createAdapter();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.#inner.createIntrospector(db);
  }
  /** Closes the driver (pool, file); later calls fail with StoreUnavailableError. */
  async close(): Promise<void> {
    await this.#driver?.close();
  }
}

class TranslatingDriver implements Driver {
  readonly #inner: Driver;
  readonly #translate: ErrorTranslator;
  readonly #connections = new WeakMap<DatabaseConnection, TranslatingConnection>();
  #initialized = false;
  #closed = false;

  constructor(inner: Driver, translate: ErrorTranslator) {
    this.#inner = inner;
    this.#translate = translate;
  }

  #fail(error: unknown): never {
    throw isStoreError(error) ? error : this.#translate(error);
  }
  #refuseClosed(): void {
    if (this.#closed) throw new StoreUnavailableError('the store is closed');
  }

  async init(): Promise<void> {
    this.#refuseClosed();
    try {
      await this.#inner.init();
      this.#initialized = true;
    } catch (error) {
      this.#fail(error);
    }
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    this.#refuseClosed();
    let inner: DatabaseConnection;
    try {
      inner = await this.#inner.acquireConnection();
    } catch (error) {
      this.#fail(error);
    }
    let wrapped = this.#connections.get(inner);
    if (!wrapped) this.#connections.set(inner, (wrapped = new TranslatingConnection(inner, this.#translate)));
    return wrapped;
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(unwrap(connection));
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    try {
      await this.#inner.beginTransaction(unwrap(connection), settings);
    } catch (error) {
      this.#fail(error);
    }
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.commitTransaction(unwrap(connection));
    } catch (error) {
      this.#fail(error);
    }
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.#inner.rollbackTransaction(unwrap(connection));
    } catch (error) {
      this.#fail(error);
    }
  }
  async destroy(): Promise<void> {
    await this.close();
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A driver that was never used may not hold its pool yet (Kysely's PostgresDriver takes it in
    // init): initialize so that destroy releases what the dialect opened.
    if (!this.#initialized) await this.#inner.init();
    await this.#inner.destroy();
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof TranslatingConnection ? connection.inner : connection;
}

class TranslatingConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  readonly #translate: ErrorTranslator;
  constructor(inner: DatabaseConnection, translate: ErrorTranslator) {
    this.inner = inner;
    this.#translate = translate;
  }
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(compiledQuery);
    } catch (error) {
      throw isStoreError(error) ? error : this.#translate(error);
    }
  }
  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw isStoreError(error) ? error : this.#translate(error);
    }
  }
}

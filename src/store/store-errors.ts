/**
 * The database failures domain code may act on, as types. Each dialect translates its driver's
 * errors into these where the driver is called (src/store/dialects/), once per failed query, so
 * no code outside that folder reads an SQLSTATE, an SQLite result code or an error message.
 * The driver's own error stays on `cause` for logs. A failure that is none of these (a syntax
 * error, a foreign key, a check constraint) passes through untranslated: it is a defect or a
 * per-input problem, not something a caller branches on.
 *
 * @example
 *   try {
 *     await store.channels.create(scope, row);
 *   } catch (error) {
 *     if (error instanceof UniqueViolationError) throw new TouchpointError('TP_ERR_CHANNEL_NAME_TAKEN', { name });
 *     throw error;
 *   }
 */

/** A row was refused because it repeats a value a unique constraint or primary key guards. */
export class UniqueViolationError extends Error {
  /** The constraint or index name when the database says it (PostgreSQL), else undefined. */
  readonly constraint: string | undefined;
  /** The guarded columns when the database says them (SQLite always, PostgreSQL from its detail). */
  readonly columns: readonly string[];
  constructor(options: { constraint?: string; columns?: readonly string[]; cause: unknown }) {
    const what = options.constraint ?? options.columns?.join(', ') ?? 'a unique constraint';
    super(`unique constraint violated: ${what}`, { cause: options.cause });
    this.name = 'UniqueViolationError';
    this.constraint = options.constraint;
    this.columns = options.columns ?? [];
  }
}

/**
 * The database cannot answer or commit right now (unreachable, shutting down, out of disk or
 * resources, failing I/O, closed), as opposed to a statement this one input made fail. Nothing
 * of the failed call was committed. Callers answer 503 with Retry-After and may retry later.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The database is up but another writer holds what this call needs past the wait limit (SQLite
 * busy or locked beyond busy_timeout; the one SQLite connection held too long). A kind of
 * unavailable, so `instanceof StoreUnavailableError` covers it; retrying soon usually passes.
 */
export class StoreBusyError extends StoreUnavailableError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StoreBusyError';
  }
}

/** True for the typed errors above: already translated, never translated again. */
export function isStoreError(error: unknown): error is UniqueViolationError | StoreUnavailableError {
  return error instanceof UniqueViolationError || error instanceof StoreUnavailableError;
}

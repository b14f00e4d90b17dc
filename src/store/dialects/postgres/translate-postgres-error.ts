import { StoreUnavailableError, UniqueViolationError } from '../../store-errors.ts';

// Node socket errors: the server is unreachable or dropped the connection.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// pg and pg-pool say these without a code: a lost connection, a closed client or pool, and the
// pool's connection timeout (server unreachable or every connection busy past the limit).
const LOST =
  /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed|Cannot use a pool after calling end/i;

/** `Key (a, b)=(…) already exists.` → ['a', 'b']; an expression index names no plain columns. */
function uniqueColumns(detail: unknown): string[] | undefined {
  if (typeof detail !== 'string') return undefined;
  const key = /^Key \((.+?)\)=\(/.exec(detail)?.[1];
  if (key === undefined || /[()]/.test(key)) return undefined;
  return key.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
}

/** pg's errors as the typed errors of store-errors.ts; anything else unchanged. */
export function translatePostgresError(error: unknown): unknown {
  const e = error as { code?: unknown; constraint?: unknown; detail?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return error;
  const message = typeof e.message === 'string' ? e.message : '';
  if (typeof e.code === 'string') {
    if (e.code === '23505')
      return new UniqueViolationError({
        constraint: typeof e.constraint === 'string' ? e.constraint : undefined,
        columns: uniqueColumns(e.detail),
        cause: error,
      });
    if (SOCKET_CODES.has(e.code))
      return new StoreUnavailableError(`PostgreSQL is unreachable (${e.code})`, { cause: error });
    // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator
    // intervention (shutdown, cancel), 58 system error.
    if (/^(08|53|57|58)[0-9A-Z]{3}$/.test(e.code))
      return new StoreUnavailableError(`PostgreSQL cannot serve the query (${e.code}): ${message}`, {
        cause: error,
      });
  }
  if (LOST.test(message))
    return new StoreUnavailableError(`PostgreSQL is unreachable: ${message}`, { cause: error });
  return error;
}

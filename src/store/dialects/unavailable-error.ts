/**
 * True when a failed store call means "the database cannot commit right now" (SQLite busy,
 * locked, full or failing I/O; PostgreSQL unreachable, shutting down, out of resources), as
 * opposed to a statement this one input made fail. Callers answer the first with 503 and may
 * retry; the second is isolated to the input that caused it.
 */
export function isStoreUnavailableError(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    // SQLITE_BUSY 5, LOCKED 6, IOERR 10, CORRUPT 11, FULL 13, CANTOPEN 14, PROTOCOL 15, READONLY 8.
    return [5, 6, 8, 10, 11, 13, 14, 15].includes(e.errcode & 0xff);
  }
  if (message.startsWith('timed out waiting for the SQLite connection')) return true;
  if (typeof e.code === 'string') {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(e.code))
      return true;
    // PostgreSQL SQLSTATE classes: 08 connection, 53 resources, 57 operator intervention, 58 system.
    if (/^(08|53|57|58)[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed/i.test(
    message,
  );
}

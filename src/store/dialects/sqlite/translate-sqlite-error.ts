import { StoreBusyError, StoreUnavailableError, UniqueViolationError } from '../../store-errors.ts';

// Primary result codes (the low byte of node:sqlite's extended `errcode`).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
// READONLY 8, IOERR 10, CORRUPT 11, FULL 13, CANTOPEN 14, PROTOCOL 15: the file cannot take writes.
const UNAVAILABLE = new Set([8, 10, 11, 13, 14, 15]);
// Extended codes of a unique index and of a primary key.
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

/** `UNIQUE constraint failed: t.a, t.b` names columns; `…: index 'name'` names an index. */
function uniqueTarget(message: string): { constraint?: string; columns?: string[] } {
  const index = /UNIQUE constraint failed: index '([^']+)'/.exec(message);
  if (index) return { constraint: index[1] };
  const columns = /UNIQUE constraint failed: (.+)$/.exec(message);
  if (!columns?.[1]) return {};
  return { columns: columns[1].split(',').map((c) => c.trim().replace(/^.*\./, '')) };
}

/** node:sqlite's errors as the typed errors of store-errors.ts; anything else unchanged. */
export function translateSqliteError(error: unknown): unknown {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return error;
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    if (e.errcode === SQLITE_CONSTRAINT_UNIQUE || e.errcode === SQLITE_CONSTRAINT_PRIMARYKEY)
      return new UniqueViolationError({ ...uniqueTarget(message), cause: error });
    const primary = e.errcode & 0xff;
    if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED)
      return new StoreBusyError(`the SQLite database is busy: ${message}`, { cause: error });
    if (UNAVAILABLE.has(primary))
      return new StoreUnavailableError(`the SQLite database cannot write: ${message}`, { cause: error });
    return error;
  }
  // The handle was closed underneath us (node:sqlite raises ERR_INVALID_STATE).
  if (e.code === 'ERR_INVALID_STATE' && /database is not open/.test(message))
    return new StoreUnavailableError('the SQLite database is closed', { cause: error });
  return error;
}

import type { IngestLimits } from './limits.ts';

/** Why an event fails the generic checks; the codes are in src/errors.ts. */
export interface EventProblem {
  readonly code:
    | 'TP_ERR_INGEST_INVALID_STRING'
    | 'TP_ERR_INGEST_EVENT_TOO_LARGE'
    | 'TP_ERR_INGEST_EVENT_TOO_DEEP'
    | 'TP_ERR_INGEST_INVALID_KEY'
    | 'TP_ERR_INGEST_NUMBER_OUT_OF_RANGE'
    | 'TP_ERR_INGEST_INVALID_UTF8';
  readonly message: string;
}

// A lone surrogate or U+0000 cannot be stored in PostgreSQL text/jsonb and is not valid UTF-8:
// one such string fails the event, never the commit (SPEC §2.1).
function badString(value: string): boolean {
  return value.includes('\u0000') || !value.isWellFormed();
}

function describePath(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the event';
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p.length > 40 ? `${p.slice(0, 40)}…` : p}`))
    .join('')
    .replace(/^\./, '');
}

// Strings JSON writes as they are (printable ASCII without `"` and `\`): their JSON size is their
// length plus the quotes. Others are measured by serializing that one string.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const jsonStringBytes = (value: string): number =>
  PLAIN.test(value) ? value.length + 2 : Buffer.byteLength(JSON.stringify(value));

/**
 * The checks every event passes before normalization, whatever its format: strings and keys
 * free of U+0000 and lone surrogates, numbers within a double's range, keys non-empty and ≤ 255 characters, nesting within the
 * depth cap, and the serialized event within the size cap. Returns the event's JSON size
 * (UTF-8 bytes of `JSON.stringify(event)`), added up during the same walk rather than by
 * serializing the event a second time.
 */
export function checkEvent(event: unknown, limits: IngestLimits): EventProblem | number {
  const path: (string | number)[] = [];
  let size = 0;
  const walk = (value: unknown, depth: number): EventProblem | undefined => {
    if (typeof value === 'string') {
      if (badString(value))
        return {
          code: 'TP_ERR_INGEST_INVALID_STRING',
          message: `${describePath(path)} holds U+0000 or a lone surrogate`,
        };
      size += jsonStringBytes(value);
      return undefined;
    }
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify would store as null.
    if (typeof value === 'number' && !Number.isFinite(value))
      return {
        code: 'TP_ERR_INGEST_NUMBER_OUT_OF_RANGE',
        message: `${describePath(path)} is a number beyond the range of a double; send it as a string`,
      };
    if (typeof value === 'number') {
      size += String(value).length;
      return undefined;
    }
    if (typeof value === 'boolean') {
      size += value ? 4 : 5;
      return undefined;
    }
    if (value === null || typeof value !== 'object') {
      size += 4; // null (JSON.parse yields nothing else)
      return undefined;
    }
    if (depth > limits.maxEventDepth)
      return {
        code: 'TP_ERR_INGEST_EVENT_TOO_DEEP',
        message: `${describePath(path)} nests deeper than ${limits.maxEventDepth} levels`,
      };
    if (Array.isArray(value)) {
      size += value.length > 0 ? value.length + 1 : 2; // [ , … ]
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const problem = walk(value[i], depth + 1);
        path.pop();
        if (problem) return problem;
      }
      return undefined;
    }
    const keys = Object.keys(value);
    size += keys.length > 0 ? keys.length * 2 + 1 : 2; // { : , … }
    for (const key of keys) {
      if (badString(key))
        return {
          code: 'TP_ERR_INGEST_INVALID_STRING',
          message: `a key in ${describePath(path)} holds U+0000 or a lone surrogate`,
        };
      if (key.length === 0 || key.length > limits.maxKeyLength)
        return {
          code: 'TP_ERR_INGEST_INVALID_KEY',
          message: `a key in ${describePath(path)} is empty or longer than ${limits.maxKeyLength} characters`,
        };
      size += jsonStringBytes(key);
      path.push(key);
      const problem = walk((value as Record<string, unknown>)[key], depth + 1);
      path.pop();
      if (problem) return problem;
    }
    return undefined;
  };
  const problem = walk(event, 1);
  if (problem) return problem;
  if (size > limits.maxEventBytes)
    return {
      code: 'TP_ERR_INGEST_EVENT_TOO_LARGE',
      message: `the event is ${size} bytes; the limit is ${limits.maxEventBytes}`,
    };
  return size;
}

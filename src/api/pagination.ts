import { createHmac, timingSafeEqual } from 'node:crypto';
import { TouchpointError } from '../errors.ts';

/** Query string of every list route: `?limit=&cursor=`. */
export const pageQuerySchema = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  cursor: { type: 'string', minLength: 1, maxLength: 1024 },
} as const;

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Response schema of a list: `{ items, next_cursor }`. */
export function pageSchema(item: object): object {
  return {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: { items: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'] } },
  };
}

/**
 * Opaque, signed list cursors. A cursor carries the sort key of the last row and names the list
 * it belongs to — including the tenant — so a cursor from another list or another project, or
 * an edited one, is refused with 400 TP_ERR_CURSOR_INVALID (MT-04).
 *
 * @example
 *   const cursors = new CursorCodec(key);
 *   const list = `sources:${projectId}`;
 *   const after = query.cursor ? cursors.decode(list, query.cursor) : undefined;
 *   const rows = await repo.list({ after, limit: limit + 1 });
 *   return cursors.page(list, rows, limit, (r) => [r.createdAt, r.id]);
 */
export class CursorCodec {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    this.#key = key;
  }

  #mac(text: string): Buffer {
    return createHmac('sha256', this.#key).update(text).digest().subarray(0, 16);
  }

  encode(list: string, key: readonly (string | number)[]): string {
    const body = Buffer.from(JSON.stringify({ l: list, k: key })).toString('base64url');
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  decode(list: string, cursor: string): (string | number)[] {
    const invalid = () => new TouchpointError('TP_ERR_CURSOR_INVALID', { cursor: 'invalid' });
    const [body, mac, extra] = cursor.split('.');
    if (!body || !mac || extra !== undefined) throw invalid();
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let parsed: { l?: unknown; k?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      throw invalid();
    }
    if (parsed.l !== list || !Array.isArray(parsed.k)) throw invalid();
    return parsed.k as (string | number)[];
  }

  /** Cuts `rows` (fetched with `limit + 1`) to a page and a cursor for the next one. */
  page<T>(list: string, rows: readonly T[], limit: number, keyOf: (row: T) => (string | number)[]): Page<T> {
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last !== undefined ? this.encode(list, keyOf(last)) : null,
    };
  }
}

/**
 * Reads `?limit=&cursor=` for the list `list` and returns what the repository needs plus a
 * function that turns the fetched rows into the JSON page.
 */
export function readPage(cursors: CursorCodec, list: string, query: { limit?: number; cursor?: string }) {
  const limit = query.limit ?? 50;
  const after = query.cursor ? cursors.decode(list, query.cursor) : undefined;
  return {
    request: { after, limit: limit + 1 },
    respond<T, J>(rows: readonly T[], keyOf: (row: T) => (string | number)[], toJson: (row: T) => J) {
      const page = cursors.page(list, rows, limit, keyOf);
      return { items: page.items.map(toJson), next_cursor: page.nextCursor };
    },
  };
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { openStore, type Store, type StoreOptions } from '../../src/store/store.ts';

/** PostgreSQL for tests; required — a missing server fails the suite, never skips it. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'sqlite' | 'postgres';
export const storeKinds: readonly StoreKind[] = ['sqlite', 'postgres'];

/** A fresh, empty database of the given kind: a temp SQLite file or a new PostgreSQL schema. */
export interface TestDatabase {
  readonly kind: StoreKind;
  readonly options: StoreOptions;
  /** Environment for a child process (CLI, server) using the same database. */
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly schema: string | undefined;
  drop(): Promise<void>;
}

export function createTestDatabase(kind: StoreKind): TestDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-test-'));
  if (kind === 'sqlite') {
    const path = join(dataDir, 'touchpoint.db');
    return {
      kind,
      options: { kind, path, busyTimeoutMs: 5000 },
      env: { TOUCHPOINT_DATA_DIR: dataDir, DATABASE_URL: '' },
      dataDir,
      schema: undefined,
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    kind,
    options: { kind, url: testPostgresUrl, poolMax: 5, schema },
    env: { TOUCHPOINT_DATA_DIR: dataDir, DATABASE_URL: testPostgresUrl, TOUCHPOINT_PG_SCHEMA: schema },
    dataDir,
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: testPostgresUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Opens and migrates a store on a fresh test database; `close()` also drops the database. */
export async function openTestStore(
  kind: StoreKind,
): Promise<{ store: Store; db: TestDatabase; close(): Promise<void> }> {
  const db = createTestDatabase(kind);
  const store = await openStore(db.options);
  await store.migrate();
  return {
    store,
    db,
    async close() {
      await store.close();
      await db.drop();
    },
  };
}

/**
 * Runs the same suite once per database. Each run gets its own fresh database, so suites never
 * share state (one PostgreSQL schema per file and kind). If the database cannot be opened, the
 * `before` hook fails and with it every test of the suite — nothing is skipped.
 *
 * @example
 *   forEachStore('settings', (ctx) => {
 *     test('set then get', async () => { await ctx.store.settings.set('a', 'b'); … });
 *   });
 */
export function forEachStore(
  name: string,
  body: (ctx: { readonly store: Store; readonly db: TestDatabase; readonly kind: StoreKind }) => void,
): void {
  for (const kind of storeKinds) {
    describe(`${name} [${kind}]`, () => {
      let opened: Awaited<ReturnType<typeof openTestStore>> | undefined;
      before(async () => {
        opened = await openTestStore(kind);
      });
      after(async () => {
        await opened?.close();
      });
      body({
        kind,
        get store(): Store {
          if (!opened) throw new Error(`${kind} test store is not open`);
          return opened.store;
        },
        get db(): TestDatabase {
          if (!opened) throw new Error(`${kind} test store is not open`);
          return opened.db;
        },
      });
    });
  }
}

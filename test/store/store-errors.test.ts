// The dialects translate driver failures into the typed errors of src/store/store-errors.ts, on
// both databases, with the driver's error kept on `cause`.
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import {
  openStore,
  StoreBusyError,
  StoreUnavailableError,
  UniqueViolationError,
  type Store,
} from '../../src/store/store.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { createTestDatabase, forEachStore, storeKinds, testPostgresUrl } from '../support/stores.ts';

const account = (id: string, email: string) => ({
  id,
  email,
  name: id,
  passwordHash: null,
  isInstanceAdmin: false,
  mustChangePassword: false,
});

/** The driver's own error, untranslated, sits on `cause`. */
function assertDriverCause(error: Error): void {
  assert.ok(error.cause instanceof Error, 'the driver error is kept on cause');
  assert.ok(!(error.cause instanceof UniqueViolationError), 'translated once, not twice');
  assert.ok(!(error.cause instanceof StoreUnavailableError), 'translated once, not twice');
}

forEachStore('typed store errors', (ctx) => {
  test('a duplicate unique value fails with UniqueViolationError naming the column', async () => {
    await ctx.store.accounts.create(account('acc_u1', 'dup@example.com'));
    await assert.rejects(ctx.store.accounts.create(account('acc_u2', 'dup@example.com')), (error) => {
      assert.ok(error instanceof UniqueViolationError, String(error));
      assert.deepEqual(error.columns, ['email']);
      if (ctx.kind === 'postgres') assert.equal(error.constraint, 'accounts_email_key');
      assertDriverCause(error);
      return true;
    });
  });

  test('a duplicate primary key inside a transaction: the same typed error, and nothing committed', async () => {
    await assert.rejects(
      ctx.store.transaction(async (tx) => {
        await tx.accounts.create(account('acc_t1', 't1@example.com'));
        await tx.accounts.create(account('acc_t1', 't2@example.com'));
      }),
      (error) => {
        assert.ok(error instanceof UniqueViolationError, String(error));
        assert.deepEqual(error.columns, ['id']);
        assertDriverCause(error);
        return true;
      },
    );
    assert.equal(await ctx.store.accounts.findById('acc_t1'), undefined);
  });

  test('a failure that is no store condition passes through untranslated', async () => {
    // A foreign key violation is a per-input problem: neither unique nor unavailable.
    await assert.rejects(
      ctx.store.sessions.create({
        idHash: 'h',
        accountId: 'acc_missing',
        csrfToken: 'c',
        expiresAt: 1,
        ip: null,
      }),
      (error) => {
        assert.ok(error instanceof Error);
        assert.ok(!(error instanceof UniqueViolationError) && !(error instanceof StoreUnavailableError));
        return true;
      },
    );
  });
});

for (const kind of storeKinds) {
  test(`[${kind}] a closed store fails every call with StoreUnavailableError`, async () => {
    const db = createTestDatabase(kind);
    const store = await openStore(db.options);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    await assert.rejects(store.accounts.count(), StoreUnavailableError);
    await assert.rejects(
      store.transaction((tx) => tx.settings.set('k', 'v')),
      StoreUnavailableError,
    );
    await store.close(); // closing twice is harmless
    await db.drop();
  });
}

test('[sqlite] another process holding the write lock past busy_timeout: StoreBusyError, a kind of unavailable', async () => {
  const db = createTestDatabase('sqlite');
  const path = (db.options as { path: string }).path;
  const store = await openStore({ kind: 'sqlite', path, busyTimeoutMs: 100 });
  try {
    await store.migrate();
    const holder = new DatabaseSync(path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(store.settings.set('k', 'v'), (error) => {
        assert.ok(error instanceof StoreBusyError, String(error));
        assert.ok(error instanceof StoreUnavailableError);
        assert.equal(((error.cause as { errcode: number }).errcode & 0xff) === 5, true, 'SQLITE_BUSY');
        return true;
      });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.equal(await store.settings.set('k', 'v'), true);
  } finally {
    await store.close();
    await db.drop();
  }
});

test('[sqlite] a full database (max_page_count reached): StoreUnavailableError, not busy', async () => {
  const db = createTestDatabase('sqlite');
  const path = (db.options as { path: string }).path;
  let store: Store = await openStore(db.options);
  await store.migrate();
  await store.close();
  const file = new DatabaseSync(path);
  const { page_count: pages } = file.prepare('PRAGMA page_count').get() as { page_count: number };
  file.close();
  store = await openStore({ kind: 'sqlite', path, busyTimeoutMs: 1000, maxPageCount: pages + 2 });
  try {
    await assert.rejects(store.settings.set('big', 'x'.repeat(256 * 1024)), (error) => {
      assert.ok(error instanceof StoreUnavailableError, String(error));
      assert.ok(!(error instanceof StoreBusyError));
      assertDriverCause(error);
      return true;
    });
  } finally {
    await store.close();
    await db.drop();
  }
});

test('[postgres] every connection reset (fault proxy): StoreUnavailableError; healed, the store answers again', async () => {
  const target = new URL(testPostgresUrl);
  const proxy = await startFaultProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(testPostgresUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const db = createTestDatabase('postgres');
  const store = await openStore({
    ...(db.options as { kind: 'postgres'; poolMax: number; schema: string }),
    url: viaProxy.toString(),
  });
  try {
    await store.migrate();
    assert.equal(await store.accounts.count(), 0);
    proxy.set('reset');
    // A pooled connection dies under its query, a new one is reset while connecting: both typed.
    for (let i = 0; i < 3; i++) {
      await assert.rejects(store.accounts.count(), (error) => {
        assert.ok(error instanceof StoreUnavailableError, String(error));
        assert.ok(!(error instanceof StoreBusyError));
        assertDriverCause(error);
        return true;
      });
    }
    await assert.rejects(
      store.transaction((tx) => tx.settings.set('k', 'v')),
      StoreUnavailableError,
    );
    proxy.set('pass');
    let answered = false;
    for (let i = 0; i < 50 && !answered; i++) {
      try {
        await store.accounts.count();
        answered = true;
      } catch (error) {
        assert.ok(error instanceof StoreUnavailableError, String(error));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.ok(answered, 'the store answers once the database is reachable again');
  } finally {
    await store.close();
    await proxy.close();
    await db.drop();
  }
});

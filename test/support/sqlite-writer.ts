// Child process for the two-process SQLite test: increments setting `n` in N transactions.
import { openStore } from '../../src/store/store.ts';

const [path, count] = process.argv.slice(2);
const store = await openStore({ kind: 'sqlite', path: String(path), busyTimeoutMs: 5000 });
for (let i = 0; i < Number(count); i++) {
  await store.transaction(async (tx) => {
    const value = Number((await tx.settings.get('n')) ?? '0');
    await tx.settings.set('n', String(value + 1));
  });
}
await store.close();

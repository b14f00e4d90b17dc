import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from '../schema.ts';

// Statement texts per dialect (keyed by its adapter class, the same for the root handle and every
// transaction) and per key (the statement's name and its row or value count).
const statementCache = new WeakMap<object, Map<string, string>>();

/**
 * Runs a statement whose text depends only on `key` with fresh `parameters`, building it with
 * Kysely once per dialect and key (issue 14: building a multi-row statement costs more than
 * running it). The first build goes through `db`, a project-scoped handle, so the tenant guard
 * checks the statement's shape; every run then checks that the parameters at `projectAt` hold
 * the scope's project — the guard's check, once per shape, plus a per-run one that costs nothing.
 */
export async function runCached<R>(
  db: Kysely<Database>,
  projectId: number,
  key: string,
  build: () => Compilable,
  parameters: readonly unknown[],
  projectAt: readonly number[],
): Promise<QueryResult<R>> {
  for (const i of projectAt)
    if (parameters[i] !== projectId)
      throw new Error(`cached statement ${key}: parameter ${i} is not the scope's project`);
  const adapterClass = db.getExecutor().adapter.constructor;
  let cache = statementCache.get(adapterClass);
  if (!cache) statementCache.set(adapterClass, (cache = new Map()));
  let text = cache.get(key);
  if (text === undefined) {
    const compiled = build().compile();
    if (
      compiled.parameters.length !== parameters.length ||
      compiled.parameters.some((p, i) => p !== parameters[i])
    )
      throw new Error(`cached statement ${key}: unexpected parameter order`);
    text = compiled.sql;
    cache.set(key, text);
  }
  return db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]));
}

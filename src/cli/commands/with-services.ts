import { loadConfig } from '../../config/load-config.ts';
import { assemble } from '../../main.ts';
import type { AppDeps } from '../../api/app-deps.ts';
import { createLogger } from '../../observability/logger.ts';

/** Runs `fn` with the same services the server uses (store migrated, secrets unlocked). */
export async function withServices<T>(env: NodeJS.ProcessEnv, fn: (deps: AppDeps) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const { deps } = await assemble(config, createLogger('warn'));
  try {
    return await fn(deps);
  } finally {
    await deps.store.close();
  }
}

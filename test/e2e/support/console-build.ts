import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const repoRoot = resolve(import.meta.dirname, '../../..');
const webDir = join(repoRoot, 'web');
const builtIndex = join(webDir, 'dist', 'index.html');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function isStale(): boolean {
  if (!existsSync(builtIndex)) return true;
  const built = statSync(builtIndex).mtimeMs;
  const sources = [
    join(webDir, 'src'),
    join(webDir, 'public'),
    join(webDir, 'index.html'),
    join(webDir, 'vite.config.ts'),
  ];
  return sources.some((s) => existsSync(s) && newestMtime(s) > built);
}

/**
 * Makes sure `web/dist` holds a build of the current sources (npm install builds it; a developer
 * editing `web/src` between runs gets a rebuild here). Test files run in parallel, so the build
 * happens under a lock directory; the others wait for it.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const lock = join(webDir, '.build-lock');
  for (let waited = 0; ; waited += 200) {
    if (!isStale()) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 120_000) throw new Error(`waited 2 min for ${lock}; remove it if no build is running`);
      await sleep(200);
    }
  }
  try {
    if (!isStale()) return;
    const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
    const result = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

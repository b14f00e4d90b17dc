import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureConsoleBuilt, repoRoot } from './console-build.ts';

export interface ConsoleServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The instance admin an embedded first run creates (must change its password). */
  readonly firstAdmin: { readonly email: string; readonly password: string };
  readonly dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

/** A free loopback port: the server is started on a known port, as an operator would. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/**
 * Starts a real Touchpoint (`touchpoint serve --embedded`, the `npm start` path) on a fresh SQLite
 * data directory and a free loopback port, and reads the URL and the first admin's generated
 * password from what it prints, as an operator would.
 */
export async function startConsoleServer(
  options: {
    /** Extra environment for the server, e.g. `TOUCHPOINT_ALLOW_TARGETS` for a local receiver. */
    env?: Record<string, string>;
    /**
     * The first admin's password through TOUCHPOINT_ADMIN_PASSWORD (the scripted first run): no
     * forced change, so a test can sign in and go straight to the page it is about.
     */
    adminPassword?: string;
  } = {},
): Promise<ConsoleServer> {
  await ensureConsoleBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-e2e-'));
  // A known port rather than 0: one-time links carry the server's public URL, which by default
  // is built from the configured host and port.
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['src/cli/main.ts', 'serve', '--embedded', '--host', '127.0.0.1', '--port', String(port)],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        TOUCHPOINT_DATA_DIR: dataDir,
        DATABASE_URL: '',
        TOUCHPOINT_LOG_LEVEL: 'warn',
        TOUCHPOINT_PUBLIC_URL: '',
        ...options.env,
        ...(options.adminPassword ? { TOUCHPOINT_ADMIN_PASSWORD: options.adminPassword } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const started = await new Promise<{ url: string; email: string; password: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Touchpoint did not start in 30 s:\n${output}`)), 30_000);
    const check = () => {
      const url = /console:\s+(http:\/\/\S+?)\/?\s/.exec(output)?.[1];
      const email =
        /e-mail:\s+(\S+)/.exec(output)?.[1] ?? /the instance admin (\S+) was created/.exec(output)?.[1];
      const password = options.adminPassword ?? /password:\s+(\S+)/.exec(output)?.[1];
      if (url && email && password) {
        clearTimeout(timer);
        resolve({ url, email, password });
      }
    };
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      check();
    });
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Touchpoint exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    url: started.url,
    firstAdmin: { email: started.email, password: started.password },
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

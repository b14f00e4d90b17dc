import { loadConfig } from '../../config/load-config.ts';
import { startTouchpoint, type ServeRole } from '../../main.ts';
import { UsageError, type Command } from '../command.ts';

const roles: readonly ServeRole[] = ['api', 'worker', 'all'];

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run Touchpoint: the HTTP API and console, background workers, or both (default).',
  usage: 'serve [--role api|worker|all] [--host H] [--port P] [--embedded]',
  options: {
    role: { type: 'string', default: 'all' },
    host: { type: 'string' },
    port: { type: 'string' },
    embedded: { type: 'boolean', default: false },
  },
  optionHelp: [
    ['--role api|worker|all', 'What this process does (default all)'],
    ['--host H', 'Listen address (overrides TOUCHPOINT_HOST)'],
    ['--port P', 'Listen port (overrides TOUCHPOINT_PORT)'],
    ['--embedded', 'Print first-run guidance (used by npm start)'],
  ],
  async run(values, _positionals, io) {
    const role = String(values.role) as ServeRole;
    if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}`);
    const env = { ...io.env };
    if (typeof values.host === 'string') env.TOUCHPOINT_HOST = values.host;
    if (typeof values.port === 'string') env.TOUCHPOINT_PORT = values.port;
    const config = loadConfig(env);
    const touchpoint = await startTouchpoint(config, { role, embedded: Boolean(values.embedded) });
    const lines = [`Touchpoint is running (${role}) on ${touchpoint.store.description}`];
    if (touchpoint.url) {
      lines.push(
        `  console:        ${touchpoint.url}/`,
        `  API reference:  ${touchpoint.url}/api/docs`,
        `  health:         ${touchpoint.url}/healthz  ${touchpoint.url}/readyz  ${touchpoint.url}/metrics`,
      );
    }
    // SSRF-15: which private or loopback ranges channels may reach is visible at every start.
    lines.push(
      config.allowTargets.length === 0
        ? '  outbound allowlist: none (only public addresses)'
        : `  outbound allowlist: ${config.allowTargets.map((c) => c.text).join(', ')} (TOUCHPOINT_ALLOW_TARGETS)`,
    );
    if (touchpoint.firstAdmin?.password === null) {
      lines.push(
        '',
        `  First run: the instance admin ${touchpoint.firstAdmin.email} was created with the password`,
        `  from TOUCHPOINT_ADMIN_PASSWORD (no change required), and a demo project (id ${touchpoint.firstAdmin.projectId}).`,
        '',
      );
    } else if (touchpoint.firstAdmin) {
      lines.push(
        '',
        '  First run: an instance admin was created. Sign in to the console with',
        `    e-mail:    ${touchpoint.firstAdmin.email}`,
        `    password:  ${touchpoint.firstAdmin.password}`,
        '  This password is shown only now; you will be asked to change it at first sign-in.',
        '',
      );
    }
    if (touchpoint.generatedMasterKey) {
      lines.push(
        `  A new master key was written to ${config.dataDir}/master.key (mode 0600): back it up with the database.`,
      );
    }
    if (values.embedded && config.allowTargets.length === 0) {
      lines.push(
        '  To let channels reach a receiver on this machine (e.g. `touchpoint receiver`), start with',
        '    TOUCHPOINT_ALLOW_TARGETS=127.0.0.1/32 npm start',
      );
    }
    // Handlers first, then the line a supervisor waits for: a signal sent right after it is handled.
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        io.err(`received ${signal}, shutting down`);
        touchpoint.close().then(resolve, (error: unknown) => {
          io.err(`shutdown failed: ${(error as Error).message}`);
          resolve();
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    lines.push('Press Ctrl+C to stop.');
    io.out(lines.join('\n'));
    await stopped;
    return 0;
  },
};

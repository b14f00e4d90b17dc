import { parseArgs } from 'node:util';
import { isTouchpointError } from '../errors.ts';
import { renderHelp, UsageError, type CliIo, type Command } from './command.ts';
import { commands } from './commands/index.ts';

const root: Command = {
  name: 'touchpoint',
  summary: 'Touchpoint: a self-hosted data channel hub (data sources in, reach channels out).',
  usage: '<command> [options]',
  options: {},
  optionHelp: [],
  subcommands: commands,
};

/** Runs one CLI invocation; returns the exit code. Errors print as one line naming the cause. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command = root;
  let rest = [...argv];
  let prefix = 'touchpoint';
  while (command.subcommands && rest[0] !== undefined && !rest[0].startsWith('-')) {
    const name = rest[0];
    const next = command.subcommands.find((c) => c.name === name);
    if (!next) {
      io.err(`touchpoint: unknown command "${[...prefix.split(' ').slice(1), name].join(' ')}"`);
      io.err(renderHelp(command, prefix));
      return 2;
    }
    if (command !== root) prefix = `${prefix} ${command.name}`;
    command = next;
    rest = rest.slice(1);
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help || !command.run) {
      (values.help ? io.out : io.err)(renderHelp(command, prefix));
      return values.help ? 0 : 2;
    }
    return await command.run(values, positionals, io);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`touchpoint: ${(error as Error).message}`);
      io.err(renderHelp(command, prefix));
      return 2;
    }
    if (isTouchpointError(error)) {
      io.err(`touchpoint: ${error.message}`);
      return 1;
    }
    io.err(`touchpoint: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

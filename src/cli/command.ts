import type { ParseArgsConfig } from 'node:util';

/** Where a command writes; tests pass buffers, the CLI passes the process streams. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** Thrown for wrong usage: the CLI prints the message and the command's help, exits 2. */
export class UsageError extends Error {}

/**
 * One `touchpoint` sub-command. `options` is a `node:util` parseArgs option table; `--help` is
 * added to every command. `run` returns the exit code, or a promise that stays pending while a
 * server runs.
 */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly optionHelp: readonly [flag: string, help: string][];
  /** Sub-commands (e.g. `admin create`) instead of `run`. */
  readonly subcommands?: readonly Command[];
  run?(
    values: Record<string, string | boolean | string[] | boolean[] | undefined>,
    positionals: string[],
    io: CliIo,
  ): Promise<number>;
}

export function renderHelp(command: Command, prefix: string): string {
  const lines = [`Usage: ${prefix} ${command.usage}`, '', command.summary];
  if (command.subcommands?.length) {
    lines.push('', 'Commands:');
    for (const sub of command.subcommands) lines.push(`  ${sub.name.padEnd(14)} ${sub.summary}`);
  }
  const flags: (readonly [string, string])[] = [...command.optionHelp, ['--help', 'Show this help']];
  lines.push('', 'Options:');
  for (const [flag, help] of flags) lines.push(`  ${flag.padEnd(28)} ${help}`);
  return lines.join('\n');
}

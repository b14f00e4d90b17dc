import type { Command } from '../command.ts';
import { adminCommand } from './admin-command.ts';
import { channelCommand } from './channel-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { receiverCommand } from './receiver-command.ts';
import { serveCommand } from './serve-command.ts';
import { tokenCommand } from './token-command.ts';

/** Every `touchpoint` command; later modules add theirs here. */
export const commands: readonly Command[] = [
  serveCommand,
  migrateCommand,
  adminCommand,
  tokenCommand,
  receiverCommand,
  channelCommand,
];

import type { Command } from '../command.ts';
import { migrateCommand } from './migrate-command.ts';
import { receiverCommand } from './receiver-command.ts';
import { serveCommand } from './serve-command.ts';

/** Every `touchpoint` command; later modules add theirs here. */
export const commands: readonly Command[] = [serveCommand, migrateCommand, receiverCommand];

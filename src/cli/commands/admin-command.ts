import { UsageError, type Command } from '../command.ts';
import { withServices } from './with-services.ts';

const createCommand: Command = {
  name: 'create',
  summary: 'Create an instance admin account (it creates projects and names their first admins).',
  usage: 'create --email <e-mail> --password <password> [--name <name>]',
  options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  optionHelp: [
    ['--email E', 'Sign-in e-mail of the account'],
    ['--password P', 'Its password (at least 10 characters)'],
    ['--name N', 'Display name (default: the part of the e-mail before @)'],
  ],
  async run(values, _positionals, io) {
    if (typeof values.email !== 'string' || typeof values.password !== 'string')
      throw new UsageError('--email and --password are required');
    const { email, password, name } = values as { email: string; password: string; name?: string };
    const account = await withServices(io.env, (deps) =>
      deps.auth.createAccount(
        { email, password, name, isInstanceAdmin: true, mustChangePassword: false },
        { actor: { type: 'cli', id: 'cli', label: 'cli' }, ip: null, requestId: null },
      ),
    );
    io.out(`created instance admin ${account.email} (${account.id})`);
    return 0;
  },
};

export const adminCommand: Command = {
  name: 'admin',
  summary: 'Manage instance admin accounts.',
  usage: 'admin <command>',
  options: {},
  optionHelp: [],
  subcommands: [createCommand],
};

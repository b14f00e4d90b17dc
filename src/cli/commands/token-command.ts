import { TouchpointError } from '../../errors.ts';
import { isPermission, type Permission } from '../../access/permissions.ts';
import { normalizeEmail } from '../../tenancy/normalize-email.ts';
import { UsageError, type Command } from '../command.ts';
import { withServices } from './with-services.ts';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `90m` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (!match) throw new UsageError(`--expires must look like 30d, 12h or 90m (got "${text}")`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}

const createCommand: Command = {
  name: 'create',
  summary: 'Create an API token for scripts; prints only the token.',
  usage: 'create --project <id> --as <e-mail> --name <name> [--permissions a,b] [--expires 30d]',
  options: {
    project: { type: 'string' },
    as: { type: 'string' },
    name: { type: 'string' },
    permissions: { type: 'string' },
    expires: { type: 'string' },
  },
  optionHelp: [
    ['--project ID', 'Project the token acts in'],
    ['--as E', 'The account that creates it (must hold token.manage there)'],
    ['--name N', 'A name to recognize it by'],
    ['--permissions a,b', "Subset of the account's permissions (default: all of them)"],
    ['--expires 30d', 'Lifetime (m, h or d); default: no expiry'],
  ],
  async run(values, _positionals, io) {
    const { project, as, name, permissions, expires } = values as Record<string, string | undefined>;
    if (!project || !as || !name) throw new UsageError('--project, --as and --name are required');
    if (!/^\d{1,15}$/.test(project)) throw new UsageError('--project must be a numeric project id');
    const requested = permissions
      ?.split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    for (const p of requested ?? []) if (!isPermission(p)) throw new UsageError(`unknown permission "${p}"`);
    const expiresAt = expires ? Date.now() + parseDuration(expires) : null;
    const secret = await withServices(io.env, async (deps) => {
      const account = await deps.store.accounts.findByEmail(normalizeEmail(as));
      const access = account && (await deps.access.memberAccess(account.id, Number(project)));
      if (!account || !access)
        throw new TouchpointError(
          'TP_ERR_NOT_FOUND',
          {},
          { message: `${as} is not a member of project ${project}` },
        );
      if (!access.permissions.has('token.manage'))
        throw new TouchpointError(
          'TP_ERR_FORBIDDEN',
          {},
          { message: `${as} lacks token.manage in project ${project}` },
        );
      const { secret } = await deps.tokens.createToken(
        account,
        access,
        { name, permissions: (requested as Permission[] | undefined) ?? [...access.permissions], expiresAt },
        { actor: { type: 'cli', id: account.id, label: `cli:${account.email}` }, ip: null, requestId: null },
      );
      return secret;
    });
    io.out(secret);
    return 0;
  },
};

export const tokenCommand: Command = {
  name: 'token',
  summary: 'Manage API tokens.',
  usage: 'token <command>',
  options: {},
  optionHelp: [],
  subcommands: [createCommand],
};

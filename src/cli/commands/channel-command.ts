import type { TestRecipient } from '../../channels/channel-service.ts';
import { TouchpointError } from '../../errors.ts';
import { normalizeEmail } from '../../tenancy/normalize-email.ts';
import { UsageError, type Command } from '../command.ts';
import { withServices } from './with-services.ts';

function jsonObject(name: string, raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError(`--${name} must be a JSON object`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`--${name} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

const testCommand: Command = {
  name: 'test',
  summary:
    'Send one real test message through a channel and print the request, the response and the verdict.',
  usage:
    'test --project <id> --as <e-mail> --channel <id> [--workspace <id>] (--id-type <type> --test-id <id> | --properties <json>) [--params <json>] [--json]',
  options: {
    project: { type: 'string' },
    as: { type: 'string' },
    channel: { type: 'string' },
    workspace: { type: 'string' },
    'id-type': { type: 'string' },
    'test-id': { type: 'string' },
    properties: { type: 'string' },
    params: { type: 'string' },
    json: { type: 'boolean' },
  },
  optionHelp: [
    ['--project ID', 'Project of the channel'],
    ['--as E', 'Member acting (reach.webhook.manage, or reach.webhook.use with --workspace)'],
    ['--channel ID', 'The channel (chn_…)'],
    ['--workspace ID', 'Test as a workspace user: the channel must be authorized there and usable'],
    ['--id-type T --test-id V', 'Look the test user up in profiles, e.g. --id-type role_id --test-id r-1001'],
    ['--properties JSON', 'Or type the user properties by hand, e.g. \'{"role_id":"r-1"}\''],
    ['--params JSON', 'Template values, e.g. \'{"title":"Hello"}\''],
    ['--json', 'Print the result as JSON'],
  ],
  async run(values, _positionals, io) {
    const v = values as Record<string, string | boolean | undefined>;
    const project = v.project as string | undefined;
    const as = v.as as string | undefined;
    const channelId = v.channel as string | undefined;
    if (!project || !as || !channelId) throw new UsageError('--project, --as and --channel are required');
    if (!/^\d{1,15}$/.test(project)) throw new UsageError('--project must be a numeric project id');
    const properties = jsonObject('properties', v.properties as string | undefined);
    const params = jsonObject('params', v.params as string | undefined) ?? {};
    const idType = v['id-type'] as string | undefined;
    const testId = v['test-id'] as string | undefined;
    if (
      (idType !== undefined || testId !== undefined) === (properties !== undefined) ||
      (idType === undefined) !== (testId === undefined)
    )
      throw new UsageError('give either --id-type and --test-id, or --properties');
    const recipient: TestRecipient = properties
      ? { properties }
      : { idType: idType as string, testId: testId as string };

    const outcome = await withServices(io.env, async (deps) => {
      const account = await deps.store.accounts.findByEmail(normalizeEmail(as));
      const access = account && (await deps.access.memberAccess(account.id, Number(project)));
      if (!account || !access)
        throw new TouchpointError(
          'TP_ERR_NOT_FOUND',
          {},
          { message: `${as} is not a member of project ${project}` },
        );
      const user = { accountId: account.id, access };
      let channel;
      if (typeof v.workspace === 'string') {
        channel = await deps.channels.assertChannelUsable(user, v.workspace, channelId);
      } else {
        if (!access.permissions.has('reach.webhook.manage'))
          throw new TouchpointError(
            'TP_ERR_FORBIDDEN',
            {},
            {
              message: `${as} lacks reach.webhook.manage in project ${project}; test from a workspace with --workspace`,
            },
          );
        channel = await deps.channels.get(access, channelId);
      }
      return deps.channels.testSend(user, channel, { recipient, params });
    });

    const { result, channel } = outcome;
    if (v.json) {
      io.out(
        JSON.stringify(
          {
            verdict: result.verdict,
            request: result.request,
            response: result.response,
            timings: result.timings,
            test_status: channel.testStatus,
          },
          null,
          2,
        ),
      );
    } else {
      if (result.request) {
        io.out(`→ ${result.request.method} ${result.request.url}`);
        for (const [name, value] of Object.entries(result.request.headers)) io.out(`  ${name}: ${value}`);
        io.out(`  ${result.request.body}`);
      }
      if (result.response) {
        io.out(`← HTTP ${result.response.status} in ${result.timings.totalMs} ms`);
        for (const [name, value] of Object.entries(result.response.headers)) io.out(`  ${name}: ${value}`);
        io.out(`  ${result.response.body}`);
      }
      const v2 = result.verdict;
      io.out(`verdict: ${v2.result}${v2.reason ? ` (${v2.reason})` : ''} — ${v2.detail}`);
      io.out(`channel ${channel.id} is ${channel.testStatus}`);
    }
    return result.verdict.result === 'success' || result.verdict.result === 'sent' ? 0 : 1;
  },
};

export const channelCommand: Command = {
  name: 'channel',
  summary: 'Work with reach channels.',
  usage: 'channel <command>',
  options: {},
  optionHelp: [],
  subcommands: [testCommand],
};

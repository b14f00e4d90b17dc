import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TestRecipient } from '../../channels/channel-service.ts';
import type { Channel } from '../../channels/model.ts';
import type { VariableJson } from '../../channels/variables.ts';
import { Issues } from '../../issues.ts';
import type { AppDeps } from '../app-deps.ts';
import { accessOf } from '../route-guard.ts';
import { pathParams as params, projectParams } from '../route-params.ts';
import {
  optionListJson,
  optionListSchema,
  testSendResultJson,
  testSendResultSchema,
} from '../serializers/channel-json.ts';
import { channelParams, channelUserOf as userOf } from './channel-routes.ts';
import { variablesSchema } from '../serializers/channel-json.ts';

const testSendBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id_type: { type: 'string', minLength: 1, maxLength: 64 },
    test_id: { type: 'string', minLength: 1, maxLength: 512 },
    properties: { type: 'object', maxProperties: 500 },
    params: { type: 'object', maxProperties: 200, default: {} },
    variables: variablesSchema,
  },
} as const;

function recipientOf(body: {
  id_type?: string;
  test_id?: string;
  properties?: Record<string, unknown>;
}): TestRecipient {
  const byId = body.id_type !== undefined || body.test_id !== undefined;
  if (byId === (body.properties !== undefined) || (byId && (!body.id_type || !body.test_id))) {
    const issues = new Issues();
    issues.add('', 'one_of', 'send either id_type and test_id (a profile) or properties (typed by hand)');
    issues.throwIfAny();
  }
  return byId
    ? { idType: body.id_type as string, testId: body.test_id as string }
    : { properties: body.properties as Record<string, unknown> };
}

/** Using a channel's content: enum options of its template, and test sends (SPEC §3.1). */
export function channelSendRoutes(deps: AppDeps): FastifyPluginAsync {
  const { channels } = deps;

  return async (app) => {
    app.get(
      '/api/v1/projects/:projectId/channels/:channelId/fields/:fieldKey/options',
      {
        config: { scope: { kind: 'member', permission: null } },
        schema: {
          tags: ['channels'],
          summary:
            'Options of an enum field (from its URL: cached 10 min; the last good list marked stale on failure). Needs reach.webhook.manage or reach.webhook.use; fetching the URL is rate-limited like previews',
          params: params('channelId', 'fieldKey'),
          response: { 200: optionListSchema },
        },
      },
      async (request) => {
        const { channelId, fieldKey } = request.params as { channelId: string; fieldKey: string };
        return optionListJson(await channels.optionsOf(userOf(request), channelId, fieldKey));
      },
    );

    app.post(
      '/api/v1/projects/:projectId/channel-enum-options/preview',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary: 'Fetch an enum options URL now, before saving it (rate-limited like test sends)',
          params: projectParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['url'],
            properties: {
              url: { type: 'string', minLength: 1, maxLength: 2000 },
              token: { type: 'string', maxLength: 500 },
            },
          },
          response: { 200: optionListSchema },
        },
      },
      async (request) => {
        const body = request.body as { url: string; token?: string };
        const options = await channels.previewOptions(userOf(request), body.url, body.token);
        return optionListJson({ options, fetchedAt: Date.now(), stale: false });
      },
    );

    const testSendJson = async (request: FastifyRequest, channel: Channel) => {
      const body = request.body as {
        id_type?: string;
        test_id?: string;
        properties?: Record<string, unknown>;
        params: Record<string, unknown>;
        variables?: VariableJson[];
      };
      const { result, channel: after } = await channels.testSend(userOf(request), channel, {
        recipient: recipientOf(body),
        params: body.params ?? {},
        ...(body.variables ? { variables: body.variables } : {}),
      });
      return testSendResultJson(result, after);
    };

    app.post(
      '/api/v1/projects/:projectId/channels/:channelId/test-send',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.manage' } },
        schema: {
          tags: ['channels'],
          summary:
            'Test send (any status): one real request; answers the request sent, the response, timing and verdict',
          params: channelParams,
          body: testSendBody,
          response: { 200: testSendResultSchema },
        },
      },
      async (request) => {
        const { channelId } = request.params as { channelId: string };
        return testSendJson(request, await channels.get(accessOf(request), channelId));
      },
    );

    app.post(
      '/api/v1/projects/:projectId/workspaces/:workspaceId/channels/:channelId/test-send',
      {
        config: { scope: { kind: 'member', permission: 'reach.webhook.use', workspace: true } },
        schema: {
          tags: ['channels'],
          summary: 'Test send from a workspace: the channel must be authorized there and usable by you',
          params: params('workspaceId', 'channelId'),
          body: testSendBody,
          response: { 200: testSendResultSchema },
        },
      },
      async (request) => {
        const { workspaceId, channelId } = request.params as { workspaceId: string; channelId: string };
        const channel = await channels.assertChannelUsable(userOf(request), workspaceId, channelId);
        return testSendJson(request, channel);
      },
    );
  };
}

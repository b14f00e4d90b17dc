import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Caller, ProjectAccess } from '../../access/caller.ts';
import {
  actionPermission,
  type CampaignInput,
  type CampaignPreview,
} from '../../campaigns/campaign-service.ts';
import {
  campaignActions,
  campaignStates,
  runStates,
  type Campaign,
  type CampaignAction,
  type CampaignRun,
  type CampaignState,
  type RunCounts,
} from '../../campaigns/model.ts';
import { MAX_TRIGGER_MINUTES, triggerJson, type TriggerJson } from '../../campaigns/schedule.ts';
import type { VariableJson } from '../../channels/variables.ts';
import type { AppDeps } from '../app-deps.ts';
import { pageQuerySchema, pageSchema, readPage } from '../pagination.ts';
import { accessOf, callerOf } from '../route-guard.ts';
import { isoTime as iso, noContent, pathParams as params } from '../route-params.ts';
import { variablesSchema } from '../serializers/channel-json.ts';

const dateTime = { type: 'string', minLength: 10, maxLength: 40, description: 'ISO-8601 date-time' } as const;

const eventFiltersSchema = {
  type: 'array',
  maxItems: 10,
  items: { type: 'object' },
} as const;

const triggerSchema = {
  description:
    'When the campaign sends: `now` when published, `at` a time, `cron` (five fields, in the project time zone; six with seconds where TOUCHPOINT_CAMPAIGN_CRON_SECONDS allows) until an optional `end_at`, or `event`: once per matching event, in real time.',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: { type: { const: 'now' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'at'],
      properties: { type: { const: 'at' }, at: dateTime },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'cron'],
      properties: {
        type: { const: 'cron' },
        cron: { type: 'string', minLength: 9, maxLength: 200 },
        end_at: { ...dateTime, type: ['string', 'null'] },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'event'],
      description:
        'Fires once per matching event from the committed event log (see docs/campaigns.md "Event triggers")',
      properties: {
        type: { const: 'event' },
        event: { type: 'string', minLength: 1, maxLength: 255, description: 'The event name that fires' },
        filters: {
          ...eventFiltersSchema,
          description:
            "Property conditions on the triggering event's properties (audience `property` conditions)",
        },
        delay_minutes: {
          type: 'integer',
          minimum: 0,
          maximum: MAX_TRIGGER_MINUTES,
          description: 'Wait after the event before sending (0: at once)',
        },
        start_at: {
          ...dateTime,
          type: ['string', 'null'],
          description: 'Listen from (default: when published)',
        },
        end_at: { ...dateTime, type: ['string', 'null'], description: 'Stop listening at (default: never)' },
        unless: {
          type: ['object', 'null'],
          additionalProperties: false,
          required: ['event', 'within_minutes'],
          description:
            'Only if the user did not do `event` within `within_minutes` after the trigger (with the same values of the `same` properties, e.g. cart_id); the message waits that long',
          properties: {
            event: { type: 'string', minLength: 1, maxLength: 255 },
            within_minutes: { type: 'integer', minimum: 1, maximum: MAX_TRIGGER_MINUTES },
            same: {
              type: 'array',
              maxItems: 10,
              items: { type: 'string', minLength: 1, maxLength: 255 },
            },
            filters: eventFiltersSchema,
          },
        },
      },
    },
  ],
} as const;

const conversionSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['event', 'within_days'],
  description: "The funnel's conversion step: this event by the same profile within N days of its message",
  properties: {
    event: { type: 'string', minLength: 1, maxLength: 255 },
    within_days: { type: 'integer', minimum: 1, maximum: 90 },
  },
} as const;

const frequencyCapSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['count', 'period_hours'],
  description:
    "At most `count` of this campaign's messages per user per `period_hours` (the project's own cap applies too)",
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 1000 },
    period_hours: { type: 'integer', minimum: 1, maximum: 8760 },
  },
} as const;

const nameSchema = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;
const idSchema = { type: ['string', 'null'], minLength: 1, maxLength: 64 } as const;

const writeProperties = {
  name: nameSchema,
  description: { type: ['string', 'null'], maxLength: 1000 },
  audience_id: idSchema,
  channel_id: idSchema,
  trigger: triggerSchema,
  template_values: { type: 'object', maxProperties: 200 },
  variables: { ...variablesSchema, default: undefined },
  conversion: conversionSchema,
  frequency_cap: frequencyCapSchema,
  quiet_hours: {
    type: 'string',
    enum: ['delay', 'drop'],
    description:
      "Inside the project's quiet hours: the message waits queued for their end (delay) or is skipped (drop)",
  },
} as const;

const campaignSchema = {
  type: 'object',
  required: [
    'id',
    'workspace_id',
    'name',
    'state',
    'audience_id',
    'channel_id',
    'trigger',
    'template_values',
    'variables',
    'conversion',
    'frequency_cap',
    'quiet_hours',
    'next_run_at',
    'allowed_actions',
    'created_at',
    'updated_at',
  ],
  properties: {
    id: { type: 'string' },
    workspace_id: { type: 'string' },
    name: { type: 'string' },
    description: { type: ['string', 'null'] },
    state: { type: 'string', enum: campaignStates },
    audience_id: { type: ['string', 'null'] },
    channel_id: { type: ['string', 'null'] },
    trigger: { type: 'object', additionalProperties: true },
    template_values: { type: 'object', additionalProperties: true },
    variables: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          source: { type: 'string' },
          default: { type: ['string', 'null'] },
        },
      },
    },
    conversion: {
      type: ['object', 'null'],
      properties: { event: { type: 'string' }, within_days: { type: 'integer' } },
    },
    frequency_cap: {
      type: ['object', 'null'],
      properties: { count: { type: 'integer' }, period_hours: { type: 'integer' } },
    },
    quiet_hours: { type: 'string', enum: ['delay', 'drop'] },
    next_run_at: { type: ['string', 'null'] },
    allowed_actions: {
      type: 'array',
      items: { type: 'string', enum: campaignActions },
      description: 'What the caller may do now, by state and permissions',
    },
    submitted_by: { type: ['string', 'null'] },
    submitted_at: { type: ['string', 'null'] },
    approved_by: { type: ['string', 'null'] },
    approved_at: { type: ['string', 'null'] },
    rejection: {
      type: ['object', 'null'],
      properties: { by: { type: 'string' }, at: { type: 'string' }, reason: { type: 'string' } },
    },
    published_by: { type: ['string', 'null'] },
    published_at: { type: ['string', 'null'] },
    created_by: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

const countsSchema = {
  type: 'object',
  required: ['queued', 'sending', 'delivered', 'failed', 'dead', 'sent', 'held'],
  properties: Object.fromEntries(
    ['queued', 'sending', 'delivered', 'failed', 'dead', 'sent', 'held'].map((s) => [s, { type: 'integer' }]),
  ),
} as const;

const runSchema = {
  type: 'object',
  required: [
    'id',
    'campaign_id',
    'scheduled_for',
    'state',
    'audience_size',
    'reachable',
    'processed',
    'queued',
    'skipped',
    'suppressed',
    'unsubscribed',
    'capped',
    'quiet',
    'fired',
    'excluded',
    'error',
    'started_at',
    'finished_at',
    'counts',
  ],
  properties: {
    id: { type: 'string' },
    campaign_id: { type: 'string' },
    scheduled_for: { type: 'string' },
    state: { type: 'string', enum: runStates },
    audience_size: { type: ['integer', 'null'], description: 'Audience members when the run started' },
    reachable: {
      type: ['integer', 'null'],
      description: "Of those, members holding the channel's send ID type: the run's target",
    },
    processed: { type: 'integer', description: 'Members rendered so far' },
    queued: { type: 'integer', description: 'Messages put into the outbox (one per send-ID value)' },
    skipped: { type: 'integer', description: 'Members left out while rendering (no send-ID value)' },
    suppressed: { type: 'integer', description: 'Members left out by the suppression list' },
    unsubscribed: { type: 'integer', description: 'Members left out as unsubscribed from the channel' },
    capped: { type: 'integer', description: 'Members left out by a frequency cap' },
    quiet: {
      type: 'integer',
      description: 'Members left out inside quiet hours (campaigns set to drop; delayed ones are queued)',
    },
    fired: { type: 'integer', description: 'Event campaigns: matching events taken (one fire each)' },
    excluded: {
      type: 'integer',
      description: 'Event campaigns: fires left out by the audience, the "unless" event, or a profile gone',
    },
    error: { type: ['string', 'null'], description: 'Why a paused or failed run could not render' },
    started_at: { type: 'string' },
    updated_at: { type: 'string' },
    finished_at: { type: ['string', 'null'] },
    counts: { ...countsSchema, description: "The run's messages by state" },
  },
} as const;

const previewSchema = {
  type: 'object',
  required: ['estimate', 'recipients'],
  properties: {
    estimate: {
      type: 'object',
      properties: {
        size: { type: 'integer' },
        reachable: { type: ['integer', 'null'] },
        send_id_type: { type: 'string' },
      },
    },
    recipients: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          tp_uid: { type: 'string' },
          identities: {
            type: 'array',
            items: { type: 'object', properties: { type: { type: 'string' }, value: { type: 'string' } } },
          },
          messages: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                push_id: { type: 'string' },
                params: { type: 'object', additionalProperties: true },
                custom_params: { type: 'object', additionalProperties: true },
              },
            },
          },
        },
      },
    },
  },
} as const;

interface WriteBody {
  name?: string;
  description?: string | null;
  audience_id?: string | null;
  channel_id?: string | null;
  trigger?: TriggerJson;
  template_values?: Record<string, unknown>;
  variables?: VariableJson[];
  conversion?: { event: string; within_days: number } | null;
  frequency_cap?: { count: number; period_hours: number } | null;
  quiet_hours?: 'delay' | 'drop';
}

function inputOf(body: WriteBody): CampaignInput {
  return {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.audience_id !== undefined ? { audienceId: body.audience_id } : {}),
    ...(body.channel_id !== undefined ? { channelId: body.channel_id } : {}),
    ...(body.trigger !== undefined ? { trigger: body.trigger } : {}),
    ...(body.template_values !== undefined ? { templateValues: body.template_values } : {}),
    ...(body.variables !== undefined ? { variables: body.variables } : {}),
    ...(body.conversion !== undefined
      ? {
          conversion:
            body.conversion === null
              ? null
              : { event: body.conversion.event, withinDays: body.conversion.within_days },
        }
      : {}),
    ...(body.frequency_cap !== undefined
      ? {
          frequencyCap:
            body.frequency_cap === null
              ? null
              : { count: body.frequency_cap.count, periodHours: body.frequency_cap.period_hours },
        }
      : {}),
    ...(body.quiet_hours !== undefined ? { quietHours: body.quiet_hours } : {}),
  };
}

const runJson = ({ run, counts }: { run: CampaignRun; counts: RunCounts }) => ({
  id: run.id,
  campaign_id: run.campaignId,
  scheduled_for: iso(run.scheduledFor),
  state: run.state,
  audience_size: run.audienceSize,
  reachable: run.reachable,
  processed: run.processed,
  queued: run.queued,
  skipped: run.skipped,
  suppressed: run.suppressed,
  unsubscribed: run.unsubscribed,
  capped: run.capped,
  quiet: run.quiet,
  fired: run.fired,
  excluded: run.excluded,
  error: run.error,
  started_at: iso(run.startedAt),
  updated_at: iso(run.updatedAt),
  finished_at: iso(run.finishedAt),
  counts,
});

const previewJson = (p: CampaignPreview) => ({
  estimate: { size: p.estimate.size, reachable: p.estimate.reachable, send_id_type: p.estimate.sendIdType },
  recipients: p.recipients.map((r) => ({
    tp_uid: r.tpUid,
    identities: r.identities,
    messages: r.messages.map((m) => ({ push_id: m.pushId, params: m.params, custom_params: m.customParams })),
  })),
});

const base = '/api/v1/projects/:projectId/workspaces/:workspaceId/campaigns';
const read = { scope: { kind: 'member', permission: null, workspace: true } } as const;
const edit = { scope: { kind: 'member', permission: 'campaign.edit', workspace: true } } as const;

const actionSummary: Readonly<Record<CampaignAction, string>> = {
  submit:
    'Submit a draft: to pending_approval when the workspace requires approval, else to pending_publish (campaign.edit)',
  approve: 'Approve a submission: to pending_publish; nobody approves their own (campaign.approve)',
  reject: 'Reject a submission back to draft with a reason (campaign.approve)',
  publish: 'Publish: scheduled; the scheduler fires its runs (campaign.operate)',
  pause: 'Pause: stops rendering and holds queued messages (campaign.operate)',
  resume:
    'Resume: rendering continues where it stopped and held messages are queued again (campaign.operate)',
  stop: 'Stop for good: queued and held messages end as failed with reason cancelled (campaign.operate)',
};

/** Campaigns of a workspace (SPEC §5): CRUD, the state machine, runs and the launch preview. */
export function campaignRoutes(deps: AppDeps): FastifyPluginAsync {
  const { campaigns, cursors } = deps;
  const json = (caller: Caller, access: ProjectAccess, c: Campaign) => ({
    id: c.id,
    workspace_id: c.workspaceId,
    name: c.name,
    description: c.description,
    state: c.state,
    audience_id: c.audienceId,
    channel_id: c.channelId,
    trigger: triggerJson(c.trigger),
    template_values: c.templateValues,
    variables: c.variables,
    conversion:
      c.conversion === null ? null : { event: c.conversion.event, within_days: c.conversion.withinDays },
    frequency_cap:
      c.frequencyCap === null
        ? null
        : { count: c.frequencyCap.count, period_hours: c.frequencyCap.periodHours },
    quiet_hours: c.quietHours,
    next_run_at: iso(c.nextRunAt),
    allowed_actions: campaigns.allowedActions(caller, access, c),
    submitted_by: c.submittedBy,
    submitted_at: iso(c.submittedAt),
    approved_by: c.approvedBy,
    approved_at: iso(c.approvedAt),
    rejection: c.rejection === null ? null : { ...c.rejection, at: iso(c.rejection.at) },
    published_by: c.publishedBy,
    published_at: iso(c.publishedAt),
    created_by: c.createdBy,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  });
  const respond = (request: FastifyRequest, c: Campaign) => json(callerOf(request), accessOf(request), c);

  return async (app) => {
    app.get(
      base,
      {
        config: read,
        schema: {
          tags: ['campaigns'],
          summary: 'Campaigns of the workspace, newest first, optionally in some states',
          params: params('workspaceId'),
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...pageQuerySchema,
              state: {
                type: 'string',
                pattern: `^(${campaignStates.join('|')})(,(${campaignStates.join('|')}))*$`,
                description: 'One state or several separated by commas (e.g. pending_approval)',
              },
            },
          },
          response: { 200: pageSchema(campaignSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { workspaceId } = request.params as { workspaceId: string };
        const query = request.query as { limit?: number; cursor?: string; state?: string };
        const states = query.state ? (query.state.split(',') as CampaignState[]) : undefined;
        const page = readPage(
          cursors,
          `campaigns:${access.scope.projectId}:${workspaceId}:${query.state ?? ''}`,
          query,
        );
        const rows = await campaigns.list(access, workspaceId, states ? { states } : {}, page.request);
        return page.respond(
          rows,
          (c) => [c.createdAt, c.id],
          (c) => respond(request, c),
        );
      },
    );

    app.post(
      base,
      {
        config: edit,
        schema: {
          tags: ['campaigns'],
          summary:
            'Create a draft (campaign.edit). A draft may be incomplete; what it holds is checked (channel usable here, values, variables, trigger)',
          params: params('workspaceId'),
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: writeProperties,
          },
          response: { 201: campaignSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = request.params as { workspaceId: string };
        const campaign = await campaigns.create(
          callerOf(request),
          accessOf(request),
          workspaceId,
          inputOf(request.body as WriteBody),
        );
        return reply.code(201).send(respond(request, campaign));
      },
    );

    app.post(
      `${base}/preview`,
      {
        config: edit,
        schema: {
          tags: ['campaigns'],
          summary:
            "The audience's estimate for the channel and its first recipients with the messages they would get, rendered as a run renders them (campaign.edit, and the channel usable by the caller)",
          params: params('workspaceId'),
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['audience_id', 'channel_id'],
            properties: {
              audience_id: { type: 'string', minLength: 1, maxLength: 64 },
              channel_id: { type: 'string', minLength: 1, maxLength: 64 },
              template_values: { type: 'object', maxProperties: 200, default: {} },
              variables: variablesSchema,
              limit: { type: 'integer', minimum: 1, maximum: 20, default: 10 },
            },
          },
          response: { 200: previewSchema },
        },
      },
      async (request) => {
        const { workspaceId } = request.params as { workspaceId: string };
        const body = request.body as {
          audience_id: string;
          channel_id: string;
          template_values: Record<string, unknown>;
          variables: VariableJson[];
          limit: number;
        };
        return previewJson(
          await campaigns.preview(callerOf(request), accessOf(request), workspaceId, {
            audienceId: body.audience_id,
            channelId: body.channel_id,
            templateValues: body.template_values,
            variables: body.variables,
            limit: body.limit,
          }),
        );
      },
    );

    app.get(
      `${base}/:campaignId`,
      {
        config: read,
        schema: {
          tags: ['campaigns'],
          summary: 'A campaign with the actions the caller may take now',
          params: params('workspaceId', 'campaignId'),
          response: { 200: campaignSchema },
        },
      },
      async (request) => {
        const { workspaceId, campaignId } = request.params as { workspaceId: string; campaignId: string };
        return respond(request, await campaigns.get(accessOf(request), workspaceId, campaignId));
      },
    );

    app.patch(
      `${base}/:campaignId`,
      {
        config: edit,
        schema: {
          tags: ['campaigns'],
          summary: 'Edit a draft (campaign.edit); other states answer TP_ERR_CAMPAIGN_STATE',
          params: params('workspaceId', 'campaignId'),
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: writeProperties,
          },
          response: { 200: campaignSchema },
        },
      },
      async (request) => {
        const { workspaceId, campaignId } = request.params as { workspaceId: string; campaignId: string };
        const campaign = await campaigns.update(
          callerOf(request),
          accessOf(request),
          workspaceId,
          campaignId,
          inputOf(request.body as WriteBody),
        );
        return respond(request, campaign);
      },
    );

    app.delete(
      `${base}/:campaignId`,
      {
        config: edit,
        schema: {
          tags: ['campaigns'],
          summary:
            'Delete a draft, completed or stopped campaign (campaign.edit); its messages stay in the log',
          params: params('workspaceId', 'campaignId'),
          response: noContent,
        },
      },
      async (request, reply) => {
        const { workspaceId, campaignId } = request.params as { workspaceId: string; campaignId: string };
        await campaigns.delete(callerOf(request), accessOf(request), workspaceId, campaignId);
        return reply.code(204).send();
      },
    );

    for (const action of campaignActions) {
      app.post(
        `${base}/:campaignId/${action}`,
        {
          config: { scope: { kind: 'member', permission: actionPermission[action], workspace: true } },
          schema: {
            tags: ['campaigns'],
            summary: actionSummary[action],
            params: params('workspaceId', 'campaignId'),
            ...(action === 'reject'
              ? {
                  body: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['reason'],
                    properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
                  },
                }
              : {}),
            response: { 200: campaignSchema },
          },
        },
        async (request) => {
          const { workspaceId, campaignId } = request.params as { workspaceId: string; campaignId: string };
          const body = (request.body ?? {}) as { reason?: string };
          const campaign = await campaigns.act(
            callerOf(request),
            accessOf(request),
            workspaceId,
            campaignId,
            action,
            body.reason !== undefined ? { reason: body.reason } : {},
          );
          return respond(request, campaign);
        },
      );
    }

    app.get(
      `${base}/:campaignId/runs`,
      {
        config: read,
        schema: {
          tags: ['campaigns'],
          summary: "The campaign's runs (task instances), newest first, with progress and messages by state",
          params: params('workspaceId', 'campaignId'),
          querystring: { type: 'object', additionalProperties: false, properties: pageQuerySchema },
          response: { 200: pageSchema(runSchema) },
        },
      },
      async (request) => {
        const access = accessOf(request);
        const { workspaceId, campaignId } = request.params as { workspaceId: string; campaignId: string };
        const page = readPage(
          cursors,
          `campaign-runs:${access.scope.projectId}:${campaignId}`,
          request.query as { limit?: number; cursor?: string },
        );
        const rows = await campaigns.runs(access, workspaceId, campaignId, page.request);
        return page.respond(rows, (r) => [r.run.scheduledFor, r.run.id], runJson);
      },
    );

    app.get(
      `${base}/:campaignId/runs/:runId`,
      {
        config: read,
        schema: {
          tags: ['campaigns'],
          summary: 'One run with its progress and messages by state',
          params: params('workspaceId', 'campaignId', 'runId'),
          response: { 200: runSchema },
        },
      },
      async (request) => {
        const { workspaceId, campaignId, runId } = request.params as {
          workspaceId: string;
          campaignId: string;
          runId: string;
        };
        return runJson(await campaigns.run(accessOf(request), workspaceId, campaignId, runId));
      },
    );
  };
}

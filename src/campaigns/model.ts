import type { PropertyConditionJson } from '../audiences/model.ts';
import type { VariableJson } from '../channels/variables.ts';
import type { MessageState } from '../delivery/model.ts';

/** SPEC §5 "States", in the order a campaign normally moves through them. */
export const campaignStates = [
  'draft',
  'pending_approval',
  'pending_publish',
  'scheduled',
  'running',
  'paused',
  'completed',
  'stopped',
] as const;
export type CampaignState = (typeof campaignStates)[number];

/** What an operator does to a campaign: `POST …/campaigns/{id}/{action}`. */
export const campaignActions = ['submit', 'approve', 'reject', 'publish', 'pause', 'resume', 'stop'] as const;
export type CampaignAction = (typeof campaignActions)[number];

/**
 * The state machine of SPEC §5. `submit` goes to `pending_approval` when the workspace requires
 * approval and straight to `pending_publish` otherwise; `reject` returns the campaign to `draft`
 * for editing; `resume` returns to `running` once the campaign has fired, else to `scheduled`.
 * The scheduler moves `scheduled → running` when a run fires and `running → completed` when the
 * last run has delivered; nobody else does.
 */
export const transitions: Readonly<Record<CampaignState, readonly CampaignAction[]>> = {
  draft: ['submit'],
  pending_approval: ['approve', 'reject'],
  pending_publish: ['publish'],
  scheduled: ['pause', 'stop'],
  running: ['pause', 'stop'],
  paused: ['resume', 'stop'],
  completed: [],
  stopped: [],
};

/** States whose campaign still uses its channel: the channel cannot be disabled meanwhile. */
export const liveStates: readonly CampaignState[] = [
  'pending_approval',
  'pending_publish',
  'scheduled',
  'running',
  'paused',
];

/**
 * "Only if the user did not do `event` within `withinMinutes` of the trigger": an event of that
 * name by the same profile, passing `filters`, with the same values as the triggering event for
 * each property in `same` (e.g. `cart_id`), cancels the message. The message waits at least
 * that long.
 */
export interface UnlessEvent {
  readonly event: string;
  readonly withinMinutes: number;
  readonly same: readonly string[];
  readonly filters: readonly PropertyConditionJson[];
}

/**
 * A campaign started per user by an event (SPEC §5 "behavior event"): each matching event
 * received while the campaign listens (between `startAt` and `endAt`) sends to its profile
 * `delayMinutes` later, unless the `unless` event came first.
 */
export interface EventTrigger {
  readonly type: 'event';
  readonly event: string;
  /** Conditions on the event's properties (the audience builder's property conditions). */
  readonly filters: readonly PropertyConditionJson[];
  readonly delayMinutes: number;
  readonly startAt: number | null;
  readonly endAt: number | null;
  readonly unless: UnlessEvent | null;
}

/** Send now, at a time, recurring by a cron expression in the project's time zone, or per event. */
export type CampaignTrigger =
  | { readonly type: 'now' }
  | { readonly type: 'at'; readonly at: number }
  | { readonly type: 'cron'; readonly cron: string; readonly endAt: number | null }
  | EventTrigger;

/** The funnel's last step (issue on receipts): the event a message should lead to, and when. */
export interface ConversionGoal {
  readonly event: string;
  readonly withinDays: number;
}

export interface Campaign {
  readonly id: string;
  readonly projectId: number;
  readonly workspaceId: string;
  readonly name: string;
  readonly description: string | null;
  readonly state: CampaignState;
  readonly audienceId: string | null;
  readonly channelId: string | null;
  readonly trigger: CampaignTrigger;
  readonly templateValues: Readonly<Record<string, unknown>>;
  readonly variables: readonly VariableJson[];
  readonly conversion: ConversionGoal | null;
  /** At most `count` of this campaign's messages per user per `periodHours` (null: no cap). */
  readonly frequencyCap: { readonly count: number; readonly periodHours: number } | null;
  /** Inside the project's quiet hours a message waits for their end (`delay`) or is skipped. */
  readonly quietHours: 'delay' | 'drop';
  /** When the scheduler fires the next run (null: none pending). */
  readonly nextRunAt: number | null;
  readonly submittedBy: string | null;
  readonly submittedAt: number | null;
  readonly approvedBy: string | null;
  readonly approvedAt: number | null;
  readonly rejection: { readonly by: string; readonly at: number; readonly reason: string } | null;
  readonly publishedBy: string | null;
  readonly publishedAt: number | null;
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * A run's life: `rendering` (members streamed into the outbox, page by page) → `delivering` (all
 * rendered; messages on their way) → `completed` (none unfinished). `paused` with its campaign;
 * `stopped` by Stop; `failed` when it could not render (the channel became unusable, say), with
 * `error` saying why. An event-triggered campaign has one run, `listening` while it takes events,
 * then `delivering` once its window ends (or `stopped`).
 */
export const runStates = [
  'rendering',
  'listening',
  'paused',
  'delivering',
  'completed',
  'stopped',
  'failed',
] as const;
export type RunState = (typeof runStates)[number];

/** A task instance: one run of a campaign, with its progress. */
export interface CampaignRun {
  readonly id: string;
  readonly projectId: number;
  readonly campaignId: string;
  readonly workspaceId: string;
  readonly scheduledFor: number;
  readonly state: RunState;
  /** The last tp_uid whose messages are committed (members are rendered in tp_uid order). */
  readonly cursor: string | null;
  /** Audience members when the run started, and of those the ones with the send ID type. */
  readonly audienceSize: number | null;
  readonly reachable: number | null;
  /** Members rendered so far, messages queued, members skipped (no send-ID value). */
  readonly processed: number;
  readonly queued: number;
  readonly skipped: number;
  /** Members the send gate left out: suppressed, or unsubscribed from the channel. */
  readonly suppressed: number;
  readonly unsubscribed: number;
  /** Members over a frequency cap; members inside quiet hours whose message was dropped. */
  readonly capped: number;
  readonly quiet: number;
  /** Event campaigns: matching events recorded, and those left out by the audience or "unless". */
  readonly fired: number;
  readonly excluded: number;
  readonly error: string | null;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
}

export type RunCounts = Record<MessageState, number>;

import { call } from '../../api/client.ts';
import type { Endpoint } from '../../api/endpoints.ts';
import type { MessageCounts, Page, PageQuery } from '../../api/types.ts';

// The campaigns API (issue 19 point 4) as the console calls it, written against the contract in
// the issue while the routes were being built. Once the routes are in the served OpenAPI document,
// these endpoints move to ../../api/endpoints.ts (where the contract test checks them) and the
// types are derived in ../../api/types.ts like every other area's.

const base = '/api/v1/projects/{projectId}/workspaces/{workspaceId}/campaigns';

export const campaignEndpoints = {
  listCampaigns: { method: 'GET', path: base },
  createCampaign: { method: 'POST', path: base },
  previewCampaign: { method: 'POST', path: `${base}/preview` },
  getCampaign: { method: 'GET', path: `${base}/{campaignId}` },
  updateCampaign: { method: 'PATCH', path: `${base}/{campaignId}` },
  deleteCampaign: { method: 'DELETE', path: `${base}/{campaignId}` },
  campaignAction: { method: 'POST', path: `${base}/{campaignId}/{action}` },
  listCampaignRuns: { method: 'GET', path: `${base}/{campaignId}/runs` },
} as const satisfies Record<string, Endpoint>;

/** SPEC §5's states, in the order a campaign goes through them. */
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

/** The transitions `POST …/campaigns/{id}/{action}` takes. */
export const campaignActions = ['submit', 'approve', 'reject', 'publish', 'pause', 'resume', 'stop'] as const;
export type CampaignAction = (typeof campaignActions)[number];

export type CampaignTrigger =
  | { readonly type: 'now' }
  | { readonly type: 'at'; readonly at: string }
  | { readonly type: 'cron'; readonly cron: string; readonly end_at: string | null };

/** `${name}` in a dynamic text takes the profile property `source` (`user.<property>`). */
export interface CampaignVariable {
  readonly name: string;
  readonly source: string;
  readonly default?: string;
}

export interface CampaignConversion {
  readonly event: string;
  readonly within_days: number;
}

export interface Campaign {
  readonly id: string;
  readonly workspace_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly state: CampaignState;
  readonly audience_id: string | null;
  readonly channel_id: string | null;
  readonly trigger: CampaignTrigger;
  readonly template_values: Record<string, unknown>;
  readonly variables: readonly CampaignVariable[];
  readonly conversion: CampaignConversion | null;
  readonly next_run_at: string | null;
  /** What the caller may do now (the server decides; the console only offers these). */
  readonly allowed_actions: readonly string[];
  readonly submitted_by: string | null;
  readonly submitted_at: string | null;
  readonly approved_by: string | null;
  readonly approved_at: string | null;
  readonly rejection: { readonly by: string; readonly at: string; readonly reason: string } | null;
  readonly created_by: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** What create and update take: an incomplete draft may be saved; submit checks it whole. */
export interface CampaignInput {
  readonly name?: string;
  readonly description?: string | null;
  readonly audience_id?: string | null;
  readonly channel_id?: string | null;
  readonly trigger?: CampaignTrigger;
  readonly template_values?: Record<string, unknown>;
  readonly variables?: readonly CampaignVariable[];
  readonly conversion?: CampaignConversion | null;
}

export const runStates = ['rendering', 'paused', 'delivering', 'completed', 'stopped', 'failed'] as const;
export type RunState = (typeof runStates)[number];

/** One task instance: its progress (processed of reachable) and its messages by state. */
export interface CampaignRun {
  readonly id: string;
  readonly campaign_id: string;
  readonly scheduled_for: string;
  readonly state: RunState;
  readonly audience_size: number;
  readonly reachable: number;
  readonly processed: number;
  readonly queued: number;
  readonly skipped: number;
  readonly error: string | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly counts: MessageCounts;
}

export interface CampaignPreviewInput {
  readonly audience_id: string;
  readonly channel_id: string;
  readonly template_values: Record<string, unknown>;
  readonly variables: readonly CampaignVariable[];
  readonly limit?: number;
}

export interface PreviewMessage {
  readonly push_id: string;
  readonly params: Record<string, unknown>;
  readonly custom_params: Record<string, unknown>;
}

export interface CampaignPreview {
  readonly estimate: { readonly size: number; readonly reachable: number; readonly send_id_type: string };
  readonly recipients: readonly {
    readonly tp_uid: string;
    readonly identities: readonly { readonly type: string; readonly value: string }[];
    readonly messages: readonly PreviewMessage[];
  }[];
}

type WorkspaceParams = { projectId: number; workspaceId: string };
type CampaignParams = WorkspaceParams & { campaignId: string };
const e = campaignEndpoints;

export const campaignApi = {
  list: (p: WorkspaceParams, query: PageQuery & { state?: CampaignState | '' } = {}) =>
    call<Page<Campaign>>(e.listCampaigns, { params: p, query: { ...query } }),
  create: (p: WorkspaceParams, body: CampaignInput & { name: string }) =>
    call<Campaign>(e.createCampaign, { params: p, body }),
  get: (p: CampaignParams) => call<Campaign>(e.getCampaign, { params: p }),
  update: (p: CampaignParams, body: CampaignInput) => call<Campaign>(e.updateCampaign, { params: p, body }),
  delete: (p: CampaignParams) => call<void>(e.deleteCampaign, { params: p }),
  /** A transition; `reject` takes `{reason}`. A forbidden one answers TP_ERR_CAMPAIGN_STATE. */
  act: (p: CampaignParams, action: CampaignAction, body: { reason?: string } = {}) =>
    call<Campaign>(e.campaignAction, { params: { ...p, action }, body }),
  runs: (p: CampaignParams, query: PageQuery = {}) =>
    call<Page<CampaignRun>>(e.listCampaignRuns, { params: p, query: { ...query } }),
  preview: (p: WorkspaceParams, body: CampaignPreviewInput) =>
    call<CampaignPreview>(e.previewCampaign, { params: p, body }),
};

import type { ColumnType, Generated } from 'kysely';

// Row types of every table, as Kysely sees them: one interface per table, every column the
// migrations create (a migration that adds a column adds it here too). Repositories select with
// `Selectable<…Table>` and insert with `Insertable<…Table>`, or pick the columns they need; no
// repository declares its own copy of a table. They never leave src/store/: repositories map rows
// to domain types (snake_case here, camelCase outside).

/**
 * A JSON document: `jsonb` (PostgreSQL, read back parsed) or `text` (SQLite, read back as a
 * string); read with `fromJson`, written as `JSON.stringify(…)` text.
 */
export type JsonColumn = ColumnType<unknown, string, string>;
/** A JSON document that may be NULL. */
export type NullableJsonColumn = ColumnType<unknown, string | null, string | null>;
/** `boolean` on PostgreSQL, 0/1 on SQLite: read with `bool()`. */
export type BooleanColumn = ColumnType<boolean | number, boolean, boolean>;

export interface InstanceSettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface MigrationsTable {
  id: number;
  name: string;
  applied_at: number;
}

export interface Database {
  instance_settings: InstanceSettingsTable;
  tp_migrations: MigrationsTable;
  accounts: AccountsTable;
  projects: ProjectsTable;
  workspaces: WorkspacesTable;
  memberships: MembershipsTable;
  membership_workspaces: MembershipWorkspacesTable;
  usage_grants: UsageGrantsTable;
  sessions: SessionsTable;
  password_links: PasswordLinksTable;
  api_tokens: ApiTokensTable;
  invitations: InvitationsTable;
  audit_log: AuditLogTable;
  apps: AppsTable;
  data_sources: DataSourcesTable;
  source_activity: SourceActivityTable;
  events: EventsTable;
  profiles: ProfilesTable;
  profile_identities: ProfileIdentitiesTable;
  profile_cursors: ProfileCursorsTable;
  profile_events: ProfileEventsTable;
  id_types: IdTypesTable;
  project_settings: ProjectSettingsTable;
  event_definitions: EventDefinitionsTable;
  event_properties: EventPropertiesTable;
  verify_buffer: VerifyBufferTable;
  ingest_digests: IngestDigestsTable;
  channels: ChannelsTable;
  channel_workspaces: ChannelWorkspacesTable;
  sends: SendsTable;
  messages: MessagesTable;
  message_attempts: MessageAttemptsTable;
  channel_health: ChannelHealthTable;
  delivery_stats: DeliveryStatsTable;
  channel_rates: ChannelRatesTable;
  audiences: AudiencesTable;
  campaigns: CampaignsTable;
  campaign_runs: CampaignRunsTable;
  suppressions: SuppressionsTable;
  unsubscribes: UnsubscribesTable;
  erasure_tombstones: ErasureTombstonesTable;
  campaign_fires: CampaignFiresTable;
  message_receipts: MessageReceiptsTable;
}

export interface AccountsTable {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  is_instance_admin: boolean | number;
  must_change_password: boolean | number;
  failed_logins: number;
  locked_until: number | null;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  time_zone: string;
  created_at: number;
  updated_at: number;
}

export interface WorkspacesTable {
  id: string;
  project_id: number;
  name: string;
  name_key: string;
  require_approval: boolean | number;
  created_at: number;
  updated_at: number;
}

export interface MembershipsTable {
  project_id: number;
  account_id: string;
  role: string;
  created_at: number;
  updated_at: number;
}

export interface MembershipWorkspacesTable {
  project_id: number;
  account_id: string;
  workspace_id: string;
}

export interface UsageGrantsTable {
  project_id: number;
  account_id: string;
  channel_id: string;
  granted_by: string;
  created_at: number;
}

export interface SessionsTable {
  id_hash: string;
  account_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
}

export interface PasswordLinksTable {
  token_hash: string;
  account_id: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ApiTokensTable {
  id: string;
  project_id: number;
  name: string;
  token_hash: string;
  permissions: string;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface InvitationsTable {
  id: string;
  project_id: number;
  email: string;
  name: string | null;
  role: string;
  /** JSON array of workspace ids. */
  workspace_ids: string;
  token_hash: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  project_id: number | null;
  at: number;
  actor_type: string;
  actor_id: string;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string;
  target_label: string;
  ip: string | null;
  request_id: string | null;
  details: string;
}

export interface AppsTable {
  id: string;
  project_id: number;
  name: string;
  name_key: string;
  app_type: string;
  created_at: number;
  updated_at: number;
}

export interface DataSourcesTable {
  id: string;
  project_id: number;
  app_id: string;
  name: string;
  name_key: string;
  platforms: unknown;
  time_zone: string | null;
  app_key: string;
  master_secret: string;
  scheme: string | null;
  status: string;
  rate_limit: number | null;
  credentials_version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface SourceActivityTable {
  source_id: string;
  project_id: number;
  hour_start: number;
  events: number;
  last_event_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  project_id: number;
  source_id: string;
  message_id: string;
  format: string;
  type: string;
  event_name: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  account_id: string | null;
  distinct_id: string | null;
  previous_id: string | null;
  group_id: string | null;
  identities: JsonColumn;
  properties: JsonColumn;
  traits: JsonColumn;
  context: JsonColumn;
  extra: JsonColumn;
  receipt_properties: NullableJsonColumn;
  ops_request_id: string | null;
  event_time: number;
  sent_at: number | null;
  received_at: number;
  /** Set by the profile applier in the transaction that applied the event (0006). */
  applied_at: number | null;
  /** The profile the event was applied to (0006). */
  tp_uid: string | null;
}

export interface ProfilesTable {
  project_id: number;
  tp_uid: string;
  properties: string;
  meta: string;
  created_at: number;
  updated_at: number;
  last_event_at: number | null;
  event_count: number;
  merged_into: string | null;
}

/** How far the profile applier has applied a project's event log (0013). */
export interface ProfileCursorsTable {
  project_id: number;
  /** Every event of the project with an id up to this one is applied. */
  applied_through: number;
  updated_at: number;
}

/** The profile an applied event belongs to (0013); a merge moves the loser's rows. */
export interface ProfileEventsTable {
  project_id: number;
  tp_uid: string;
  event_time: number;
  event_id: number;
}

export interface ProfileIdentitiesTable {
  project_id: number;
  id_type: string;
  value: string;
  tp_uid: string;
  created_at: number;
}

export interface IdTypesTable {
  project_id: number;
  name: string;
  is_unique: BooleanColumn;
  created_at: number;
}

export interface ProjectSettingsTable {
  project_id: number;
  key: string;
  value: string;
}

export interface EventDefinitionsTable {
  project_id: number;
  name: string;
  event_count: number;
  first_seen: number | null;
  last_seen: number | null;
  declared: BooleanColumn;
  description: string | null;
}

export interface EventPropertiesTable {
  project_id: number;
  event_name: string;
  name: string;
  types: string;
  first_seen: number;
  last_seen: number;
}

export interface IngestDigestsTable {
  project_id: number;
  source_id: string;
  digest: string;
  received_at: number;
}

export interface VerifyBufferTable {
  project_id: number;
  source_id: string;
  entry_id: string;
  received_at: number;
  verdict: string;
  reasons: JsonColumn;
  event: string;
}

export interface ChannelsTable {
  id: string;
  project_id: number;
  kind: string;
  name: string;
  name_key: string | null;
  category: string;
  description: string | null;
  app_id: string | null;
  status: string;
  test_status: string;
  tested_at: number | null;
  config: unknown;
  token_secret: string | null;
  v2_key: string | null;
  v2_previous_key: string | null;
  v2_previous_until: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface ChannelWorkspacesTable {
  project_id: number;
  channel_id: string;
  workspace_id: string;
  authorized_by: string;
  created_at: number;
}

export interface SendsTable {
  id: string;
  project_id: number;
  workspace_id: string;
  channel_id: string;
  idempotency_key: string | null;
  created_by: string;
  queued: number;
  skipped: JsonColumn;
  created_at: number;
}

export interface MessagesTable {
  id: Generated<number>;
  project_id: number;
  channel_id: string;
  ops_request_id: string;
  push_id: string;
  tp_uid: string | null;
  workspace_id: string | null;
  send_id: string | null;
  campaign_id: string | null;
  task_id: string;
  task_instance_id: string;
  body: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  lease_token: string | null;
  leased_until: number | null;
  leased_by: string | null;
  last_reason: string | null;
  last_error: string | null;
  held_reason: string | null;
  manual_replay: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface MessageAttemptsTable {
  id: Generated<number>;
  project_id: number;
  message_id: number;
  batch_id: string;
  attempt: number;
  lease_token: string;
  leased_by: string | null;
  leased_until: number | null;
  started_at: number;
  latency_ms: number;
  status: number | null;
  result: string;
  outcome: string;
  reason: string | null;
  detail: string | null;
  response_excerpt: string | null;
  manual_replay: ColumnType<number, number | undefined, number>;
  late: ColumnType<number, number | undefined, number>;
}

/** A channel's shared request-start schedule (migration 0014, decision 91). */
export interface ChannelRatesTable {
  channel_id: string;
  project_id: number;
  /** Earliest start of its next request, microseconds of the database clock. */
  next_start_us: number;
  updated_at: number;
}

export interface ChannelHealthTable {
  channel_id: string;
  project_id: number;
  state: string;
  reason: string | null;
  since: number | null;
  last_success_at: number | null;
  first_failure_at: number | null;
  last_failure_at: number | null;
  failed_requests: number;
  updated_at: number;
}

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
/** `latency_00` … `latency_29`: requests per latency bucket (src/delivery/delivery-stats.ts). */
export type LatencyColumn = `latency_${'0' | '1' | '2'}${Digit}`;
type Counter = ColumnType<number, number | undefined, number>;

export type DeliveryStatsTable = {
  id: Generated<number>;
  project_id: number;
  channel_id: string;
  minute: number;
  requests: Counter;
  request_errors: Counter;
  request_partial: Counter;
  delivered: Counter;
  sent: Counter;
  retry: Counter;
  failed: Counter;
  dead: Counter;
  held: Counter;
  late: Counter;
  latency_ms_sum: Counter;
} & { [K in LatencyColumn]: Counter };

export interface AudiencesTable {
  id: string;
  project_id: number;
  workspace_id: string;
  name: string;
  name_key: string;
  description: string | null;
  conditions: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface CampaignsTable {
  id: string;
  project_id: number;
  workspace_id: string;
  name: string;
  name_key: string;
  description: string | null;
  state: string;
  audience_id: string | null;
  channel_id: string | null;
  trigger: string;
  template_values: string;
  variables: string;
  conversion: string | null;
  frequency_cap: string | null;
  quiet_hours: ColumnType<string, string | undefined, string>;
  next_run_at: number | null;
  submitted_by: string | null;
  submitted_at: number | null;
  approved_by: string | null;
  approved_at: number | null;
  rejection: string | null;
  published_by: string | null;
  published_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface CampaignRunsTable {
  id: string;
  project_id: number;
  campaign_id: string;
  workspace_id: string;
  scheduled_for: number;
  state: string;
  cursor: string | null;
  audience_size: number | null;
  reachable: number | null;
  processed: ColumnType<number, number | undefined, number>;
  queued: ColumnType<number, number | undefined, number>;
  skipped: ColumnType<number, number | undefined, number>;
  suppressed: ColumnType<number, number | undefined, number>;
  unsubscribed: ColumnType<number, number | undefined, number>;
  capped: ColumnType<number, number | undefined, number>;
  quiet: ColumnType<number, number | undefined, number>;
  fired: ColumnType<number, number | undefined, number>;
  excluded: ColumnType<number, number | undefined, number>;
  error: string | null;
  lease_token: string | null;
  leased_until: number | null;
  leased_by: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface SuppressionsTable {
  id: string;
  project_id: number;
  id_type: string;
  value: string;
  reason: string | null;
  source: string;
  created_by: string | null;
  created_at: number;
}

export interface UnsubscribesTable extends SuppressionsTable {
  channel_id: string;
}

/** An erased user's identity (0019): a keyed hash, never the value; pruned after `expires_at`. */
export interface ErasureTombstonesTable {
  project_id: number;
  id_hash: string;
  erased_at: number;
  expires_at: number;
}

export interface CampaignFiresTable {
  id: string;
  project_id: number;
  campaign_id: string;
  workspace_id: string;
  run_id: string;
  event_id: number;
  tp_uid: string;
  event_time: number;
  received_at: number;
  event_properties: string;
  due_at: number;
  state: string;
  reason: string | null;
  messages: ColumnType<number, number | undefined, number>;
  lease_token: string | null;
  leased_until: number | null;
  created_at: number;
  done_at: number | null;
}

export interface MessageReceiptsTable {
  id: Generated<number>;
  project_id: number;
  ops_request_id: string;
  step: string;
  channel_id: string;
  campaign_id: string | null;
  task_instance_id: string;
  send_id: string | null;
  event_id: number;
  event_time: number;
  created_at: number;
}

import type {
  ApiToken,
  AuditEntry,
  Invitation,
  Member,
  MembershipSummary,
  Project,
  Workspace,
  Account,
} from '../../tenancy/model.ts';

// Explicit mappers from domain types to API JSON (snake_case). With the response schemas they are
// the allow-list of what leaves the server (MT-08).

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;

export const accountSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'is_instance_admin', 'must_change_password'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    is_instance_admin: { type: 'boolean' },
    must_change_password: { type: 'boolean' },
  },
} as const;

export const accountJson = (a: Account) => ({
  id: a.id,
  email: a.email,
  name: a.name,
  is_instance_admin: a.isInstanceAdmin,
  must_change_password: a.mustChangePassword,
});

export const membershipSchema = {
  type: 'object',
  properties: {
    project_id: { type: 'integer' },
    project_name: { type: 'string' },
    role: { type: 'string' },
    workspace_ids: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const membershipJson = (m: MembershipSummary) => ({
  project_id: m.projectId,
  project_name: m.projectName,
  role: m.role,
  workspace_ids: m.workspaceIds,
});

export const projectSchema = {
  type: 'object',
  required: ['id', 'name', 'time_zone', 'created_at'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    time_zone: { type: 'string' },
    created_at: dateTime,
  },
} as const;

export const projectJson = (p: Project) => ({
  id: p.id,
  name: p.name,
  time_zone: p.timeZone,
  created_at: iso(p.createdAt),
});

export const workspaceSchema = {
  type: 'object',
  required: ['id', 'project_id', 'name', 'require_approval', 'created_at'],
  properties: {
    id: { type: 'string' },
    project_id: { type: 'integer' },
    name: { type: 'string' },
    require_approval: { type: 'boolean' },
    created_at: dateTime,
  },
} as const;

export const workspaceJson = (w: Workspace) => ({
  id: w.id,
  project_id: w.projectId,
  name: w.name,
  require_approval: w.requireApproval,
  created_at: iso(w.createdAt),
});

export const memberSchema = {
  type: 'object',
  required: ['account_id', 'email', 'name', 'role', 'workspace_ids', 'created_at'],
  properties: {
    account_id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    workspace_ids: { type: 'array', items: { type: 'string' } },
    created_at: dateTime,
  },
} as const;

export const memberJson = (m: Member) => ({
  account_id: m.accountId,
  email: m.email,
  name: m.name,
  role: m.role,
  workspace_ids: m.workspaceIds,
  created_at: iso(m.createdAt),
});

export const invitationSchema = {
  type: 'object',
  required: ['id', 'email', 'role', 'workspace_ids', 'invited_by', 'created_at', 'expires_at'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    workspace_ids: { type: 'array', items: { type: 'string' } },
    invited_by: {
      type: 'object',
      properties: { account_id: { type: 'string' }, email: { type: 'string' } },
    },
    created_at: dateTime,
    expires_at: dateTime,
  },
} as const;

export const invitationJson = (i: Invitation) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  workspace_ids: i.workspaceIds,
  invited_by: { account_id: i.invitedBy.accountId, email: i.invitedBy.email },
  created_at: iso(i.createdAt),
  expires_at: iso(i.expiresAt),
});

export const tokenSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'permissions',
    'created_by',
    'created_at',
    'expires_at',
    'last_used_at',
    'revoked_at',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    permissions: { type: 'array', items: { type: 'string' } },
    created_by: {
      type: 'object',
      properties: { account_id: { type: 'string' }, email: { type: 'string' } },
    },
    created_at: dateTime,
    expires_at: nullableString,
    last_used_at: nullableString,
    revoked_at: nullableString,
  },
} as const;

export const tokenJson = (t: ApiToken) => ({
  id: t.id,
  name: t.name,
  permissions: t.permissions,
  created_by: { account_id: t.createdBy.accountId, email: t.createdBy.email },
  created_at: iso(t.createdAt),
  expires_at: iso(t.expiresAt),
  last_used_at: iso(t.lastUsedAt),
  revoked_at: iso(t.revokedAt),
});

const refSchema = {
  type: 'object',
  properties: { type: { type: 'string' }, id: { type: 'string' }, label: { type: 'string' } },
} as const;

export const auditEntrySchema = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action', 'target', 'ip', 'request_id', 'details'],
  properties: {
    id: { type: 'integer' },
    at: dateTime,
    actor: refSchema,
    action: { type: 'string' },
    target: refSchema,
    ip: nullableString,
    request_id: nullableString,
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const auditEntryJson = (e: AuditEntry) => ({
  id: e.id,
  at: iso(e.at),
  actor: e.actor,
  action: e.action,
  target: e.target,
  ip: e.ip,
  request_id: e.requestId,
  details: e.details,
});

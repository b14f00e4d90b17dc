import type { AccountSummary, ProjectSummary } from '../../tenancy/model.ts';
import { isoTime } from '../route-params.ts';
import { projectJson, projectSchema } from './tenancy-json.ts';

// The instance admin's views of accounts and projects (snake_case allow-lists, MT-08).

const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const accountSummarySchema = {
  type: 'object',
  required: [
    'id',
    'email',
    'name',
    'is_instance_admin',
    'must_change_password',
    'password_set',
    'locked',
    'locked_until',
    'last_login_at',
    'created_at',
    'memberships',
  ],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    name: { type: 'string' },
    is_instance_admin: { type: 'boolean' },
    must_change_password: { type: 'boolean' },
    password_set: { type: 'boolean', description: 'False until the account uses its set-password link' },
    locked: { type: 'boolean', description: 'Signing in is refused until locked_until (too many failures)' },
    locked_until: nullableDateTime,
    last_login_at: { ...nullableDateTime, description: 'Null: no sign-in recorded' },
    created_at: dateTime,
    memberships: {
      type: 'array',
      items: {
        type: 'object',
        required: ['project_id', 'project_name', 'role'],
        properties: {
          project_id: { type: 'integer' },
          project_name: { type: 'string' },
          role: { type: 'string' },
        },
      },
    },
  },
} as const;

export const accountSummaryJson = (a: AccountSummary, now = Date.now()) => ({
  id: a.id,
  email: a.email,
  name: a.name,
  is_instance_admin: a.isInstanceAdmin,
  must_change_password: a.mustChangePassword,
  password_set: a.passwordSet,
  locked: a.lockedUntil !== null && a.lockedUntil > now,
  locked_until: isoTime(a.lockedUntil),
  last_login_at: isoTime(a.lastLoginAt),
  created_at: isoTime(a.createdAt),
  memberships: a.memberships.map((m) => ({
    project_id: m.projectId,
    project_name: m.projectName,
    role: m.role,
  })),
});

export const passwordLinkSchema = {
  type: 'object',
  required: ['set_password_url', 'expires_at'],
  properties: { set_password_url: { type: 'string' }, expires_at: dateTime },
} as const;

export const projectSummarySchema = {
  ...projectSchema,
  required: [...projectSchema.required, 'member_count', 'admin_count'],
  properties: {
    ...projectSchema.properties,
    member_count: { type: 'integer' },
    admin_count: { type: 'integer', description: 'Project admins; 0 means nobody can manage it' },
  },
} as const;

export const projectSummaryJson = (p: ProjectSummary) => ({
  ...projectJson(p),
  member_count: p.memberCount,
  admin_count: p.adminCount,
});

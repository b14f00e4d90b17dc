import type { Permission } from './permissions.ts';

/** The instance admin the first embedded start creates. */
export const FIRST_ADMIN_EMAIL = 'admin@touchpoint.local';

export const roles = ['project_admin', 'workspace_admin', 'operator', 'viewer'] as const;
export type Role = (typeof roles)[number];

export interface Account {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly isInstanceAdmin: boolean;
  readonly mustChangePassword: boolean;
  readonly createdAt: number;
}

/** An account with what login needs; never leaves the tenancy module. */
export interface AccountCredentials extends Account {
  readonly passwordHash: string | null;
  readonly failedLogins: number;
  readonly lockedUntil: number | null;
}

export interface Project {
  readonly id: number;
  readonly name: string;
  readonly timeZone: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Workspace {
  readonly id: string;
  readonly projectId: number;
  readonly name: string;
  readonly requireApproval: boolean;
  readonly createdAt: number;
}

export interface Member {
  readonly accountId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly workspaceIds: readonly string[];
  readonly createdAt: number;
}

/** One project an account belongs to, as the session shows it. */
export interface MembershipSummary {
  readonly projectId: number;
  readonly projectName: string;
  readonly role: Role;
  readonly workspaceIds: readonly string[];
}

export interface ApiToken {
  readonly id: string;
  readonly projectId: number;
  readonly name: string;
  readonly permissions: readonly Permission[];
  readonly createdBy: { readonly accountId: string; readonly email: string };
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

/** A pending membership: the invitee joins by accepting (a new account sets its password). */
export interface Invitation {
  readonly id: string;
  readonly projectId: number;
  readonly email: string;
  /** Display name for an account the acceptance creates. */
  readonly name: string | null;
  readonly role: Role;
  readonly workspaceIds: readonly string[];
  readonly invitedBy: { readonly accountId: string; readonly email: string };
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly acceptedAt: number | null;
  readonly revokedAt: number | null;
}

export interface Session {
  readonly accountId: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
}

export interface AuditActor {
  readonly type: 'account' | 'token' | 'cli' | 'system';
  readonly id: string;
  readonly label: string;
}

export interface AuditEntry {
  readonly id: number;
  readonly projectId: number | null;
  readonly at: number;
  readonly actor: AuditActor;
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string; readonly label: string };
  readonly ip: string | null;
  readonly requestId: string | null;
  readonly details: Record<string, unknown>;
}

/** Keyset position for paging: the sort key of the last row seen. */
export type PageKey = readonly (string | number)[];

export interface PageRequest {
  readonly after?: PageKey;
  /** Rows to fetch; callers ask one more than the page size to know whether more exist. */
  readonly limit: number;
}

import type { Account, AuditActor, Role } from '../access/identity.ts';

export { roles } from '../access/identity.ts';
export type { Account, ApiToken, AuditActor, Role } from '../access/identity.ts';

/** The instance admin the first embedded start creates. */
export const FIRST_ADMIN_EMAIL = 'admin@touchpoint.local';

/** An account with what login needs; never leaves the tenancy module. */
export interface AccountCredentials extends Account {
  readonly passwordHash: string | null;
  readonly failedLogins: number;
  readonly lockedUntil: number | null;
  /** When the account last signed in with its password; null if never since that was recorded. */
  readonly lastLoginAt: number | null;
}

/** An account as the instance admin's accounts list shows it. */
export interface AccountSummary extends Account {
  readonly lockedUntil: number | null;
  readonly lastLoginAt: number | null;
  /** False until the account sets a password through its link. */
  readonly passwordSet: boolean;
  readonly memberships: readonly MembershipSummary[];
}

/** A project with how many members and project admins it has (the instance admin's list). */
export interface ProjectSummary extends Project {
  readonly memberCount: number;
  readonly adminCount: number;
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

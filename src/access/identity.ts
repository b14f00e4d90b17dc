import type { Permission } from './permissions.ts';

// Who acts: the identity types every domain sees through a Caller. The tenancy module owns the
// rows behind them (accounts, tokens, memberships); other domains only read these shapes.

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

export interface AuditActor {
  readonly type: 'account' | 'token' | 'cli' | 'system';
  readonly id: string;
  readonly label: string;
}

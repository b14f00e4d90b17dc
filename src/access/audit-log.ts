import type { Repositories } from '../store/store.ts';
import type { AuditContext } from './caller.ts';
import type { ProjectScope } from './scope.ts';

/** What a domain says happened; who and from where come from the `AuditContext`. */
export interface AuditWrite {
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string; readonly label: string };
  readonly details?: Record<string, unknown>;
}

/**
 * The append-only audit log as other domains see it (SPEC §1: lifecycle, secrets, approvals,
 * replays). Pass `tx` to write the entry in the same transaction as the change it records.
 *
 * @example
 *   await audit.record(access.scope, auditContextOf(caller), { action: 'channel.deleted', target }, tx);
 */
export interface AuditLog {
  record(scope: ProjectScope, context: AuditContext, entry: AuditWrite, tx?: Repositories): Promise<void>;
}

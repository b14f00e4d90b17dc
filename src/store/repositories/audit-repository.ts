import type { PageRequest } from '../../access/paging.ts';
import type { Kysely, Selectable } from 'kysely';
import type { AuditActor, AuditEntry } from '../../tenancy/model.ts';
import type { ProjectScope, Scope, SystemScope } from '../../access/scope.ts';
import type { AuditLogTable, Database } from '../schema.ts';
import { scoped } from './scoped.ts';

export interface AuditRecord {
  readonly actor: AuditActor;
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string; readonly label: string };
  readonly ip: string | null;
  readonly requestId: string | null;
  readonly details?: Record<string, unknown>;
}

/** The append-only audit log. There is deliberately no update or delete. */
export interface AuditRepository {
  /** A project's entry, or with a system scope an instance-level one (project null). */
  append(scope: Scope, record: AuditRecord): Promise<void>;
  /** Newest first; `after` is `[id]`. */
  list(scope: ProjectScope, filter: { action?: string }, page: PageRequest): Promise<AuditEntry[]>;
  /** The instance-level entries (project null), newest first; `after` is `[id]`. */
  listInstance(scope: SystemScope, filter: { action?: string }, page: PageRequest): Promise<AuditEntry[]>;
}

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(row.id),
    projectId: row.project_id === null ? null : Number(row.project_id),
    at: Number(row.at),
    actor: { type: row.actor_type as AuditActor['type'], id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: { type: row.target_type, id: row.target_id, label: row.target_label },
    ip: row.ip,
    requestId: row.request_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

export function auditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async append(scope, r) {
      await scoped(db, scope)
        .insertInto('audit_log')
        .values({
          project_id: scope.kind === 'project' ? scope.projectId : null,
          at: Date.now(),
          actor_type: r.actor.type,
          actor_id: r.actor.id,
          actor_label: r.actor.label,
          action: r.action,
          target_type: r.target.type,
          target_id: r.target.id,
          target_label: r.target.label,
          ip: r.ip,
          request_id: r.requestId,
          details: JSON.stringify(r.details ?? {}),
        })
        .execute();
    },
    async list(scope, filter, page) {
      let query = scoped(db, scope)
        .selectFrom('audit_log')
        .selectAll()
        .where('project_id', '=', scope.projectId);
      if (filter.action) query = query.where('action', '=', filter.action);
      if (page.after) query = query.where('id', '<', Number(page.after[0]));
      const rows = await query.orderBy('id', 'desc').limit(page.limit).execute();
      return rows.map(toEntry);
    },
    async listInstance(scope, filter, page) {
      let query = scoped(db, scope).selectFrom('audit_log').selectAll().where('project_id', 'is', null);
      if (filter.action) query = query.where('action', '=', filter.action);
      if (page.after) query = query.where('id', '<', Number(page.after[0]));
      const rows = await query.orderBy('id', 'desc').limit(page.limit).execute();
      return rows.map(toEntry);
    },
  };
}

import { useState } from 'react';
import { api } from '../../api/client.ts';
import { auditActions, type AuditAction, type AuditEntry } from '../../api/types.ts';
import { isMessageKey, useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Alert, Badge, EmptyState, type Tone } from '../../ui/display.tsx';
import { IconLog } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';

/** The filter's groups, in the order an admin looks for them; every action is in one. */
const actionGroups = [
  ['access', ['auth.', 'account.']],
  ['members', ['member.', 'token.']],
  ['project', ['project.', 'workspace.']],
  ['sources', ['app.', 'source.', 'secret.']],
  ['profiles', ['id_types.', 'event.', 'profiles.']],
  ['channels', ['channel.', 'delivery.']],
] as const;

function groupOf(action: AuditAction): (typeof actionGroups)[number][0] {
  return actionGroups.find(([, prefixes]) => prefixes.some((p) => action.startsWith(p)))?.[0] ?? 'project';
}

function actionTone(action: string): Tone {
  if (action.endsWith('failed') || action.endsWith('removed') || action.endsWith('revoked')) return 'red';
  if (action.endsWith('created') || action.endsWith('added')) return 'green';
  if (action.startsWith('auth.')) return 'neutral';
  return 'blue';
}

export function AuditPage() {
  const { t, formatTime } = useI18n();
  const { projectId, can } = useProject();
  const [action, setAction] = useState('');
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const pages = useCursorPages(
    (q) => api.listAudit({ projectId }, { ...q, action: action || undefined }),
    `audit:${projectId}:${action}`,
  );
  const actionLabel = (a: string) => {
    const key = `audit.action.${a}`;
    return isMessageKey(key) ? t(key) : a;
  };
  const typeLabel = (kind: 'targetType' | 'actorType', type: string) => {
    const key = `audit.${kind}.${type}`;
    return isMessageKey(key) ? t(key) : type;
  };

  const columns: Column<AuditEntry>[] = [
    { key: 'at', header: t('audit.at'), className: 'cell-muted', render: (e) => formatTime(e.at) },
    {
      key: 'action',
      header: t('audit.action'),
      render: (e) => (
        <>
          <Badge tone={actionTone(e.action)}>{actionLabel(e.action)}</Badge>
          <div className="cell-sub">
            <code>{e.action}</code>
          </div>
        </>
      ),
    },
    {
      key: 'actor',
      header: t('audit.actor'),
      render: (e) => (
        <>
          <div className="cell-primary">{e.actor.label}</div>
          <div className="cell-sub">{typeLabel('actorType', e.actor.type)}</div>
        </>
      ),
    },
    {
      key: 'target',
      header: t('audit.target'),
      render: (e) => (
        <>
          <div>{e.target.label}</div>
          <div className="cell-sub">{typeLabel('targetType', e.target.type)}</div>
        </>
      ),
    },
    { key: 'ip', header: t('audit.ip'), className: 'cell-muted', render: (e) => e.ip ?? '—' },
    {
      key: 'details',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (e) => (
        <Button
          variant="ghost"
          size="sm"
          onClick={() => setOpen(e)}
          aria-label={t('audit.detailsOf', { action: e.action })}
        >
          {t('audit.details')}
        </Button>
      ),
    },
  ];

  if (!can('audit.read')) return <Alert tone="info">{t('audit.noPermission')}</Alert>;
  return (
    <>
      <DataTable
        label={t('audit.title')}
        columns={columns}
        rows={pages.items}
        rowKey={(e) => String(e.id)}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            <select
              className="select"
              aria-label={t('audit.filterAction')}
              value={action}
              onChange={(e) => setAction(e.target.value)}
            >
              <option value="">{t('audit.allActions')}</option>
              {actionGroups.map(([group]) => (
                <optgroup key={group} label={t(`audit.group.${group}`)}>
                  {auditActions
                    .filter((a) => groupOf(a) === group)
                    .map((a) => (
                      <option key={a} value={a}>
                        {actionLabel(a)}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
            <span className="toolbar-spacer" />
            <span className="muted">{t('audit.subtitle')}</span>
          </>
        }
        empty={
          <EmptyState
            icon={<IconLog />}
            title={action ? t('common.noMatches') : t('audit.emptyTitle')}
            description={action ? t('common.noMatchesText') : t('audit.emptyText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
      <Dialog
        open={open !== null}
        onClose={() => setOpen(null)}
        title={open ? actionLabel(open.action) : ''}
        icon={<IconLog />}
        size="lg"
        footer={<Button onClick={() => setOpen(null)}>{t('common.close')}</Button>}
      >
        {open ? (
          <div className="stack">
            <dl className="kv">
              <dt>{t('audit.at')}</dt>
              <dd>{formatTime(open.at)}</dd>
              <dt>{t('audit.action')}</dt>
              <dd>
                <code>{open.action}</code>
              </dd>
              <dt>{t('audit.actor')}</dt>
              <dd>
                {open.actor.label}{' '}
                <span className="muted">
                  ({typeLabel('actorType', open.actor.type)} {open.actor.id})
                </span>
              </dd>
              <dt>{t('audit.target')}</dt>
              <dd>
                {open.target.label}{' '}
                <span className="muted">
                  ({typeLabel('targetType', open.target.type)} {open.target.id})
                </span>
              </dd>
              <dt>{t('audit.ip')}</dt>
              <dd>{open.ip ?? '—'}</dd>
              <dt>{t('audit.requestId')}</dt>
              <dd className="row">
                <code>{open.request_id ?? '—'}</code>
                {open.request_id ? (
                  <CopyButton value={open.request_id} label={t('audit.copyRequestId')} />
                ) : null}
              </dd>
            </dl>
            <div className="field">
              <span className="field-label">{t('audit.detailsJson')}</span>
              <pre className="json">{JSON.stringify(open.details, null, 2)}</pre>
            </div>
          </div>
        ) : null}
      </Dialog>
    </>
  );
}

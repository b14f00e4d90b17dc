import { useState } from 'react';
import { api } from '../../api/client.ts';
import {
  reportingStatuses,
  type DataSource,
  type ReportingStatus,
  type SourceStatus,
} from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { EmptyState } from '../../ui/display.tsx';
import {
  IconDatabase,
  IconPause,
  IconPlay,
  IconPlus,
  IconPulse,
  IconSearch,
  IconTrash,
} from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import {
  PlatformList,
  ReportingBadge,
  StatusBadge,
  sourcePath,
  sourcesPath,
  useApps,
  useSourceLifecycle,
} from './source-common.tsx';

/** The data source list: both filters of SPEC §2 (status, reporting status), cursor paging. */
export function SourceListPage() {
  const { t, formatTime } = useI18n();
  const { projectId, can } = useProject();
  const { byId } = useApps();
  const [status, setStatus] = useState<SourceStatus | ''>('');
  const [reporting, setReporting] = useState<ReportingStatus | ''>('');
  const pages = useCursorPages(
    (q) => api.listSources({ projectId }, { ...q, status, reporting_status: reporting }),
    `sources:${projectId}:${status}:${reporting}`,
  );
  const lifecycle = useSourceLifecycle(() => pages.reload());
  const manage = can('source.manage');
  const filtered = status !== '' || reporting !== '';

  const columns: Column<DataSource>[] = [
    {
      key: 'name',
      header: t('sources.name'),
      render: (s) => {
        const app = byId(s.app_id);
        return (
          <>
            <Link className="cell-primary" to={sourcePath(projectId, s.id)}>
              {s.name}
            </Link>
            <div className="cell-sub">{app ? `${app.name} · ${t(`appType.${app.app_type}`)}` : s.app_id}</div>
          </>
        );
      },
    },
    { key: 'platforms', header: t('sources.platforms'), render: (s) => <PlatformList source={s} /> },
    { key: 'status', header: t('sources.statusLabel'), render: (s) => <StatusBadge source={s} /> },
    {
      key: 'reporting',
      header: t('sources.reportingLabel'),
      render: (s) => (
        <>
          <ReportingBadge source={s} />
          <div className="cell-sub">
            {s.last_event_at
              ? t('sources.lastEventAt', { time: formatTime(s.last_event_at) })
              : t('sources.noEventYet')}
          </div>
        </>
      ),
    },
    {
      key: 'events',
      header: t('sources.events24h'),
      className: 'cell-num',
      render: (s) => s.events_24h.toLocaleString(),
    },
    {
      key: 'created',
      header: t('common.created'),
      className: 'cell-muted',
      render: (s) => formatTime(s.created_at),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (s) => (
        <span className="row row-end">
          <Link
            className="btn btn-ghost btn-sm"
            to={`${sourcePath(projectId, s.id)}/events`}
            aria-label={`${t('sources.view')} ${s.name}`}
          >
            <IconSearch />
            {t('sources.view')}
          </Link>
          <Link
            className="btn btn-ghost btn-sm"
            to={`${sourcePath(projectId, s.id)}/verify`}
            aria-label={`${t('sources.verify')} ${s.name}`}
          >
            <IconPulse />
            {t('sources.verify')}
          </Link>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => navigate(sourcePath(projectId, s.id))}
            aria-label={t('sources.detailsOf', { name: s.name })}
          >
            {t('sources.details')}
          </Button>
          {manage ? (
            <>
              {s.status === 'enabled' ? (
                <Button
                  variant="ghost"
                  size="sm"
                  icon={<IconPause />}
                  onClick={() => lifecycle.ask('disable', s)}
                  aria-label={t('sources.disableOf', { name: s.name })}
                >
                  {t('sources.disable')}
                </Button>
              ) : (
                <Button
                  variant="ghost"
                  size="sm"
                  icon={<IconPlay />}
                  onClick={() => void lifecycle.enable(s)}
                  aria-label={t('sources.enableOf', { name: s.name })}
                >
                  {t('sources.enable')}
                </Button>
              )}
              <Button
                variant="ghost-danger"
                size="sm"
                iconOnly
                icon={<IconTrash />}
                onClick={() => lifecycle.ask('delete', s)}
                aria-label={t('sources.deleteOf', { name: s.name })}
                title={t('sources.deleteOf', { name: s.name })}
              />
            </>
          ) : null}
        </span>
      ),
    },
  ];

  return (
    <>
      <DataTable
        label={t('sources.listTitle')}
        columns={columns}
        rows={pages.items}
        rowKey={(s) => s.id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            <select
              className="select"
              aria-label={t('sources.filterStatus')}
              value={status}
              onChange={(e) => setStatus(e.target.value as SourceStatus | '')}
            >
              <option value="">{t('sources.allStatuses')}</option>
              {(['enabled', 'disabled'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`sources.status.${s}`)}
                </option>
              ))}
            </select>
            <select
              className="select"
              aria-label={t('sources.filterReporting')}
              value={reporting}
              onChange={(e) => setReporting(e.target.value as ReportingStatus | '')}
            >
              <option value="">{t('sources.allReporting')}</option>
              {reportingStatuses.map((r) => (
                <option key={r} value={r}>
                  {t(`sources.reporting.${r}`)}
                </option>
              ))}
            </select>
            {filtered ? (
              <Button
                variant="ghost"
                size="sm"
                onClick={() => {
                  setStatus('');
                  setReporting('');
                }}
              >
                {t('sources.clearFilters')}
              </Button>
            ) : null}
            <span className="toolbar-spacer" />
            {manage ? (
              <Button
                variant="primary"
                size="sm"
                icon={<IconPlus />}
                onClick={() => navigate(`${sourcesPath(projectId)}/new`)}
              >
                {t('connections.createSource')}
              </Button>
            ) : null}
          </>
        }
        empty={
          <EmptyState
            icon={<IconDatabase />}
            title={filtered ? t('common.noMatches') : t('connections.sourcesEmptyTitle')}
            description={filtered ? t('common.noMatchesText') : t('connections.sourcesEmptyText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
      {lifecycle.dialogs}
    </>
  );
}

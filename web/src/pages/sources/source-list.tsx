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
import { IconDatabase } from '../../ui/icons.tsx';
import { useCursorPages, type Column } from '../../ui/table.tsx';
import {
  ConnectionTable,
  choiceFilter,
  statusColumn,
  statusFilter,
} from '../connections/connection-table.tsx';
import { useLifecycle } from '../connections/lifecycle.tsx';
import { useSourceLinks } from './source-card.tsx';
import { PlatformList, ReportingBadge, useApps, sourceSpec } from './source-common.tsx';

/** The data source list: both filters of SPEC §2 (status, reporting status), cursor paging. */
export function SourceListPage() {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const { byId } = useApps();
  const [status, setStatus] = useState<SourceStatus | ''>('');
  const [reporting, setReporting] = useState<ReportingStatus | ''>('');
  const pages = useCursorPages(
    (q) => api.listSources({ projectId }, { ...q, status, reporting_status: reporting }),
    `sources:${projectId}:${status}:${reporting}`,
  );
  const lifecycle = useLifecycle(sourceSpec, () => pages.reload());
  const links = useSourceLinks();

  const columns: Column<DataSource>[] = [
    { key: 'platforms', header: t('sources.platforms'), render: (s) => <PlatformList source={s} /> },
    statusColumn(t, 'sources'),
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
  ];

  return (
    <ConnectionTable
      lifecycle={lifecycle}
      label={t('sources.listTitle')}
      subtitle={(s) => {
        const app = byId(s.app_id);
        return app ? `${app.name} · ${t(`appType.${app.app_type}`)}` : s.app_id;
      }}
      columns={columns}
      rows={pages.items}
      pages={pages}
      links={links}
      filters={[
        statusFilter(t, 'sources', status, setStatus),
        choiceFilter(reporting, setReporting, reportingStatuses, {
          label: t('sources.filterReporting'),
          all: t('sources.allReporting'),
          option: (r) => t(`sources.reporting.${r}`),
        }),
      ]}
      emptyIcon={<IconDatabase />}
    />
  );
}

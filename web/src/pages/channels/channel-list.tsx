import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Channel, ChannelStatus, ChannelTestStatus } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { IconChannel } from '../../ui/icons.tsx';
import { useCursorPages, type Column } from '../../ui/table.tsx';
import {
  ConnectionTable,
  choiceFilter,
  statusColumn,
  statusFilter,
} from '../connections/connection-table.tsx';
import { useLifecycle } from '../connections/lifecycle.tsx';
import { TestStatusBadge, channelSpec } from './channel-common.tsx';

/**
 * The reach channel list: status (enabled/disabled, filtered by the API) and test status
 * (tested/untested; the API has no such filter, so it narrows the page shown), cursor paging.
 */
export function ChannelListPage() {
  const { t, formatTime } = useI18n();
  const { projectId, workspaces } = useProject();
  const [status, setStatus] = useState<ChannelStatus | ''>('');
  const [tested, setTested] = useState<ChannelTestStatus | ''>('');
  const pages = useCursorPages(
    (q) => api.listChannels({ projectId }, { ...q, status }),
    `channels:${projectId}:${status}`,
  );
  const lifecycle = useLifecycle(channelSpec, () => pages.reload());
  const rows = tested === '' ? pages.items : pages.items.filter((c) => c.test_status === tested);
  const workspaceName = (id: string) => workspaces.find((w) => w.id === id)?.name ?? id;

  const columns: Column<Channel>[] = [
    {
      key: 'url',
      header: t('channels.url'),
      render: (c) => (
        <>
          <span className="mono channel-url" title={c.url}>
            {c.url}
          </span>
          <div className="cell-sub">{t('channels.sendIdChip', { type: c.send_id_type })}</div>
        </>
      ),
    },
    statusColumn(t, 'channels'),
    {
      key: 'tested',
      header: t('channels.testStatusLabel'),
      render: (c) => (
        <>
          <TestStatusBadge channel={c} />
          {c.tested_at ? <div className="cell-sub">{formatTime(c.tested_at)}</div> : null}
        </>
      ),
    },
    {
      key: 'workspaces',
      header: t('channels.workspaces'),
      render: (c) =>
        c.workspace_ids.length === 0 ? (
          <span className="muted">{t('channels.noWorkspaces')}</span>
        ) : (
          <span className="badge-list">
            {c.workspace_ids.map((w) => (
              <span className="platform-chip" key={w}>
                {workspaceName(w)}
              </span>
            ))}
          </span>
        ),
    },
  ];

  return (
    <ConnectionTable
      editable
      lifecycle={lifecycle}
      label={t('channels.listTitle')}
      subtitle={(c) => (
        <>
          {t('channels.kind.webhook')} · {t(`channels.category.${c.category}`)}
        </>
      )}
      columns={columns}
      rows={rows}
      pages={pages}
      filters={[
        statusFilter(t, 'channels', status, setStatus),
        choiceFilter(tested, setTested, ['tested', 'untested'], {
          label: t('channels.filterTested'),
          all: t('channels.allTestStatuses'),
          option: (s) => t(`channels.testStatus.${s}`),
        }),
      ]}
      emptyIcon={<IconChannel />}
      offerCreate
    />
  );
}

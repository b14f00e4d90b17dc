import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Channel, ChannelStatus, ChannelTestStatus } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { IconChannel } from '../../ui/icons.tsx';
import { useCursorPages, type Column } from '../../ui/table.tsx';
import { ConnectionTable, statusFilter } from '../connections/connection-table.tsx';
import { StatusBadge, useLifecycle } from '../connections/lifecycle.tsx';
import { TestStatusBadge, channelPath, channelSpec } from './channel-common.tsx';

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
      key: 'name',
      header: t('channels.name'),
      render: (c) => (
        <>
          <Link className="cell-primary" to={channelPath(projectId, c.id)}>
            {c.name}
          </Link>
          <div className="cell-sub">
            {t('channels.kind.webhook')} · {t(`channels.category.${c.category}`)}
          </div>
        </>
      ),
    },
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
    {
      key: 'status',
      header: t('channels.statusLabel'),
      render: (c) => <StatusBadge area="channels" item={c} />,
    },
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
      lifecycle={lifecycle}
      label={t('channels.listTitle')}
      columns={columns}
      rows={rows}
      pages={pages}
      filters={[
        statusFilter(t, 'channels', status, setStatus),
        {
          label: t('channels.filterTested'),
          all: t('channels.allTestStatuses'),
          value: tested,
          options: (['tested', 'untested'] as const).map((s) => ({
            value: s,
            label: t(`channels.testStatus.${s}`),
          })),
          onChange: (v) => setTested(v as ChannelTestStatus | ''),
        },
      ]}
      create={t('connections.createChannel')}
      empty={{
        icon: <IconChannel />,
        title: t('connections.channelsEmptyTitle'),
        description: t('connections.channelsEmptyText'),
        offerCreate: true,
      }}
    />
  );
}

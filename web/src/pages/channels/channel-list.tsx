import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Channel, ChannelStatus, ChannelTestStatus } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { EmptyState } from '../../ui/display.tsx';
import { IconChannel, IconPause, IconPlay, IconPlus, IconTrash } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import {
  ChannelStatusBadge,
  TestStatusBadge,
  channelPath,
  channelsPath,
  useChannelLifecycle,
} from './channel-common.tsx';

/**
 * The reach channel list: status (enabled/disabled, filtered by the API) and test status
 * (tested/untested; the API has no such filter, so it narrows the page shown), cursor paging.
 */
export function ChannelListPage() {
  const { t, formatTime } = useI18n();
  const { projectId, can, workspaces } = useProject();
  const [status, setStatus] = useState<ChannelStatus | ''>('');
  const [tested, setTested] = useState<ChannelTestStatus | ''>('');
  const pages = useCursorPages(
    (q) => api.listChannels({ projectId }, { ...q, status }),
    `channels:${projectId}:${status}`,
  );
  const lifecycle = useChannelLifecycle(() => pages.reload());
  const manage = can('reach.webhook.manage');
  const filtered = status !== '' || tested !== '';
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
    { key: 'status', header: t('channels.statusLabel'), render: (c) => <ChannelStatusBadge channel={c} /> },
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
    {
      key: 'created',
      header: t('common.created'),
      className: 'cell-muted',
      render: (c) => formatTime(c.created_at),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (c) => (
        <span className="row row-end">
          <Button
            variant="ghost"
            size="sm"
            onClick={() => navigate(channelPath(projectId, c.id))}
            aria-label={t('channels.detailsOf', { name: c.name })}
          >
            {t('channels.details')}
          </Button>
          {manage ? (
            <>
              {c.status === 'enabled' ? (
                <Button
                  variant="ghost"
                  size="sm"
                  icon={<IconPause />}
                  onClick={() => lifecycle.ask('disable', c)}
                  aria-label={t('channels.disableOf', { name: c.name })}
                >
                  {t('channels.disable')}
                </Button>
              ) : (
                <Button
                  variant="ghost"
                  size="sm"
                  icon={<IconPlay />}
                  onClick={() => void lifecycle.enable(c)}
                  aria-label={t('channels.enableOf', { name: c.name })}
                >
                  {t('channels.enable')}
                </Button>
              )}
              <Button
                variant="ghost-danger"
                size="sm"
                iconOnly
                icon={<IconTrash />}
                disabled={c.status === 'enabled'}
                onClick={() => lifecycle.ask('delete', c)}
                aria-label={t('channels.deleteOf', { name: c.name })}
                title={
                  c.status === 'enabled'
                    ? t('channels.deleteNeedsDisable')
                    : t('channels.deleteOf', { name: c.name })
                }
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
        label={t('channels.listTitle')}
        columns={columns}
        rows={rows}
        rowKey={(c) => c.id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            <select
              className="select"
              aria-label={t('channels.filterStatus')}
              value={status}
              onChange={(e) => setStatus(e.target.value as ChannelStatus | '')}
            >
              <option value="">{t('channels.allStatuses')}</option>
              {(['enabled', 'disabled'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`channels.status.${s}`)}
                </option>
              ))}
            </select>
            <select
              className="select"
              aria-label={t('channels.filterTested')}
              value={tested}
              onChange={(e) => setTested(e.target.value as ChannelTestStatus | '')}
            >
              <option value="">{t('channels.allTestStatuses')}</option>
              {(['tested', 'untested'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`channels.testStatus.${s}`)}
                </option>
              ))}
            </select>
            {filtered ? (
              <Button
                variant="ghost"
                size="sm"
                onClick={() => {
                  setStatus('');
                  setTested('');
                }}
              >
                {t('channels.clearFilters')}
              </Button>
            ) : null}
            <span className="toolbar-spacer" />
            {manage ? (
              <Button
                variant="primary"
                size="sm"
                icon={<IconPlus />}
                onClick={() => navigate(`${channelsPath(projectId)}/new`)}
              >
                {t('connections.createChannel')}
              </Button>
            ) : null}
          </>
        }
        empty={
          <EmptyState
            icon={<IconChannel />}
            title={filtered ? t('common.noMatches') : t('connections.channelsEmptyTitle')}
            description={filtered ? t('common.noMatchesText') : t('connections.channelsEmptyText')}
            action={
              !filtered && manage ? (
                <Button
                  variant="primary"
                  icon={<IconPlus />}
                  onClick={() => navigate(`${channelsPath(projectId)}/new`)}
                >
                  {t('connections.createChannel')}
                </Button>
              ) : undefined
            }
          />
        }
        pager={<Pager pages={pages} shown={rows.length} />}
      />
      {lifecycle.dialogs}
    </>
  );
}

import { useEffect, useState } from 'react';
import { api, fetchAll } from '../../api/client.ts';
import type { App, Channel, DataSource } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Badge, EmptyState } from '../../ui/display.tsx';
import { IconEdit, IconLayers, IconPlus } from '../../ui/icons.tsx';
import { DataTable, type Column } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { channelPath } from '../channels/channel-common.tsx';
import { AppTypeIcon, sourcePath, useApps } from './source-common.tsx';
import { RenameAppDialog } from './source-details.tsx';
import { NewAppDialog } from './source-form.tsx';

/** Linked sources or channels listed per app; the rest are counted. */
const SHOWN = 5;

/** What links to the apps: every data source and channel of the project (short lists). */
function useLinked(projectId: number) {
  const [linked, setLinked] = useState<{
    sources: readonly DataSource[];
    channels: readonly Channel[];
    loading: boolean;
    error: unknown;
  }>({ sources: [], channels: [], loading: true, error: null });
  useEffect(() => {
    let current = true;
    Promise.all([
      fetchAll((q) => api.listSources({ projectId }, q)),
      fetchAll((q) => api.listChannels({ projectId }, q)),
    ]).then(
      ([sources, channels]) => current && setLinked({ sources, channels, loading: false, error: null }),
      (error: unknown) => current && setLinked({ sources: [], channels: [], loading: false, error }),
    );
    return () => {
      current = false;
    };
  }, [projectId]);
  return linked;
}

/**
 * The project's apps (the products that send events, SPEC §2): each with its type, the data
 * sources that report for it and the reach channels that reach its users; rename and create.
 */
export function AppListPage() {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const { apps, reload, loading, error } = useApps();
  const linked = useLinked(projectId);
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<App | null>(null);
  const manage = can('source.manage');

  const columns: Column<App>[] = [
    {
      key: 'app',
      header: t('apps.app'),
      render: (a) => (
        <div className="row app-cell">
          <span className="app-type-icon" aria-hidden="true">
            <AppTypeIcon type={a.app_type} />
          </span>
          <div>
            <div className="cell-primary">{a.name}</div>
            <div className="cell-sub mono">{a.id}</div>
          </div>
        </div>
      ),
    },
    {
      key: 'type',
      header: t('apps.type'),
      render: (a) => <Badge>{t(`appType.${a.app_type}`)}</Badge>,
    },
    {
      key: 'sources',
      header: t('apps.sources'),
      render: (a) => {
        const sources = linked.sources.filter((s) => s.app_id === a.id);
        return sources.length === 0 ? (
          <span className="muted">{t('apps.noSources')}</span>
        ) : (
          <ul className="link-list">
            {sources.slice(0, SHOWN).map((s) => (
              <li key={s.id}>
                <Link to={sourcePath(projectId, s.id)}>{s.name}</Link>
              </li>
            ))}
            {sources.length > SHOWN ? (
              <li className="muted">{t('apps.more', { n: sources.length - SHOWN })}</li>
            ) : null}
          </ul>
        );
      },
    },
    {
      key: 'channels',
      header: t('apps.channels'),
      render: (a) => {
        const channels = linked.channels.filter((c) => c.app_id === a.id);
        return channels.length === 0 ? (
          <span className="muted">{t('apps.noChannels')}</span>
        ) : (
          <ul className="link-list">
            {channels.slice(0, SHOWN).map((c) => (
              <li key={c.id}>
                <Link to={channelPath(projectId, c.id)}>{c.name}</Link>
              </li>
            ))}
            {channels.length > SHOWN ? (
              <li className="muted">{t('apps.more', { n: channels.length - SHOWN })}</li>
            ) : null}
          </ul>
        );
      },
    },
    {
      key: 'created',
      header: t('apps.createdAt'),
      className: 'cell-muted',
      render: (a) => formatTime(a.created_at),
    },
  ];
  if (manage)
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (a) => (
        <Button
          variant="ghost"
          size="sm"
          icon={<IconEdit />}
          aria-label={t('apps.renameOf', { name: a.name })}
          onClick={() => setRenaming(a)}
        >
          {t('apps.rename')}
        </Button>
      ),
    });

  return (
    <>
      <DataTable
        label={t('apps.listTitle')}
        columns={columns}
        rows={apps}
        rowKey={(a) => a.id}
        loading={loading || linked.loading}
        error={error ?? linked.error}
        toolbar={
          <>
            <span className="muted">{t('apps.listSubtitle')}</span>
            <span className="toolbar-spacer" />
            {manage ? (
              <Button icon={<IconPlus />} onClick={() => setCreating(true)}>
                {t('apps.new')}
              </Button>
            ) : null}
          </>
        }
        empty={
          <EmptyState icon={<IconLayers />} title={t('apps.emptyTitle')} description={t('apps.emptyText')} />
        }
      />
      <NewAppDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(app) => {
          toast.success(t('apps.created', { name: app.name }));
          reload();
        }}
      />
      {renaming ? (
        <RenameAppDialog app={renaming} open onClose={() => setRenaming(null)} onSaved={reload} />
      ) : null}
    </>
  );
}

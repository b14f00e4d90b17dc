import { Fragment, useEffect, useState } from 'react';
import { api, fetchAll } from '../../api/client.ts';
import type { DataSource } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, matchPath, navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Card, EmptyState, PageHeader, Tabs } from '../../ui/display.tsx';
import { IconArrowRight, IconChannel, IconChart, IconDatabase, IconPlus } from '../../ui/icons.tsx';
import { ChannelCard } from '../channels/channel-card.tsx';
import { channelsPath, useAllChannels, useChannelLifecycle } from '../channels/channel-common.tsx';
import { ChannelDetailsPage } from '../channels/channel-details.tsx';
import { ChannelFormPage } from '../channels/channel-form.tsx';
import { ChannelListPage } from '../channels/channel-list.tsx';
import { SourceCard } from '../sources/source-card.tsx';
import { sourcesPath, useApps, useSourceLifecycle } from '../sources/source-common.tsx';
import { SourceDetailsPage } from '../sources/source-details.tsx';
import { SourceCreatePage } from '../sources/source-form.tsx';
import { SourceEventsPage } from '../profiles/event-management.tsx';
import { VerifyPage } from '../sources/verify.tsx';
import { SourceListPage } from '../sources/source-list.tsx';

/** Every data source of the project, for the overview's cards and counts. */
function useAllSources(): { sources: readonly DataSource[] | null; error: unknown; reload: () => void } {
  const { projectId } = useProject();
  const [sources, setSources] = useState<readonly DataSource[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    fetchAll((q) => api.listSources({ projectId }, q)).then(
      (all) => {
        if (!current) return;
        setSources(all);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, tick]);
  return { sources, error, reload: () => setTick((n) => n + 1) };
}

function Overview() {
  const { t } = useI18n();
  const { projectId, can } = useProject();
  const { sources, error, reload } = useAllSources();
  const { byId } = useApps();
  const lifecycle = useSourceLifecycle(() => reload());
  const manage = can('source.manage');
  const createSource = () => navigate(`${sourcesPath(projectId)}/new`);
  const reporting = sources?.filter((s) => s.reporting_status === 'reporting').length ?? 0;
  const channelList = useAllChannels();
  const channelLifecycle = useChannelLifecycle(() => channelList.reload());

  return (
    <>
      <section className="card flow" aria-label={t('connections.flowLabel')}>
        {(
          [
            [<IconDatabase key="i" />, 'connections.flowSources', 'connections.flowSourcesText'],
            [<IconChannel key="i" />, 'connections.flowChannels', 'connections.flowChannelsText'],
            [<IconChart key="i" />, 'connections.flowReceipts', 'connections.flowReceiptsText'],
          ] as const
        ).map(([icon, title, text], i) => (
          <Fragment key={title}>
            {i > 0 && (
              <span className="flow-arrow">
                <IconArrowRight />
              </span>
            )}
            <div className="flow-step">
              <span className="flow-icon">{icon}</span>
              <div>
                <strong>{t(title)}</strong>
                <span>{t(text)}</span>
              </div>
            </div>
          </Fragment>
        ))}
      </section>
      <div className="stat-grid">
        {(
          [
            ['connections.statSources', sources?.length ?? '—'],
            ['connections.statReporting', sources ? reporting : '—'],
            ['connections.statChannels', channelList.channels?.length ?? '—'],
            ['connections.statMessages', 0],
          ] as const
        ).map(([label, value]) => (
          <div className="card stat" key={label}>
            <div className="stat-label">{t(label)}</div>
            <div className="stat-value">{value}</div>
          </div>
        ))}
      </div>

      <Card
        title={t('connections.tabSources')}
        subtitle={t('connections.sourcesSubtitle')}
        className="conn-section"
        actions={
          sources && sources.length > 0 ? (
            <>
              <Link className="btn btn-ghost btn-sm" to={sourcesPath(projectId)}>
                {t('connections.allSources')}
              </Link>
              {manage ? (
                <Button variant="primary" size="sm" icon={<IconPlus />} onClick={createSource}>
                  {t('connections.createSource')}
                </Button>
              ) : null}
            </>
          ) : null
        }
        flush
      >
        {error ? (
          <div className="card-body">
            <Alert tone="error">{t('connections.sourcesFailed')}</Alert>
          </div>
        ) : sources === null ? (
          <div className="card-body row" role="status">
            <span className="spinner" aria-hidden="true" /> {t('common.loading')}
          </div>
        ) : sources.length === 0 ? (
          <EmptyState
            icon={<IconDatabase />}
            title={t('connections.sourcesEmptyTitle')}
            description={t('connections.sourcesEmptyText')}
            action={
              manage ? (
                <Button variant="primary" icon={<IconPlus />} onClick={createSource}>
                  {t('connections.createSource')}
                </Button>
              ) : undefined
            }
          />
        ) : (
          <div className="conn-grid" aria-label={t('connections.sourceCards')} role="list">
            {sources.map((s) => (
              <div role="listitem" key={s.id}>
                <SourceCard
                  source={s}
                  app={byId(s.app_id)}
                  onDisable={() => lifecycle.ask('disable', s)}
                  onEnable={() => void lifecycle.enable(s)}
                  onDelete={() => lifecycle.ask('delete', s)}
                />
              </div>
            ))}
          </div>
        )}
      </Card>

      <Card
        title={t('connections.tabChannels')}
        subtitle={t('connections.channelsSubtitle')}
        className="conn-section"
        actions={
          channelList.channels && channelList.channels.length > 0 ? (
            <>
              <Link className="btn btn-ghost btn-sm" to={channelsPath(projectId)}>
                {t('connections.allChannels')}
              </Link>
              {can('reach.webhook.manage') ? (
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
          ) : null
        }
        flush
      >
        {channelList.error ? (
          <div className="card-body">
            <Alert tone="error">{t('connections.channelsFailed')}</Alert>
          </div>
        ) : channelList.channels === null ? (
          <div className="card-body row" role="status">
            <span className="spinner" aria-hidden="true" /> {t('common.loading')}
          </div>
        ) : channelList.channels.length === 0 ? (
          <ChannelsEmpty />
        ) : (
          <div className="conn-grid" aria-label={t('connections.channelCards')} role="list">
            {channelList.channels.map((c) => (
              <div role="listitem" key={c.id}>
                <ChannelCard
                  channel={c}
                  onDisable={() => channelLifecycle.ask('disable', c)}
                  onEnable={() => void channelLifecycle.enable(c)}
                  onDelete={() => channelLifecycle.ask('delete', c)}
                />
              </div>
            ))}
          </div>
        )}
      </Card>
      {channelLifecycle.dialogs}
      {lifecycle.dialogs}
    </>
  );
}

function ChannelsEmpty() {
  const { t } = useI18n();
  const { projectId, can } = useProject();
  return (
    <EmptyState
      icon={<IconChannel />}
      title={t('connections.channelsEmptyTitle')}
      description={t('connections.channelsEmptyText')}
      action={
        can('reach.webhook.manage') ? (
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
  );
}

/**
 * Data Channel Connection: which data sources feed the project and which reach channels carry
 * its messages (after the reference product's page of that name): the overview with a card per
 * source, the source list, create, details, and the channel list (issue 9).
 */
export function ConnectionsPage() {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { pathname } = useLocation();
  const base = `/projects/${projectId}/connections`;

  const sub = matchPath(`${base}/sources/:sourceId/:page`, pathname);
  if (sub?.sourceId && sub.page === 'verify')
    return <VerifyPage key={sub.sourceId} sourceId={sub.sourceId} />;
  if (sub?.sourceId && sub.page === 'events')
    return <SourceEventsPage key={sub.sourceId} sourceId={sub.sourceId} />;
  if (matchPath(`${base}/sources/new`, pathname)) return <SourceCreatePage />;
  if (matchPath(`${base}/channels/new`, pathname)) return <ChannelFormPage />;
  const channelEdit = matchPath(`${base}/channels/:channelId/edit`, pathname);
  if (channelEdit?.channelId)
    return <ChannelFormPage key={channelEdit.channelId} channelId={channelEdit.channelId} />;
  const channel = matchPath(`${base}/channels/:channelId`, pathname);
  if (channel?.channelId) return <ChannelDetailsPage key={channel.channelId} channelId={channel.channelId} />;
  const one = matchPath(`${base}/sources/:sourceId`, pathname);
  if (one?.sourceId) return <SourceDetailsPage key={one.sourceId} sourceId={one.sourceId} />;

  const tab = pathname.endsWith('/sources')
    ? 'sources'
    : pathname.endsWith('/channels')
      ? 'channels'
      : 'overview';
  return (
    <>
      <PageHeader title={t('connections.title')} description={t('connections.description')} />
      <Tabs
        label={t('connections.title')}
        current={tab === 'overview' ? base : `${base}/${tab}`}
        items={[
          { to: base, label: t('connections.tabOverview') },
          { to: `${base}/sources`, label: t('connections.tabSources') },
          { to: `${base}/channels`, label: t('connections.tabChannels') },
        ]}
      />
      {tab === 'overview' ? <Overview /> : tab === 'sources' ? <SourceListPage /> : <ChannelListPage />}
    </>
  );
}

import { Fragment, useCallback, useEffect, useState, type ReactNode } from 'react';
import { fetchAll } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, matchPath, navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Card, EmptyState, Loading, PageHeader, Tabs } from '../../ui/display.tsx';
import { IconArrowRight, IconChannel, IconChart, IconDatabase, IconPlus } from '../../ui/icons.tsx';
import { ChannelCard } from '../channels/channel-card.tsx';
import { channelSpec } from '../channels/channel-common.tsx';
import { ChannelDetailsPage } from '../channels/channel-details.tsx';
import { ChannelFormPage } from '../channels/channel-form.tsx';
import { ChannelListPage } from '../channels/channel-list.tsx';
import { SourceCard } from '../sources/source-card.tsx';
import { sourceSpec, useApps } from '../sources/source-common.tsx';
import { SourceDetailsPage } from '../sources/source-details.tsx';
import { SourceCreatePage } from '../sources/source-form.tsx';
import { SourceEventsPage } from '../profiles/event-management.tsx';
import { VerifyPage } from '../sources/verify.tsx';
import { SourceListPage } from '../sources/source-list.tsx';
import { AppListPage } from '../sources/app-list.tsx';
import {
  connectionText,
  connectionsPath,
  type Connection,
  type ConnectionSpec,
  type Lifecycle,
  useLifecycle,
} from './lifecycle.tsx';

/** Every item of one kind (all its pages), for the overview's cards and counts. */
function useAllConnections<T extends Connection>(spec: ConnectionSpec<T>) {
  const { projectId } = useProject();
  const [items, setItems] = useState<readonly T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    fetchAll((q) => spec.list(projectId, q)).then(
      (all) => {
        if (!current) return;
        setItems(all);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [spec, projectId, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { items, error, reload };
}

/** The overview's section of one kind: a card per item, or why there is none; All and Create. */
function ConnectionSection<T extends Connection>({
  lifecycle,
  items,
  error,
  emptyIcon,
  card,
}: {
  lifecycle: Lifecycle<T>;
  items: readonly T[] | null;
  error: unknown;
  emptyIcon: ReactNode;
  card: (item: T) => ReactNode;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { area } = lifecycle.spec;
  const text = connectionText[area];
  const createNew = () => navigate(`${connectionsPath(projectId, area)}/new`);
  return (
    <Card
      title={t(text.tab)}
      subtitle={t(text.subtitle)}
      className="conn-section"
      actions={
        items && items.length > 0 ? (
          <>
            <Link className="btn btn-ghost btn-sm" to={connectionsPath(projectId, area)}>
              {t(text.all)}
            </Link>
            {lifecycle.manage ? (
              <Button variant="primary" size="sm" icon={<IconPlus />} onClick={createNew}>
                {t(text.create)}
              </Button>
            ) : null}
          </>
        ) : null
      }
      flush
    >
      {error ? (
        <div className="card-body">
          <Alert tone="error">{t(text.failed)}</Alert>
        </div>
      ) : items === null ? (
        <Loading className="card-body row" />
      ) : items.length === 0 ? (
        <EmptyState
          icon={emptyIcon}
          title={t(text.emptyTitle)}
          description={t(text.emptyText)}
          action={
            lifecycle.manage ? (
              <Button variant="primary" icon={<IconPlus />} onClick={createNew}>
                {t(text.create)}
              </Button>
            ) : undefined
          }
        />
      ) : (
        <div className="conn-grid" aria-label={t(text.cards)} role="list">
          {items.map((item) => (
            <div role="listitem" key={item.id}>
              {card(item)}
            </div>
          ))}
        </div>
      )}
    </Card>
  );
}

function Overview() {
  const { t } = useI18n();
  const { byId } = useApps();
  const sources = useAllConnections(sourceSpec);
  const sourceLifecycle = useLifecycle(sourceSpec, sources.reload);
  const channels = useAllConnections(channelSpec);
  const channelLifecycle = useLifecycle(channelSpec, channels.reload);
  const reporting = sources.items?.filter((s) => s.reporting_status === 'reporting').length ?? 0;

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
            ['connections.statSources', sources.items?.length ?? '—'],
            ['connections.statReporting', sources.items ? reporting : '—'],
            ['connections.statChannels', channels.items?.length ?? '—'],
            ['connections.statMessages', 0],
          ] as const
        ).map(([label, value]) => (
          <div className="card stat" key={label}>
            <div className="stat-label">{t(label)}</div>
            <div className="stat-value">{value}</div>
          </div>
        ))}
      </div>

      <ConnectionSection
        lifecycle={sourceLifecycle}
        items={sources.items}
        error={sources.error}
        emptyIcon={<IconDatabase />}
        card={(s) => <SourceCard source={s} app={byId(s.app_id)} lifecycle={sourceLifecycle} />}
      />
      <ConnectionSection
        lifecycle={channelLifecycle}
        items={channels.items}
        error={channels.error}
        emptyIcon={<IconChannel />}
        card={(c) => <ChannelCard channel={c} lifecycle={channelLifecycle} />}
      />
      {channelLifecycle.dialogs}
      {sourceLifecycle.dialogs}
    </>
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
      : pathname.endsWith('/apps')
        ? 'apps'
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
          { to: `${base}/apps`, label: t('connections.tabApps') },
        ]}
      />
      {tab === 'overview' ? (
        <Overview />
      ) : tab === 'sources' ? (
        <SourceListPage />
      ) : tab === 'apps' ? (
        <AppListPage />
      ) : (
        <ChannelListPage />
      )}
    </>
  );
}

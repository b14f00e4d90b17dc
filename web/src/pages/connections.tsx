import { useI18n } from '../i18n/i18n.tsx';
import { useProject } from '../project-context.tsx';
import { useLocation } from '../router.tsx';
import { Button } from '../ui/button.tsx';
import { Card, EmptyState, PageHeader, Tabs } from '../ui/display.tsx';
import { IconArrowRight, IconChannel, IconChart, IconDatabase, IconPlus } from '../ui/icons.tsx';

/**
 * Data Channel Connection: which data sources feed the project and which reach channels carry
 * its messages (after the reference product's page of that name). Sources and channels arrive
 * with later issues; until then each list shows what it will hold.
 */
export function ConnectionsPage() {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { pathname } = useLocation();
  const base = `/projects/${projectId}/connections`;
  const tab = pathname.endsWith('/sources')
    ? 'sources'
    : pathname.endsWith('/channels')
      ? 'channels'
      : 'overview';

  const sourcesEmpty = (
    <EmptyState
      icon={<IconDatabase />}
      title={t('connections.sourcesEmptyTitle')}
      description={t('connections.sourcesEmptyText')}
      action={
        <Button variant="primary" icon={<IconPlus />} disabled title={t('common.comingSoon')}>
          {t('connections.createSource')}
        </Button>
      }
    />
  );
  const channelsEmpty = (
    <EmptyState
      icon={<IconChannel />}
      title={t('connections.channelsEmptyTitle')}
      description={t('connections.channelsEmptyText')}
      action={
        <Button variant="primary" icon={<IconPlus />} disabled title={t('common.comingSoon')}>
          {t('connections.createChannel')}
        </Button>
      }
    />
  );

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
      {tab === 'overview' ? (
        <>
          <section className="card flow" aria-label={t('connections.flowLabel')}>
            <div className="flow-step">
              <span className="flow-icon">
                <IconDatabase />
              </span>
              <div>
                <strong>{t('connections.flowSources')}</strong>
                <span>{t('connections.flowSourcesText')}</span>
              </div>
            </div>
            <span className="flow-arrow">
              <IconArrowRight />
            </span>
            <div className="flow-step">
              <span className="flow-icon">
                <IconChannel />
              </span>
              <div>
                <strong>{t('connections.flowChannels')}</strong>
                <span>{t('connections.flowChannelsText')}</span>
              </div>
            </div>
            <span className="flow-arrow">
              <IconArrowRight />
            </span>
            <div className="flow-step">
              <span className="flow-icon">
                <IconChart />
              </span>
              <div>
                <strong>{t('connections.flowReceipts')}</strong>
                <span>{t('connections.flowReceiptsText')}</span>
              </div>
            </div>
          </section>
          <div className="stat-grid">
            {(
              [
                ['connections.statSources', '0'],
                ['connections.statReporting', '0'],
                ['connections.statChannels', '0'],
                ['connections.statMessages', '0'],
              ] as const
            ).map(([label, value]) => (
              <div className="card stat" key={label}>
                <div className="stat-label">{t(label)}</div>
                <div className="stat-value">{value}</div>
              </div>
            ))}
          </div>
          <div className="connection-columns">
            <Card title={t('connections.tabSources')} subtitle={t('connections.sourcesSubtitle')} flush>
              {sourcesEmpty}
            </Card>
            <Card title={t('connections.tabChannels')} subtitle={t('connections.channelsSubtitle')} flush>
              {channelsEmpty}
            </Card>
          </div>
        </>
      ) : (
        <Card flush>{tab === 'sources' ? sourcesEmpty : channelsEmpty}</Card>
      )}
    </>
  );
}

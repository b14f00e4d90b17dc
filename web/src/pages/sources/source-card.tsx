import type { App, DataSource } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { IconPulse, IconSearch } from '../../ui/icons.tsx';
import { ConnectionCard, type ItemLink } from '../connections/connection-card.tsx';
import type { Lifecycle } from '../connections/lifecycle.tsx';
import { AppTypeIcon, PlatformList, ReportingBadge } from './source-common.tsx';

/** View (its events) and Verify, on a source's card and its list row. */
export function useSourceLinks(): readonly ItemLink[] {
  const { t } = useI18n();
  return [
    { to: '/events', icon: <IconSearch />, label: t('sources.view') },
    { to: '/verify', icon: <IconPulse />, label: t('sources.verify') },
  ];
}

/**
 * One data source on the Data Channel Connection overview: its app, status and reporting, and over
 * the card its parameters (ID, key, platforms, time zone, last event, 24 h count).
 */
export function SourceCard({
  source,
  app,
  lifecycle,
}: {
  source: DataSource;
  app: App | undefined;
  lifecycle: Lifecycle<DataSource>;
}) {
  const { t, formatTime } = useI18n();
  const links = useSourceLinks();
  return (
    <ConnectionCard
      item={source}
      lifecycle={lifecycle}
      testId="source-card"
      icon={<AppTypeIcon type={app?.app_type} />}
      subtitle={app ? `${app.name} · ${t(`appType.${app.app_type}`)}` : t('common.loading')}
      badge={<ReportingBadge source={source} />}
      chips={<PlatformList source={source} />}
      params={[
        { label: t('sources.sourceId'), value: source.id, mono: true },
        { label: t('sources.appKey'), value: source.credentials.app_key, mono: true },
        {
          label: t('sources.platforms'),
          value: source.platforms.map((p) => t(`platform.${p.platform}`)).join(', '),
        },
        { label: t('sources.timeZone'), value: source.effective_time_zone },
        {
          label: t('sources.lastEvent'),
          value: source.last_event_at ? formatTime(source.last_event_at) : t('sources.noEventYet'),
        },
        { label: t('sources.events24h'), value: source.events_24h.toLocaleString() },
      ]}
      links={links}
    />
  );
}

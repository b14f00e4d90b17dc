import { useId } from 'react';
import type { App, DataSource } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import {
  IconMore,
  IconPause,
  IconPlay,
  IconPulse,
  IconSearch,
  IconTrash,
  IconArrowRight,
} from '../../ui/icons.tsx';
import { Menu, MenuItem, MenuSeparator } from '../../ui/menu.tsx';
import { AppTypeIcon, PlatformList, ReportingBadge, StatusBadge, sourcePath } from './source-common.tsx';

/**
 * One data source on the Data Channel Connection overview. Its parameters (ID, key, platforms,
 * time zone, last event, 24 h count) appear over the card on hover and whenever focus is inside
 * it, so keyboard users get them too; screen readers get them as the card's description.
 */
export function SourceCard({
  source,
  app,
  onDisable,
  onEnable,
  onDelete,
}: {
  source: DataSource;
  app: App | undefined;
  onDisable: () => void;
  onEnable: () => void;
  onDelete: () => void;
}) {
  const { t, formatTime } = useI18n();
  const { projectId, can } = useProject();
  const titleId = useId();
  const paramsId = useId();
  const details = sourcePath(projectId, source.id);
  return (
    <article
      className={`conn-card${source.status === 'disabled' ? ' is-disabled' : ''}`}
      tabIndex={0}
      aria-labelledby={titleId}
      aria-describedby={paramsId}
      data-testid="source-card"
    >
      <header className="conn-card-head">
        <span className="conn-card-icon">
          <AppTypeIcon type={app?.app_type} />
        </span>
        <div className="conn-card-title">
          <h3 id={titleId}>
            <Link to={details}>{source.name}</Link>
          </h3>
          <span className="cell-sub">
            {app ? `${app.name} · ${t(`appType.${app.app_type}`)}` : t('common.loading')}
          </span>
        </div>
      </header>
      <div className="conn-card-body">
        <div className="badge-list">
          <StatusBadge source={source} />
          <ReportingBadge source={source} />
        </div>
        <PlatformList source={source} />
      </div>
      <dl className="conn-card-params" id={paramsId} data-testid="source-params">
        <dt>{t('sources.sourceId')}</dt>
        <dd className="mono" title={source.id}>
          {source.id}
        </dd>
        <dt>{t('sources.appKey')}</dt>
        <dd className="mono" title={source.credentials.app_key}>
          {source.credentials.app_key}
        </dd>
        <dt>{t('sources.platforms')}</dt>
        <dd>{source.platforms.map((p) => t(`platform.${p.platform}`)).join(', ')}</dd>
        <dt>{t('sources.timeZone')}</dt>
        <dd>{source.effective_time_zone}</dd>
        <dt>{t('sources.lastEvent')}</dt>
        <dd>{source.last_event_at ? formatTime(source.last_event_at) : t('sources.noEventYet')}</dd>
        <dt>{t('sources.events24h')}</dt>
        <dd>{source.events_24h.toLocaleString()}</dd>
      </dl>
      <footer className="conn-card-foot">
        <Link className="btn btn-ghost btn-sm" to={`${details}/events`}>
          <IconSearch />
          {t('sources.view')}
        </Link>
        <Link className="btn btn-ghost btn-sm" to={`${details}/verify`}>
          <IconPulse />
          {t('sources.verify')}
        </Link>
        <span className="toolbar-spacer" />
        <Menu
          label={t('sources.moreOf', { name: source.name })}
          triggerClassName="card-more"
          trigger={
            <>
              <IconMore />
              {t('sources.more')}
            </>
          }
        >
          {(close) => (
            <>
              <MenuItem
                icon={<IconArrowRight />}
                onSelect={() => {
                  close();
                  navigate(details);
                }}
              >
                {t('sources.details')}
              </MenuItem>
              {can('source.manage') ? (
                <>
                  {source.status === 'enabled' ? (
                    <MenuItem
                      icon={<IconPause />}
                      onSelect={() => {
                        close();
                        onDisable();
                      }}
                    >
                      {t('sources.disable')}
                    </MenuItem>
                  ) : (
                    <MenuItem
                      icon={<IconPlay />}
                      onSelect={() => {
                        close();
                        onEnable();
                      }}
                    >
                      {t('sources.enable')}
                    </MenuItem>
                  )}
                  <MenuSeparator />
                  <MenuItem
                    icon={<IconTrash />}
                    onSelect={() => {
                      close();
                      onDelete();
                    }}
                  >
                    {t('sources.delete')}
                  </MenuItem>
                </>
              ) : null}
            </>
          )}
        </Menu>
      </footer>
    </article>
  );
}

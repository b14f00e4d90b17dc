import { useId } from 'react';
import type { Channel } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import {
  IconArrowRight,
  IconChannel,
  IconEdit,
  IconMore,
  IconPause,
  IconPlay,
  IconPulse,
  IconSearch,
  IconTrash,
} from '../../ui/icons.tsx';
import { Menu, MenuItem, MenuSeparator } from '../../ui/menu.tsx';
import {
  ChannelStatusBadge,
  TestStatusBadge,
  channelPath,
  rateLimitText,
  timeoutText,
} from './channel-common.tsx';

/**
 * One reach channel on the Data Channel Connection overview. Like the source cards, its
 * parameters appear over the card on hover and whenever focus is inside it, and screen readers
 * get them as the card's description. More → edit, disable/enable, delete.
 */
export function ChannelCard({
  channel,
  onDisable,
  onEnable,
  onDelete,
}: {
  channel: Channel;
  onDisable: () => void;
  onEnable: () => void;
  onDelete: () => void;
}) {
  const { t } = useI18n();
  const { projectId, can } = useProject();
  const titleId = useId();
  const paramsId = useId();
  const details = channelPath(projectId, channel.id);
  const manage = can('reach.webhook.manage');
  return (
    <article
      className={`conn-card${channel.status === 'disabled' ? ' is-disabled' : ''}`}
      tabIndex={0}
      aria-labelledby={titleId}
      aria-describedby={paramsId}
      data-testid="channel-card"
    >
      <header className="conn-card-head">
        <span className="conn-card-icon">
          <IconChannel />
        </span>
        <div className="conn-card-title">
          <h3 id={titleId}>
            <Link to={details}>{channel.name}</Link>
          </h3>
          <span className="cell-sub">
            {t('channels.kind.webhook')} · {t(`channels.category.${channel.category}`)}
          </span>
        </div>
      </header>
      <div className="conn-card-body">
        <div className="badge-list">
          <ChannelStatusBadge channel={channel} />
          <TestStatusBadge channel={channel} />
        </div>
        <span className="badge-list">
          <span className="platform-chip">{t('channels.sendIdChip', { type: channel.send_id_type })}</span>
          <span className="platform-chip">
            {t('channels.workspacesChip', { n: channel.workspace_ids.length })}
          </span>
          <span className="platform-chip">{t('channels.fieldsChip', { n: channel.template.length })}</span>
        </span>
      </div>
      <dl className="conn-card-params" id={paramsId} data-testid="channel-params">
        <dt>{t('channels.channelId')}</dt>
        <dd className="mono" title={channel.id}>
          {channel.id}
        </dd>
        <dt>{t('channels.url')}</dt>
        <dd className="mono" title={channel.url}>
          {channel.url}
        </dd>
        <dt>{t('channels.sendIdType')}</dt>
        <dd>{channel.send_id_type}</dd>
        <dt>{t('channels.batchSize')}</dt>
        <dd>{channel.batch_size}</dd>
        <dt>{t('channels.rateLimit')}</dt>
        <dd>{rateLimitText(t, channel.rate_limit)}</dd>
        <dt>{t('channels.timeout')}</dt>
        <dd>{timeoutText(t, channel.timeout_s)}</dd>
        <dt>{t('channels.auth')}</dt>
        <dd>{t(`channels.auth.${channel.auth}`)}</dd>
      </dl>
      <footer className="conn-card-foot">
        <Link className="btn btn-ghost btn-sm" to={details}>
          <IconSearch />
          {t('channels.view')}
        </Link>
        <Link className="btn btn-ghost btn-sm" to={`${details}?test=1`}>
          <IconPulse />
          {t('channels.testSend')}
        </Link>
        <span className="toolbar-spacer" />
        <Menu
          label={t('channels.moreOf', { name: channel.name })}
          triggerClassName="card-more"
          trigger={
            <>
              <IconMore />
              {t('channels.more')}
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
                {t('channels.details')}
              </MenuItem>
              {manage ? (
                <>
                  <MenuItem
                    icon={<IconEdit />}
                    onSelect={() => {
                      close();
                      navigate(`${details}/edit`);
                    }}
                  >
                    {t('common.edit')}
                  </MenuItem>
                  {channel.status === 'enabled' ? (
                    <MenuItem
                      icon={<IconPause />}
                      onSelect={() => {
                        close();
                        onDisable();
                      }}
                    >
                      {t('channels.disable')}
                    </MenuItem>
                  ) : (
                    <MenuItem
                      icon={<IconPlay />}
                      onSelect={() => {
                        close();
                        onEnable();
                      }}
                    >
                      {t('channels.enable')}
                    </MenuItem>
                  )}
                  <MenuSeparator />
                  {channel.status === 'disabled' ? (
                    <MenuItem
                      icon={<IconTrash />}
                      onSelect={() => {
                        close();
                        onDelete();
                      }}
                    >
                      {t('channels.delete')}
                    </MenuItem>
                  ) : (
                    <button
                      type="button"
                      className="menu-item is-disabled"
                      role="menuitem"
                      aria-disabled="true"
                      tabIndex={-1}
                      title={t('channels.deleteNeedsDisable')}
                    >
                      <IconTrash />
                      <span>
                        {t('channels.delete')}
                        <span className="menu-item-note">{t('channels.deleteNeedsDisableShort')}</span>
                      </span>
                    </button>
                  )}
                </>
              ) : null}
            </>
          )}
        </Menu>
      </footer>
    </article>
  );
}

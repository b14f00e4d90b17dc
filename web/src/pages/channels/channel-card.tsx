import type { Channel } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { IconChannel, IconPlay, IconPulse, IconSearch } from '../../ui/icons.tsx';
import { ConnectionCard } from '../connections/connection-card.tsx';
import type { Lifecycle } from '../connections/lifecycle.tsx';
import { TestStatusBadge, rateLimitText, timeoutText } from './channel-common.tsx';
import { ChannelHealthLine } from '../delivery/delivery-common.tsx';
import { useMaySend } from './channel-send-now.tsx';

/**
 * One reach channel on the Data Channel Connection overview: its kind and category, status and
 * test status, and over the card its parameters. More → details, edit, disable/enable, delete.
 */
export function ChannelCard({ channel, lifecycle }: { channel: Channel; lifecycle: Lifecycle<Channel> }) {
  const { t } = useI18n();
  const maySend = useMaySend() && channel.status === 'enabled';
  return (
    <ConnectionCard
      item={channel}
      lifecycle={lifecycle}
      testId="channel-card"
      icon={<IconChannel />}
      subtitle={
        <>
          {t('channels.kind.webhook')} · {t(`channels.category.${channel.category}`)}
        </>
      }
      badge={<TestStatusBadge channel={channel} />}
      chips={
        <>
          <ChannelHealthLine channel={channel} />
          <span className="badge-list">
            <span className="platform-chip">{t('channels.sendIdChip', { type: channel.send_id_type })}</span>
            <span className="platform-chip">
              {t('channels.workspacesChip', { n: channel.workspace_ids.length })}
            </span>
            <span className="platform-chip">{t('channels.fieldsChip', { n: channel.template.length })}</span>
          </span>
        </>
      }
      params={[
        { label: t('channels.channelId'), value: channel.id, mono: true },
        { label: t('channels.url'), value: channel.url, mono: true },
        { label: t('channels.sendIdType'), value: channel.send_id_type },
        { label: t('channels.batchSize'), value: channel.batch_size },
        { label: t('channels.rateLimit'), value: rateLimitText(t, channel.rate_limit) },
        { label: t('channels.timeout'), value: timeoutText(t, channel.timeout_s) },
        { label: t('channels.auth'), value: t(`channels.auth.${channel.auth}`) },
      ]}
      links={[
        { to: '', icon: <IconSearch />, label: t('channels.view') },
        { to: '?test=1', icon: <IconPulse />, label: t('channels.testSend') },
        ...(maySend ? [{ to: '?send=1', icon: <IconPlay />, label: t('send.sendNow') }] : []),
      ]}
      editable
    />
  );
}

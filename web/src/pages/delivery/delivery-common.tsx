import { useEffect, useState } from 'react';
import { api, fetchAll } from '../../api/client.ts';
import type { Channel, ChannelHealth, MessageCounts, MessageQuery, MessageState } from '../../api/types.ts';
import { messageStates } from '../../api/types.ts';
import { isMessageKey, useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Badge, Card, type Tone } from '../../ui/display.tsx';
import { IconPlay } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import './delivery.css';

// What the delivery pages, the channel details page and the channel cards share: paths, the state
// badge (SPEC §4's names, the same in storage, API, console and metrics), the project's channels
// for pickers, and a channel's health with Resume.

export const deliveryPath = (projectId: number) => `/projects/${projectId}/delivery`;
export const deadLettersPath = (projectId: number) => `${deliveryPath(projectId)}/dead-letters`;
export const chartsPath = (projectId: number) => `${deliveryPath(projectId)}/charts`;
export const messagePath = (projectId: number, opsRequestId: string) =>
  `${deliveryPath(projectId)}/messages/${encodeURIComponent(opsRequestId)}`;

/** The message log filtered by `query` (e.g. a channel's held messages). */
export function logPath(projectId: number, query: MessageQuery): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value) search.set(key, String(value));
  return search.size ? `${deliveryPath(projectId)}?${search}` : deliveryPath(projectId);
}

const stateTone: Record<MessageState, Tone> = {
  queued: 'blue',
  sending: 'blue',
  delivered: 'green',
  sent: 'green',
  failed: 'red',
  dead: 'red',
  held: 'amber',
};

export const isMessageState = (value: string | null): value is MessageState =>
  (messageStates as readonly (string | null)[]).includes(value);

/** The state by its SPEC name; what it means in the reader's language on hover. */
export function StateBadge({ state }: { state: MessageState }) {
  const { t } = useI18n();
  return (
    <span title={t(`delivery.stateHint.${state}` as MessageKey)} data-state={state}>
      <Badge tone={stateTone[state]} dot>
        {state}
      </Badge>
    </span>
  );
}

export const totalOf = (counts: MessageCounts | null) =>
  counts ? messageStates.reduce((sum, s) => sum + counts[s], 0) : 0;

/** The project's reach channels, for filters and names (empty until loaded). */
export function useChannels(): readonly Channel[] {
  const { projectId } = useProject();
  const [channels, setChannels] = useState<readonly Channel[]>([]);
  useEffect(() => {
    let current = true;
    fetchAll((q) => api.listChannels({ projectId }, q)).then(
      (list) => current && setChannels(list),
      () => current && setChannels([]),
    );
    return () => {
      current = false;
    };
  }, [projectId]);
  return channels;
}

/** A channel's delivery health, reloaded by `reload()` (after Resume). */
export function useChannelHealth(channelId: string): {
  health: ChannelHealth | null;
  error: unknown;
  reload: () => void;
} {
  const { projectId } = useProject();
  const [health, setHealth] = useState<ChannelHealth | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    api.channelHealth({ projectId, channelId }).then(
      (h) => {
        if (!current) return;
        setHealth(h);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, channelId, tick]);
  return { health, error, reload: () => setTick((n) => n + 1) };
}

export function HealthBadge({ health }: { health: ChannelHealth | null }) {
  const { t } = useI18n();
  if (!health) return null;
  return (
    <span data-testid="channel-health" data-health={health.state}>
      <Badge tone={health.state === 'healthy' ? 'green' : 'red'} dot>
        {t(health.state === 'healthy' ? 'delivery.healthy' : 'delivery.unhealthy')}
      </Badge>
    </span>
  );
}

/** The reason a channel became unhealthy, in words (`gone`: it answered 410). */
export function healthReasonText(t: (key: MessageKey) => string, reason: string | null): string {
  if (!reason) return '—';
  const key = `delivery.reason.${reason}`;
  return isMessageKey(key) ? t(key) : reason;
}

/** Resume: the channel is healthy again and its held messages are re-queued. Asks first. */
export function ResumeButton({
  channel,
  held,
  onResumed,
  size = 'md',
}: {
  channel: Pick<Channel, 'id' | 'name'>;
  held: number;
  onResumed: () => void;
  size?: 'sm' | 'md';
}) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const [asking, setAsking] = useState(false);
  if (!can('delivery.replay')) return null;
  return (
    <>
      <Button size={size} variant="primary" icon={<IconPlay />} onClick={() => setAsking(true)}>
        {t('delivery.resume')}
      </Button>
      <ConfirmDialog
        open={asking}
        onClose={() => setAsking(false)}
        title={t('delivery.resumeTitle', { name: channel.name })}
        consequences={[t('delivery.resumeStops1', { n: held }), t('delivery.resumeStops2')]}
        confirmLabel={t('delivery.resume')}
        onConfirm={async () => {
          const { resumed } = await api.resumeChannel({ projectId, channelId: channel.id });
          toast.success(t('delivery.resumed', { n: resumed }));
          onResumed();
        }}
      />
    </>
  );
}

/**
 * A channel's health in a few words for its card: the badge, and when unhealthy the reason, since
 * when, how many messages it holds and Resume.
 */
export function ChannelHealthLine({ channel }: { channel: Channel }) {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const { health, reload } = useChannelHealth(channel.id);
  if (!health) return null;
  const held = (
    <Link to={logPath(projectId, { channel_id: channel.id, state: 'held' })}>
      {t('delivery.heldCount', { n: health.held })}
    </Link>
  );
  if (health.state === 'healthy')
    return (
      <div className="health-line" data-testid="channel-health-line">
        <HealthBadge health={health} />
        {health.held > 0 ? held : null}
      </div>
    );
  return (
    <div className="health-line is-unhealthy" data-testid="channel-health-line">
      <HealthBadge health={health} />
      <span className="health-line-text">
        {t('delivery.unhealthySince', {
          reason: healthReasonText(t, health.reason),
          since: formatTime(health.since),
        })}
        {' · '}
        {held}
      </span>
      <ResumeButton channel={channel} held={health.held} onResumed={reload} size="sm" />
    </div>
  );
}

/** A channel's delivery health on its details page: state, reason, since when, held, Resume. */
export function ChannelHealthCard({ channel }: { channel: Channel }) {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const { health, error, reload } = useChannelHealth(channel.id);
  if (error || !health) return null;
  const unhealthy = health.state === 'unhealthy';
  return (
    <Card
      className="health-card"
      title={t('delivery.healthTitle')}
      subtitle={t('delivery.healthSubtitle')}
      actions={
        <>
          <Link className="btn btn-ghost btn-sm" to={logPath(projectId, { channel_id: channel.id })}>
            {t('delivery.viewMessages')}
          </Link>
          {unhealthy || health.held > 0 ? (
            <ResumeButton channel={channel} held={health.held} onResumed={reload} size="sm" />
          ) : null}
        </>
      }
    >
      <dl className="kv kv-wide" data-testid="channel-health-card">
        <dt>{t('delivery.healthState')}</dt>
        <dd>
          <HealthBadge health={health} />
        </dd>
        {unhealthy ? (
          <>
            <dt>{t('delivery.healthReason')}</dt>
            <dd data-testid="health-reason">{healthReasonText(t, health.reason)}</dd>
            <dt>{t('delivery.healthSince')}</dt>
            <dd>{formatTime(health.since)}</dd>
          </>
        ) : null}
        <dt>{t('delivery.heldLabel')}</dt>
        <dd>
          <Link to={logPath(projectId, { channel_id: channel.id, state: 'held' })} data-testid="health-held">
            {t('delivery.heldCount', { n: health.held })}
          </Link>
        </dd>
        <dt>{t('delivery.lastSuccess')}</dt>
        <dd>{formatTime(health.last_success_at)}</dd>
        <dt>{t('delivery.failedRequests')}</dt>
        <dd>{health.failed_requests}</dd>
      </dl>
    </Card>
  );
}

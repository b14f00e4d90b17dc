import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, api, fetchAll } from '../../api/client.ts';
import type { Channel } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { navigate } from '../../router.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Badge } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { useToast } from '../../ui/toast.tsx';
import './channels.css';

// What the reach channel pages share: paths, badges, the project's ID types, a one-shot hand-over
// of a freshly generated signing key, and the lifecycle actions with confirmations that say
// exactly what stops.

export const channelsPath = (projectId: number) => `/projects/${projectId}/connections/channels`;
export const channelPath = (projectId: number, channelId: string) =>
  `${channelsPath(projectId)}/${encodeURIComponent(channelId)}`;

export function ChannelStatusBadge({ channel }: { channel: Pick<Channel, 'status'> }) {
  const { t } = useI18n();
  return (
    <Badge tone={channel.status === 'enabled' ? 'blue' : 'red'} dot>
      {t(`channels.status.${channel.status}`)}
    </Badge>
  );
}

export function TestStatusBadge({ channel }: { channel: Pick<Channel, 'test_status'> }) {
  const { t } = useI18n();
  return (
    <Badge tone={channel.test_status === 'tested' ? 'green' : 'amber'} dot>
      {t(`channels.testStatus.${channel.test_status}`)}
    </Badge>
  );
}

/** `-1` → "No limit", else "N requests/s". */
export function rateLimitText(t: Translate, value: number): string {
  return value === -1 ? t('channels.noLimit') : t('channels.perSecond', { n: value });
}

/** `-1` → "Not awaited", `0` → "No limit of its own", else "N s". */
export function timeoutText(t: Translate, value: number): string {
  if (value === -1) return t('channels.timeoutNoWait');
  if (value === 0) return t('channels.timeoutNone');
  return t('channels.seconds', { n: value });
}

/** The ID types a channel may address or a test user may be found by: built-in, then declared. */
export function useIdTypes(): readonly string[] {
  const { projectId } = useProject();
  const [names, setNames] = useState<readonly string[]>([]);
  useEffect(() => {
    let current = true;
    api.getIdTypes({ projectId }).then(
      (s) => current && setNames([...s.builtin, ...s.id_types.map((d) => d.name)]),
      () => current && setNames([]),
    );
    return () => {
      current = false;
    };
  }, [projectId]);
  return names;
}

/** Every channel of the project, for the overview's cards and counts. */
export function useAllChannels(): {
  channels: readonly Channel[] | null;
  error: unknown;
  reload: () => void;
} {
  const { projectId } = useProject();
  const [channels, setChannels] = useState<readonly Channel[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    fetchAll((q) => api.listChannels({ projectId }, q)).then(
      (all) => {
        if (!current) return;
        setChannels(all);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { channels, error, reload };
}

// A generated signature-v2 key is answered once, by the call that generated it. The form hands it
// to the details page it navigates to, which shows it once; nothing keeps it after that.
let handedKey: { channelId: string; key: string } | null = null;

export function handOverNewKey(channelId: string, key: string | undefined): void {
  handedKey = key ? { channelId, key } : null;
}

export function takeNewKey(channelId: string): string | null {
  if (handedKey?.channelId !== channelId) return null;
  const key = handedKey.key;
  handedKey = null;
  return key;
}

type Action = 'disable' | 'delete';

/** `TP_ERR_CHANNEL_IN_USE` names the campaigns in `details.campaigns`; say which they are. */
function lifecycleError(error: unknown, t: Translate): Error {
  if (error instanceof ApiError && error.code === 'TP_ERR_CHANNEL_IN_USE') {
    const campaigns = Array.isArray(error.details.campaigns)
      ? (error.details.campaigns as { name?: string; state?: string }[])
      : [];
    const names = campaigns.map((c) => `${c.name ?? '?'} (${c.state ?? '?'})`).join(', ');
    return new Error(t('channels.inUse', { campaigns: names || '—' }));
  }
  return new Error(describeError(error, t));
}

/**
 * Disable, enable and delete for one channel. Disable and delete ask first and list what stops;
 * enable runs at once. `onChanged` gets the action done and the channel after it.
 */
export function useChannelLifecycle(onChanged: (action: Action | 'enable', channel: Channel) => void): {
  ask: (action: Action, channel: Channel) => void;
  enable: (channel: Channel) => Promise<void>;
  dialogs: ReactNode;
} {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId } = useProject();
  const [pending, setPending] = useState<{ action: Action; channel: Channel } | null>(null);
  const name = pending?.channel.name ?? '';
  const enable = async (channel: Channel) => {
    try {
      const after = await api.enableChannel({ projectId, channelId: channel.id });
      toast.success(t('channels.enabled', { name: channel.name }));
      onChanged('enable', after);
    } catch (error) {
      toast.error(describeError(error, t));
    }
  };
  const dialogs = (
    <>
      <ConfirmDialog
        open={pending?.action === 'disable'}
        onClose={() => setPending(null)}
        title={t('channels.disableTitle', { name })}
        message={t('channels.disableMessage')}
        consequences={[t('channels.disableStops1'), t('channels.disableStops2'), t('channels.disableStops3')]}
        confirmLabel={t('channels.disableConfirm')}
        onConfirm={async () => {
          if (!pending) return;
          try {
            const after = await api.disableChannel({ projectId, channelId: pending.channel.id });
            toast.success(t('channels.disabled', { name: pending.channel.name }));
            onChanged('disable', after);
          } catch (error) {
            throw lifecycleError(error, t);
          }
        }}
      />
      <ConfirmDialog
        open={pending?.action === 'delete'}
        onClose={() => setPending(null)}
        title={t('channels.deleteTitle', { name })}
        message={t('channels.deleteMessage')}
        consequences={[t('channels.deleteStops1'), t('channels.deleteStops2'), t('channels.deleteStops3')]}
        confirmLabel={t('channels.deleteConfirm')}
        onConfirm={async () => {
          if (!pending) return;
          await api.deleteChannel({ projectId, channelId: pending.channel.id });
          toast.success(t('channels.deleted', { name: pending.channel.name }));
          onChanged('delete', pending.channel);
        }}
      />
    </>
  );
  return { ask: (action, channel) => setPending({ action, channel }), enable, dialogs };
}

/** After a delete on a page about that channel, go back to the list. */
export function leaveDeletedChannel(projectId: number): void {
  navigate(channelsPath(projectId), { replace: true });
}

import { useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Channel } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Badge } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { connectionPath, connectionsPath, type ConnectionSpec } from '../connections/lifecycle.tsx';
import './channels.css';

// What the reach channel pages share: paths, badges, the project's ID types, a one-shot hand-over
// of a freshly generated signing key, and how the shared connection kit (../connections/) loads,
// disables, enables and deletes a channel.

export const channelsPath = (projectId: number) => connectionsPath(projectId, 'channels');
export const channelPath = (projectId: number, channelId: string) =>
  connectionPath(projectId, 'channels', channelId);

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

/** Reach channels to the shared connection kit: how to load, disable, enable and delete one. */
export const channelSpec: ConnectionSpec<Channel> = {
  area: 'channels',
  list: (projectId, query) => api.listChannels({ projectId }, query),
  get: (projectId, channelId) => api.getChannel({ projectId, channelId }),
  permission: 'reach.webhook.manage',
  enable: (projectId, channel) => api.enableChannel({ projectId, channelId: channel.id }),
  disable: (projectId, channel) => api.disableChannel({ projectId, channelId: channel.id }),
  remove: (projectId, channel) => api.deleteChannel({ projectId, channelId: channel.id }),
  deleteNeedsDisable: { long: 'channels.deleteNeedsDisable', short: 'channels.deleteNeedsDisableShort' },
  explain: lifecycleError,
};

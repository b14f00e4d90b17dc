import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api } from '../../api/client.ts';
import type { App, AppType, DataSource, ReportingStatus } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { navigate } from '../../router.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Badge, type Tone } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconGlobe, IconPhone, IconServer } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';

// What the data source pages share: labels and badges, the project's apps, and the lifecycle
// actions (disable, enable, delete) with confirmations that say exactly what stops.

export const sourcesPath = (projectId: number) => `/projects/${projectId}/connections/sources`;
export const sourcePath = (projectId: number, sourceId: string) =>
  `${sourcesPath(projectId)}/${encodeURIComponent(sourceId)}`;

const reportingTone: Record<ReportingStatus, Tone> = {
  never_reported: 'neutral',
  reporting: 'green',
  stopped: 'amber',
};

export function StatusBadge({ source }: { source: Pick<DataSource, 'status'> }) {
  const { t } = useI18n();
  return (
    <Badge tone={source.status === 'enabled' ? 'blue' : 'red'} dot>
      {t(`sources.status.${source.status}`)}
    </Badge>
  );
}

export function ReportingBadge({ source }: { source: Pick<DataSource, 'reporting_status'> }) {
  const { t } = useI18n();
  return (
    <Badge tone={reportingTone[source.reporting_status]} dot>
      {t(`sources.reporting.${source.reporting_status}`)}
    </Badge>
  );
}

export function PlatformList({ source }: { source: Pick<DataSource, 'platforms'> }) {
  const { t } = useI18n();
  return (
    <span className="badge-list">
      {source.platforms.map((p) => (
        <span className="platform-chip" key={p.platform}>
          {t(`platform.${p.platform}`)}
        </span>
      ))}
    </span>
  );
}

export function AppTypeIcon({ type }: { type: AppType | undefined }) {
  if (type === 'web') return <IconGlobe />;
  if (type === 'app' || type === 'mini_program') return <IconPhone />;
  return <IconServer />;
}

/** The project's apps (a short list: the API answers it in one page). */
export function useApps(): {
  apps: readonly App[];
  reload: () => void;
  byId: (id: string) => App | undefined;
} {
  const { projectId } = useProject();
  const [apps, setApps] = useState<readonly App[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    api.listApps({ projectId }).then(
      (page) => current && setApps(page.items),
      () => current && setApps([]),
    );
    return () => {
      current = false;
    };
  }, [projectId, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const byId = useCallback((id: string) => apps.find((a) => a.id === id), [apps]);
  return { apps, reload, byId };
}

type Action = 'disable' | 'delete';

/**
 * Disable, enable and delete for one data source. Disable and delete ask first and list what
 * stops; enable only restarts intake, so it runs at once. `onChanged` gets the action done.
 */
export function useSourceLifecycle(onChanged: (action: Action | 'enable', source: DataSource) => void): {
  ask: (action: Action, source: DataSource) => void;
  enable: (source: DataSource) => Promise<void>;
  dialogs: ReactNode;
} {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId } = useProject();
  const [pending, setPending] = useState<{ action: Action; source: DataSource } | null>(null);
  const name = pending?.source.name ?? '';
  const enable = async (source: DataSource) => {
    try {
      await api.enableSource({ projectId, sourceId: source.id });
      toast.success(t('sources.enabled', { name: source.name }));
      onChanged('enable', source);
    } catch (error) {
      toast.error(describeError(error, t));
    }
  };
  const dialogs = (
    <>
      <ConfirmDialog
        open={pending?.action === 'disable'}
        onClose={() => setPending(null)}
        title={t('sources.disableTitle', { name })}
        message={t('sources.disableMessage')}
        consequences={[
          t('sources.disableStops1'),
          t('sources.disableStops2', { key: pending?.source.credentials.app_key ?? '' }),
          t('sources.disableStops3'),
        ]}
        confirmLabel={t('sources.disableConfirm')}
        onConfirm={async () => {
          if (!pending) return;
          await api.disableSource({ projectId, sourceId: pending.source.id });
          toast.success(t('sources.disabled', { name: pending.source.name }));
          onChanged('disable', pending.source);
        }}
      />
      <ConfirmDialog
        open={pending?.action === 'delete'}
        onClose={() => setPending(null)}
        title={t('sources.deleteTitle', { name })}
        message={t('sources.deleteMessage')}
        consequences={[t('sources.deleteStops1'), t('sources.deleteStops2'), t('sources.deleteStops3')]}
        confirmLabel={t('sources.deleteConfirm')}
        onConfirm={async () => {
          if (!pending) return;
          await api.deleteSource({ projectId, sourceId: pending.source.id });
          toast.success(t('sources.deleted', { name: pending.source.name }));
          onChanged('delete', pending.source);
        }}
      />
    </>
  );
  return { ask: (action, source) => setPending({ action, source }), enable, dialogs };
}

/** After a delete on a page about that source, go back to the list. */
export function leaveDeleted(projectId: number): void {
  navigate(sourcesPath(projectId), { replace: true });
}

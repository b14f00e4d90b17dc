import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { App, AppType, DataSource, IntegrationPrompt, ReportingStatus } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Badge, type Tone } from '../../ui/display.tsx';
import { IconGlobe, IconPhone, IconServer } from '../../ui/icons.tsx';
import { connectionPath, connectionsPath, type ConnectionSpec } from '../connections/lifecycle.tsx';

// What the data source pages share: labels and badges, the project's apps, and how the shared
// connection kit (../connections/) loads, disables, enables and deletes a data source.

export const sourcesPath = (projectId: number) => connectionsPath(projectId, 'sources');
export const sourcePath = (projectId: number, sourceId: string) =>
  connectionPath(projectId, 'sources', sourceId);

/**
 * An integration prompt's tab title in the reader's language: the server titles prompts in
 * English as `Platform (tool)` ("Server (curl)"); the platform is translated, the tool (an SDK
 * or program name) is kept.
 */
export function promptTitle(prompt: Pick<IntegrationPrompt, 'platform' | 'title'>, t: Translate): string {
  const tool = /\((.+)\)\s*$/.exec(prompt.title)?.[1];
  return tool ? t('sources.promptTitle', { platform: t(`platform.${prompt.platform}`), tool }) : prompt.title;
}

const reportingTone: Record<ReportingStatus, Tone> = {
  never_reported: 'neutral',
  reporting: 'green',
  stopped: 'amber',
};

export function ReportingBadge({ source }: { source: Pick<DataSource, 'reporting_status'> }) {
  const { t } = useI18n();
  const reporting = source.reporting_status;
  return (
    <Badge tone={reportingTone[reporting]} dot>
      {t(`sources.reporting.${reporting}`)}
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
  loading: boolean;
  error: unknown;
} {
  const { projectId } = useProject();
  const [apps, setApps] = useState<readonly App[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    api.listApps({ projectId }).then(
      (page) => {
        if (!current) return;
        setApps(page.items);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setApps([]);
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [projectId, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const byId = useCallback((id: string) => apps.find((a) => a.id === id), [apps]);
  return { apps, reload, byId, loading, error };
}

/** Data sources to the shared connection kit: how to load, disable, enable and delete one. */
export const sourceSpec: ConnectionSpec<DataSource> = {
  area: 'sources',
  list: (projectId, query) => api.listSources({ projectId }, query),
  get: (projectId, sourceId) => api.getSource({ projectId, sourceId }),
  permission: 'source.manage',
  enable: async (projectId, source) => {
    await api.enableSource({ projectId, sourceId: source.id });
    return source;
  },
  disable: async (projectId, source) => {
    await api.disableSource({ projectId, sourceId: source.id });
    return source;
  },
  remove: (projectId, source) => api.deleteSource({ projectId, sourceId: source.id }),
  values: (source) => ({ key: source.credentials.app_key }),
};

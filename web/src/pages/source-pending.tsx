import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { DataSource } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useProject } from '../project-context.tsx';
import { Link } from '../router.tsx';
import { Card, EmptyState, PageHeader } from '../ui/display.tsx';
import { IconProfiles, IconPulse } from '../ui/icons.tsx';
import { sourcePath, sourcesPath } from './source-common.tsx';

/**
 * Where a card's "View" (event management) and "Verify" (the live verify view) lead until the
 * profiles issue builds them: says what will be here and what already works.
 */
export function SourcePendingPage({ sourceId, kind }: { sourceId: string; kind: 'events' | 'verify' }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [source, setSource] = useState<DataSource | null>(null);
  useEffect(() => {
    let current = true;
    api.getSource({ projectId, sourceId }).then(
      (s) => current && setSource(s),
      () => current && setSource(null),
    );
    return () => {
      current = false;
    };
  }, [projectId, sourceId]);
  const name = source?.name ?? sourceId;
  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to={sourcesPath(projectId)}>{t('connections.tabSources')}</Link> /{' '}
            <Link to={sourcePath(projectId, sourceId)}>{name}</Link> /
          </>
        }
        title={kind === 'events' ? t('sources.eventsTitle') : t('sources.verifyTitle')}
        description={
          kind === 'events'
            ? t('sources.eventsDescription', { name })
            : t('sources.verifyDescription', { name })
        }
      />
      <Card flush>
        <EmptyState
          icon={kind === 'events' ? <IconProfiles /> : <IconPulse />}
          title={kind === 'events' ? t('sources.eventsPendingTitle') : t('sources.verifyPendingTitle')}
          description={
            kind === 'events'
              ? t('sources.eventsPendingText', { count: source?.events_24h ?? 0 })
              : t('sources.verifyPendingText', { count: source?.events_24h ?? 0 })
          }
          action={
            <Link className="btn btn-secondary" to={sourcePath(projectId, sourceId)}>
              {t('sources.backToSource')}
            </Link>
          }
        />
      </Card>
    </>
  );
}

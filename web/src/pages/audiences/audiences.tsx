import { useCallback, useEffect, useState } from 'react';
import { api, fetchAll } from '../../api/client.ts';
import type { Audience } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Alert, Card, EmptyState, Loading, PageHeader } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconMembers, IconPlus } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { AudienceBuilder } from './audience-builder.tsx';

function AudienceList() {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, workspace, can } = useProject();
  const workspaceId = workspace?.id ?? '';
  const [audiences, setAudiences] = useState<readonly Audience[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState<Audience | null>(null);
  const load = useCallback(() => {
    if (!workspaceId) return;
    fetchAll((q) => api.listAudiences({ projectId, workspaceId }, q)).then(setAudiences, setError);
  }, [projectId, workspaceId]);
  useEffect(load, [load]);
  const manage = can('audience.manage');
  const newButton = manage ? (
    <Button variant="primary" onClick={() => navigate(`/projects/${projectId}/audiences/new`)}>
      <IconPlus /> {t('audiences.new')}
    </Button>
  ) : null;
  return (
    <>
      <PageHeader title={t('audiences.title')} description={t('audiences.description')} actions={newButton} />
      {error ? <Alert tone="error">{describeError(error, t)}</Alert> : null}
      {audiences === null ? (
        <Loading />
      ) : audiences.length === 0 ? (
        <Card flush>
          <EmptyState
            icon={<IconMembers />}
            title={t('audiences.emptyTitle')}
            description={t('audiences.emptyText')}
            action={newButton}
          />
        </Card>
      ) : (
        <Card flush>
          <table className="table" aria-label={t('audiences.listLabel')}>
            <thead>
              <tr>
                <th scope="col">{t('audiences.name')}</th>
                <th scope="col">{t('audiences.updated')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('audiences.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {audiences.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/projects/${projectId}/audiences/${a.id}`}>{a.name}</Link>
                  </td>
                  <td className="cell-muted">{formatTime(a.updated_at)}</td>
                  <td className="cell-actions">
                    {manage ? (
                      <Button variant="ghost-danger" onClick={() => setDeleting(a)}>
                        {t('audiences.delete')}
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title={t('audiences.deleteTitle', { name: deleting?.name ?? '' })}
        consequences={[t('audiences.deleteText')]}
        confirmLabel={t('audiences.delete')}
        onConfirm={async () => {
          if (!deleting) return;
          await api.deleteAudience({ projectId, workspaceId, audienceId: deleting.id });
          toast.success(t('audiences.deleted', { name: deleting.name }));
          setDeleting(null);
          load();
        }}
      />
    </>
  );
}

/** `/projects/:id/audiences` (the list), `…/audiences/new` and `…/audiences/:audienceId` (builder). */
export function AudiencesPage() {
  const { t } = useI18n();
  const { pathname } = useLocation();
  const { workspace } = useProject();
  const sub = pathname.split('/')[4];
  if (!workspace)
    return (
      <>
        <PageHeader title={t('audiences.title')} description={t('audiences.description')} />
        <Card flush>
          <EmptyState
            icon={<IconMembers />}
            title={t('audiences.noWorkspaceTitle')}
            description={t('audiences.noWorkspaceText')}
          />
        </Card>
      </>
    );
  if (sub === 'new') return <AudienceBuilder key="new" audienceId={null} />;
  if (sub) return <AudienceBuilder key={sub} audienceId={decodeURIComponent(sub)} />;
  return <AudienceList />;
}

import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { InstanceProject } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { Button } from '../../ui/button.tsx';
import { Badge, EmptyState, PageHeader } from '../../ui/display.tsx';
import { IconArrowRight, IconFolder, IconPlus } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { CreateProjectDialog } from '../tenancy/create-project.tsx';
import { roleLabel, roleTone } from '../tenancy/members.tsx';

/**
 * Instance admins: every project on the instance with its member counts. A project opens only for
 * its members (decision 10): the instance admin joins one by being named its admin or invited.
 */
export function AllProjectsPage() {
  const { t, formatTime } = useI18n();
  const { session } = useSession();
  const [creating, setCreating] = useState(false);
  const pages = useCursorPages((q) => api.listInstanceProjects(q), 'instance-projects');
  const membershipIn = (id: number) => session?.memberships.find((m) => m.project_id === id);

  const columns: Column<InstanceProject>[] = [
    {
      key: 'project',
      header: t('allProjects.project'),
      className: 'cell-break',
      render: (p) => (
        <>
          <div className="cell-primary">{p.name}</div>
          <code className="cell-sub">
            {t('allProjects.id')} {p.id}
          </code>
        </>
      ),
    },
    { key: 'tz', header: t('allProjects.timeZone'), render: (p) => p.time_zone },
    {
      key: 'members',
      header: t('allProjects.members'),
      className: 'cell-number',
      render: (p) => p.member_count,
    },
    {
      key: 'admins',
      header: t('allProjects.admins'),
      className: 'cell-number',
      render: (p) =>
        p.admin_count === 0 ? <Badge tone="red">{t('allProjects.noAdmin')}</Badge> : p.admin_count,
    },
    {
      key: 'you',
      header: t('allProjects.yourRole'),
      render: (p) => {
        const m = membershipIn(p.id);
        return m ? (
          <Badge tone={roleTone[m.role]}>{t(roleLabel(m.role))}</Badge>
        ) : (
          <span className="muted">{t('allProjects.notMember')}</span>
        );
      },
    },
    {
      key: 'created',
      header: t('allProjects.created'),
      className: 'cell-muted',
      render: (p) => formatTime(p.created_at),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (p) => (
        <Button
          variant="ghost"
          size="sm"
          icon={<IconArrowRight />}
          aria-label={t('allProjects.openOf', { name: p.name })}
          disabled={!membershipIn(p.id)}
          title={membershipIn(p.id) ? undefined : t('allProjects.openNotMember')}
          onClick={() => navigate(`/projects/${p.id}/connections`)}
        >
          {t('allProjects.open')}
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('allProjects.title')}
        description={t('allProjects.description')}
        actions={
          <Button variant="primary" icon={<IconPlus />} onClick={() => setCreating(true)}>
            {t('projects.create')}
          </Button>
        }
      />
      <DataTable
        label={t('allProjects.title')}
        columns={columns}
        rows={pages.items}
        rowKey={(p) => String(p.id)}
        loading={pages.loading}
        error={pages.error}
        empty={
          <EmptyState
            icon={<IconFolder />}
            title={t('allProjects.emptyTitle')}
            description={t('allProjects.emptyText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
      <CreateProjectDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => pages.reload()}
      />
    </>
  );
}

import { api } from '../../api/client.ts';
import { useSession } from '../../session.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { EmptyState } from '../../ui/display.tsx';
import { IconCampaign, IconCheck, IconPlus } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { campaignStates, type Campaign, type CampaignState } from '../../api/types.ts';
import { CampaignActions } from './campaign-actions.tsx';
import {
  CampaignStateBadge,
  TriggerText,
  campaignPath,
  campaignsPath,
  isOwnSubmission,
  useCampaignNames,
} from './campaign-common.tsx';

const isState = (s: string | null): s is CampaignState =>
  (campaignStates as readonly (string | null)[]).includes(s);

/** "All" and one chip per state; the chosen one is in the address (`?state=`), so it can be linked. */
function StateChips({ state }: { state: CampaignState | '' }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const go = (s: CampaignState | '') =>
    navigate(s ? `${campaignsPath(projectId)}?state=${s}` : campaignsPath(projectId), { replace: true });
  return (
    <div className="state-chips" role="group" aria-label={t('campaigns.filterState')}>
      <button type="button" className="state-chip" aria-pressed={state === ''} onClick={() => go('')}>
        {t('campaigns.allStates')}
      </button>
      {campaignStates.map((s) => (
        <button
          type="button"
          key={s}
          className="state-chip"
          aria-pressed={state === s}
          data-state={s}
          onClick={() => go(state === s ? '' : s)}
        >
          {t(`campaigns.state.${s}`)}
        </button>
      ))}
    </div>
  );
}

/** The workspace's campaigns, newest first, filtered by state, with the actions each allows now. */
export function CampaignList() {
  const { t, formatTime } = useI18n();
  const { projectId, workspace, can } = useProject();
  const workspaceId = workspace?.id ?? '';
  const { search } = useLocation();
  const raw = search.get('state');
  const state: CampaignState | '' = isState(raw) ? raw : '';
  const names = useCampaignNames();
  const pages = useCursorPages(
    (q) => api.listCampaigns({ projectId, workspaceId }, { ...q, state }),
    `campaigns:${projectId}:${workspaceId}:${state}`,
  );
  const newButton = can('campaign.edit') ? (
    <Button variant="primary" icon={<IconPlus />} onClick={() => navigate(`${campaignsPath(projectId)}/new`)}>
      {t('campaigns.new')}
    </Button>
  ) : null;
  const columns: Column<Campaign>[] = [
    {
      key: 'name',
      header: t('campaigns.name'),
      render: (c) => (
        <>
          <Link className="cell-primary" to={campaignPath(projectId, c.id)}>
            {c.name}
          </Link>
          <div className="cell-sub">
            {names.audience(c.audience_id)} → {names.channel(c.channel_id)}
          </div>
        </>
      ),
    },
    {
      key: 'state',
      header: t('campaigns.stateLabel'),
      render: (c) => <CampaignStateBadge state={c.state} />,
    },
    {
      key: 'schedule',
      header: t('campaigns.schedule'),
      render: (c) => (
        <>
          <TriggerText trigger={c.trigger} />
          {c.next_run_at ? (
            <div className="cell-sub">{t('campaigns.nextRun', { time: formatTime(c.next_run_at) })}</div>
          ) : null}
        </>
      ),
    },
    {
      key: 'updated',
      header: t('campaigns.updated'),
      className: 'cell-muted',
      render: (c) => formatTime(c.updated_at),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('campaigns.actions')}</span>,
      className: 'cell-actions',
      render: (c) => <CampaignActions campaign={c} size="sm" onChanged={() => pages.reload()} />,
    },
  ];
  return (
    <>
      <div className="row campaign-list-head">
        <StateChips state={state} />
        <span className="toolbar-spacer" />
        {newButton}
      </div>
      <DataTable
        label={t('campaigns.listLabel')}
        columns={columns}
        rows={pages.items}
        rowKey={(c) => c.id}
        loading={pages.loading}
        error={pages.error}
        empty={
          <EmptyState
            icon={<IconCampaign />}
            title={state ? t('common.noMatches') : t('campaigns.emptyTitle')}
            description={state ? t('common.noMatchesText') : t('campaigns.emptyText')}
            action={state ? undefined : newButton}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
    </>
  );
}

/** Campaigns waiting for approval in the workspace: Approve, or Reject with a reason. */
export function ApprovalInbox() {
  const { t, formatTime } = useI18n();
  const { projectId, workspace, can } = useProject();
  const { session } = useSession();
  const workspaceId = workspace?.id ?? '';
  const names = useCampaignNames();
  const pages = useCursorPages(
    (q) => api.listCampaigns({ projectId, workspaceId }, { ...q, state: 'pending_approval' }),
    `approvals:${projectId}:${workspaceId}`,
  );
  const columns: Column<Campaign>[] = [
    {
      key: 'name',
      header: t('campaigns.name'),
      render: (c) => (
        <>
          <Link className="cell-primary" to={campaignPath(projectId, c.id)}>
            {c.name}
          </Link>
          <div className="cell-sub">
            {names.audience(c.audience_id)} → {names.channel(c.channel_id)}
          </div>
        </>
      ),
    },
    { key: 'schedule', header: t('campaigns.schedule'), render: (c) => <TriggerText trigger={c.trigger} /> },
    {
      key: 'submitted',
      header: t('campaigns.submittedBy'),
      render: (c) => (
        <>
          {isOwnSubmission(c, session?.account.id) ? t('campaigns.you') : names.member(c.submitted_by)}
          <div className="cell-sub">{formatTime(c.submitted_at)}</div>
        </>
      ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('campaigns.actions')}</span>,
      className: 'cell-actions',
      render: (c) => (
        <CampaignActions
          campaign={c}
          size="sm"
          only={['approve', 'reject']}
          onChanged={() => pages.reload()}
        />
      ),
    },
  ];
  return (
    <>
      {!can('campaign.approve') ? <p className="muted">{t('campaigns.inboxReadOnly')}</p> : null}
      <DataTable
        label={t('campaigns.inboxLabel')}
        columns={columns}
        rows={pages.items}
        rowKey={(c) => c.id}
        loading={pages.loading}
        error={pages.error}
        empty={
          <EmptyState
            icon={<IconCheck />}
            title={t('campaigns.inboxEmptyTitle')}
            description={t('campaigns.inboxEmptyText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
    </>
  );
}

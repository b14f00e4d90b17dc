import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { useLocation } from '../../router.tsx';
import { Card, EmptyState, PageHeader, Tabs } from '../../ui/display.tsx';
import { IconCampaign } from '../../ui/icons.tsx';
import { ApprovalInbox, CampaignList } from './campaign-list.tsx';
import { CampaignDetails } from './campaign-details.tsx';
import { CampaignEditor } from './campaign-editor.tsx';
import { approvalsPath, campaignsPath } from './campaign-common.tsx';

/**
 * The Campaigns area (issue 19): `/campaigns` (the list), `/campaigns/approvals` (the approval
 * inbox), `/campaigns/new` and `/campaigns/:id/edit` (the editor), `/campaigns/:id` (details).
 */
export function CampaignsPage() {
  const { t } = useI18n();
  const { projectId, workspace } = useProject();
  const { pathname } = useLocation();
  const [, , , , sub, more] = pathname.split('/');
  if (!workspace)
    return (
      <>
        <PageHeader title={t('campaigns.title')} description={t('campaigns.description')} />
        <Card flush>
          <EmptyState
            icon={<IconCampaign />}
            title={t('campaigns.noWorkspaceTitle')}
            description={t('campaigns.noWorkspaceText')}
          />
        </Card>
      </>
    );
  // Keyed by workspace too: switching workspace starts the page over in the new one.
  const key = `${workspace.id}:${sub ?? ''}`;
  if (sub === 'new') return <CampaignEditor key={key} campaignId={null} />;
  if (sub && sub !== 'approvals') {
    const id = decodeURIComponent(sub);
    if (more === 'edit') return <CampaignEditor key={`${key}:edit`} campaignId={id} />;
    return <CampaignDetails key={key} campaignId={id} />;
  }
  const base = campaignsPath(projectId);
  const here = sub === 'approvals' ? approvalsPath(projectId) : base;
  return (
    <>
      <PageHeader title={t('campaigns.title')} description={t('campaigns.description')} />
      <Tabs
        label={t('campaigns.title')}
        current={here}
        items={[
          { to: base, label: t('campaigns.tabAll') },
          { to: approvalsPath(projectId), label: t('campaigns.tabApprovals') },
        ]}
      />
      {sub === 'approvals' ? <ApprovalInbox key={workspace.id} /> : <CampaignList key={workspace.id} />}
    </>
  );
}

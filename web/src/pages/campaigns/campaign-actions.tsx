import { useState, type ReactNode } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { describeError } from '../../ui/errors.ts';
import { TextAreaField } from '../../ui/field.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { IconCheck, IconEdit, IconPause, IconPlay, IconTrash, IconX } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { campaignStates, type Campaign, type CampaignAction, type CampaignState } from '../../api/types.ts';
import { TriggerText, campaignEditPath, isOwnSubmission } from './campaign-common.tsx';

// The buttons a campaign offers wherever it is shown (list row, approval inbox, details): the
// transitions its `allowed_actions` lists, Edit while a draft, Delete where the API allows it.
// Destructive ones (publish, stop, delete) ask first; reject asks for a reason. Nobody approves
// their own submission: Approve stays, disabled, with the reason next to it (the author may still
// reject it, which takes it back to draft, as the API allows).

/** In the order an operator meets them. */
const order: readonly CampaignAction[] = [
  'submit',
  'approve',
  'reject',
  'publish',
  'pause',
  'resume',
  'stop',
];
const deletable = new Set(['draft', 'completed', 'stopped']);

const icons: Partial<Record<CampaignAction, ReactNode>> = {
  approve: <IconCheck />,
  reject: <IconX />,
  publish: <IconPlay />,
  pause: <IconPause />,
  resume: <IconPlay />,
};

const isState = (s: string): s is CampaignState => (campaignStates as readonly string[]).includes(s);
const isAction = (a: string): a is CampaignAction => (order as readonly string[]).includes(a);

/** A refused transition in words: what the state is, and what it allows instead. */
export function actionErrorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError && error.code === 'TP_ERR_CAMPAIGN_STATE') {
    const state = String(error.details.state ?? '');
    const allowed = Array.isArray(error.details.allowed) ? (error.details.allowed as string[]) : [];
    return t('campaigns.stateRefused', {
      state: isState(state) ? t(`campaigns.state.${state}`) : state,
      allowed: allowed.length
        ? allowed.map((a) => (isAction(a) ? t(`campaigns.action.${a}`) : a)).join(', ')
        : t('campaigns.nothingAllowed'),
    });
  }
  return describeError(error, t);
}

export function CampaignActions({
  campaign,
  onChanged,
  size = 'md',
  only,
}: {
  campaign: Campaign;
  /** Called with the campaign after a transition, or null after it was deleted. */
  onChanged: (campaign: Campaign | null) => void;
  size?: 'sm' | 'md';
  /** Limit the buttons to these (the approval inbox shows approve and reject). */
  only?: readonly CampaignAction[];
}) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const { session } = useSession();
  const [busy, setBusy] = useState<CampaignAction | null>(null);
  const [confirming, setConfirming] = useState<'publish' | 'stop' | 'delete' | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const params = { projectId, workspaceId: campaign.workspace_id, campaignId: campaign.id };
  const own = isOwnSubmission(campaign, session?.account.id);
  const allowed = new Set(campaign.allowed_actions);
  const shown = order.filter((a) => (only ? only.includes(a) : true));
  // Approve is offered to whoever may approve: disabled, with why, on their own submission.
  const mayApprove = can('campaign.approve') && campaign.state === 'pending_approval';
  const visible = shown.filter((a) => (a === 'approve' && own ? mayApprove : allowed.has(a)));

  const run = async (action: CampaignAction, body: { reason?: string } = {}, inline = false) => {
    setBusy(action);
    setError(null);
    try {
      const next = await api.campaignAction(params, action, body);
      toast.success(t(`campaigns.done.${action}`, { name: campaign.name }));
      onChanged(next);
    } catch (e) {
      // A dialog shows what it throws; a plain button's refusal is said next to the buttons.
      const text = actionErrorText(e, t);
      if (inline) setError(text);
      throw new Error(text);
    } finally {
      setBusy(null);
    }
  };

  const click = (action: CampaignAction) => {
    if (action === 'publish' || action === 'stop') setConfirming(action);
    else if (action === 'reject') {
      setReason('');
      setReasonError(undefined);
      setRejecting(true);
    } else void run(action, {}, true).catch(() => undefined);
  };

  const edit = !only && campaign.state === 'draft' && can('campaign.edit');
  const remove = !only && deletable.has(campaign.state) && can('campaign.edit');
  if (visible.length === 0 && !edit && !remove) return null;

  return (
    <div className="campaign-actions">
      <div className="row campaign-action-buttons">
        {edit ? (
          <Button
            size={size}
            icon={<IconEdit />}
            onClick={() => navigate(campaignEditPath(projectId, campaign.id))}
          >
            {t('campaigns.edit')}
          </Button>
        ) : null}
        {visible.map((action) => (
          <Button
            key={action}
            size={size}
            variant={
              action === 'stop' || action === 'reject'
                ? 'ghost-danger'
                : action === 'publish' || action === 'approve' || action === 'submit'
                  ? 'primary'
                  : 'secondary'
            }
            icon={icons[action]}
            loading={busy === action}
            disabled={action === 'approve' && own}
            title={action === 'approve' && own ? t('campaigns.ownSubmission') : undefined}
            onClick={() => click(action)}
          >
            {t(`campaigns.action.${action}`)}
          </Button>
        ))}
        {remove ? (
          <Button
            size={size}
            variant="ghost-danger"
            icon={<IconTrash />}
            onClick={() => setConfirming('delete')}
          >
            {t('campaigns.delete')}
          </Button>
        ) : null}
      </div>
      {own && visible.includes('approve') ? (
        <p className="muted campaign-action-note" data-testid="own-submission">
          {t('campaigns.ownSubmission')}
        </p>
      ) : null}
      {error ? (
        <p className="field-error campaign-action-note" role="alert">
          {error}
        </p>
      ) : null}
      <ConfirmDialog
        open={confirming === 'publish'}
        onClose={() => setConfirming(null)}
        title={t('campaigns.publishTitle', { name: campaign.name })}
        message={<TriggerText trigger={campaign.trigger} />}
        consequences={[
          campaign.trigger.type === 'now'
            ? t('campaigns.publishNow')
            : campaign.trigger.type === 'at'
              ? t('campaigns.publishAt')
              : campaign.trigger.type === 'event'
                ? t('campaigns.publishEvent')
                : t('campaigns.publishCron'),
          t('campaigns.publishPause'),
        ]}
        confirmLabel={t('campaigns.action.publish')}
        onConfirm={() => run('publish')}
      />
      <ConfirmDialog
        open={confirming === 'stop'}
        onClose={() => setConfirming(null)}
        title={t('campaigns.stopTitle', { name: campaign.name })}
        consequences={[
          t('campaigns.stopQueued'),
          campaign.trigger.type === 'event' ? t('campaigns.stopFires') : t('campaigns.stopRuns'),
          t('campaigns.stopFinal'),
        ]}
        confirmLabel={t('campaigns.action.stop')}
        onConfirm={() => run('stop')}
      />
      <ConfirmDialog
        open={confirming === 'delete'}
        onClose={() => setConfirming(null)}
        title={t('campaigns.deleteTitle', { name: campaign.name })}
        consequences={[t('campaigns.deleteGone'), t('campaigns.deleteMessages')]}
        confirmLabel={t('campaigns.delete')}
        onConfirm={async () => {
          await api.deleteCampaign(params);
          toast.success(t('campaigns.deleted', { name: campaign.name }));
          onChanged(null);
        }}
      />
      <FormDialog
        open={rejecting}
        onClose={() => setRejecting(false)}
        icon={<IconX />}
        title={t('campaigns.rejectTitle', { name: campaign.name })}
        description={t('campaigns.rejectDescription')}
        submitLabel={t('campaigns.action.reject')}
        onSubmit={async () => {
          if (!reason.trim()) {
            setReasonError(t('campaigns.reasonRequired'));
            return;
          }
          await run('reject', { reason: reason.trim() });
          setRejecting(false);
        }}
      >
        <TextAreaField
          label={t('campaigns.reason')}
          name="reason"
          rows={3}
          maxLength={500}
          value={reason}
          error={reasonError}
          onChange={(e) => {
            setReason(e.target.value);
            setReasonError(undefined);
          }}
        />
      </FormDialog>
    </div>
  );
}

import { api } from '../../api/client.ts';
import { useCallback, useEffect, useState } from 'react';
import { messageStates } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Badge, Card, EmptyState, Loading, PageHeader, type Tone } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconCampaign, IconLog, IconRotate } from '../../ui/icons.tsx';
import { StaticTable } from '../../ui/table.tsx';
import { logPath } from '../delivery/delivery-common.tsx';
import type { Campaign, CampaignRun, RunState } from '../../api/types.ts';
import { CampaignActions } from './campaign-actions.tsx';
import {
  CampaignStateBadge,
  LimitsText,
  TriggerText,
  campaignsPath,
  useCampaignNames,
} from './campaign-common.tsx';

// One campaign: its state and the actions it allows, its setup, who submitted and approved it,
// and its runs (task instances) with their progress and messages by state, each count a link to
// the message log filtered by the campaign and that state. While anything may still move, the
// page re-reads the campaign and its runs every two seconds.

const runTone: Record<RunState, Tone> = {
  rendering: 'blue',
  listening: 'violet',
  delivering: 'blue',
  paused: 'amber',
  completed: 'green',
  stopped: 'red',
  failed: 'red',
};

/** States in which the campaign or a run may still change by itself. */
const moving = new Set(['pending_publish', 'scheduled', 'running', 'paused']);
const POLL_MS = 2_000;

/** Members the send gate left out, by reason: counted apart from `skipped` (no send-ID value). */
function GateCounts({ run }: { run: CampaignRun }) {
  const { t, locale } = useI18n();
  const reasons = [
    ['suppressed', run.suppressed, 'campaigns.suppressedN'],
    ['unsubscribed', run.unsubscribed, 'campaigns.unsubscribedN'],
    ['capped', run.capped, 'campaigns.cappedN'],
    ['quiet', run.quiet, 'campaigns.quietN'],
  ] as const;
  return (
    <>
      {reasons.map(([reason, count, key]) =>
        count > 0 ? (
          <span key={reason}>
            {' · '}
            <span data-testid={`run-${reason}`}>{t(key, { n: count.toLocaleString(locale) })}</span>
          </span>
        ) : null,
      )}
    </>
  );
}

/** An event campaign's run: events taken and left out, then what became of the rest. */
function EventRunProgress({ run }: { run: CampaignRun }) {
  const { t, locale } = useI18n();
  const n = (v: number) => v.toLocaleString(locale);
  return (
    <div className="run-progress">
      <div className="run-fires">
        <span data-testid="run-fired">{t('campaigns.firedN', { n: n(run.fired) })}</span>
        <span className="muted"> · </span>
        <span data-testid="run-excluded" title={t('campaigns.excludedHint')}>
          {t('campaigns.excludedN', { n: n(run.excluded) })}
        </span>
      </div>
      <div className="cell-sub" data-testid="run-processed">
        {t('campaigns.fireSentN', { n: n(run.processed) })}
        {' · '}
        {t('campaigns.queuedN', { n: n(run.queued) })}
        {run.skipped > 0 ? (
          <>
            {' · '}
            {t('campaigns.skippedN', { n: n(run.skipped) })}
          </>
        ) : null}
        <GateCounts run={run} />
      </div>
    </div>
  );
}

function RunProgress({ run }: { run: CampaignRun }) {
  const { t, locale } = useI18n();
  // Null until the run has evaluated its audience.
  const n = (v: number | null) => (v === null ? '…' : v.toLocaleString(locale));
  const target = run.reachable;
  // Members the send gate left out are reachable but never rendered: they count as done, or a
  // finished run with suppressed (or capped, or quiet-dropped) members would stop short of 100 %
  // (decision 125).
  const done = run.processed + run.suppressed + run.unsubscribed + run.capped + run.quiet;
  const percent = target === null ? 0 : target > 0 ? Math.min(100, Math.round((done / target) * 100)) : 100;
  return (
    <div className="run-progress">
      <div className="send-progress-bar-row">
        <div
          className="send-progress-bar"
          role="progressbar"
          aria-label={t('campaigns.runProgress')}
          aria-valuemin={0}
          aria-valuemax={target ?? undefined}
          aria-valuenow={done}
        >
          <span style={{ width: `${percent}%` }} />
        </div>
        <span className="mono">{percent}%</span>
      </div>
      <div className="cell-sub" data-testid="run-processed">
        {t('campaigns.processedOf', { processed: n(run.processed), reachable: n(run.reachable) })}
        {' · '}
        {t('campaigns.queuedN', { n: n(run.queued) })}
        {run.skipped > 0 ? (
          <>
            {' · '}
            {t('campaigns.skippedN', { n: n(run.skipped) })}
          </>
        ) : null}
        <GateCounts run={run} />
      </div>
    </div>
  );
}

function RunsTable({ campaign, runs }: { campaign: Campaign; runs: readonly CampaignRun[] }) {
  const { t, formatTime, locale } = useI18n();
  const { projectId } = useProject();
  const byEvent = campaign.trigger.type === 'event';
  if (runs.length === 0)
    return (
      <EmptyState
        icon={<IconCampaign />}
        title={t('campaigns.noRunsTitle')}
        description={
          campaign.next_run_at
            ? t('campaigns.noRunsNext', { time: formatTime(campaign.next_run_at) })
            : t('campaigns.noRunsText')
        }
      />
    );
  return (
    <StaticTable
      label={t('campaigns.runsLabel')}
      className="runs-table"
      headings={[
        t('campaigns.run'),
        t('campaigns.runState'),
        t('campaigns.runAudience'),
        t('campaigns.runProgress'),
        t('campaigns.runMessages'),
      ]}
    >
      {runs.map((run) => (
        <tr key={run.id} data-run={run.id}>
          <td>
            <div className="mono">{run.id}</div>
            <div className="cell-sub">
              {t('campaigns.scheduledFor', { time: formatTime(run.scheduled_for) })}
            </div>
            {run.finished_at ? (
              <div className="cell-sub">
                {t('campaigns.finishedAt', { time: formatTime(run.finished_at) })}
              </div>
            ) : null}
          </td>
          <td>
            <span data-run-state={run.state}>
              <Badge tone={runTone[run.state]} dot>
                {t(`campaigns.runState.${run.state}`)}
              </Badge>
            </span>
            {run.error ? <div className="cell-sub run-error">{run.error}</div> : null}
          </td>
          {byEvent ? (
            <td className="cell-num">
              <div data-testid="run-size" className="muted" title={t('campaigns.runAudienceEvent')}>
                —
              </div>
            </td>
          ) : (
            <td className="cell-num">
              <div data-testid="run-size">{run.audience_size?.toLocaleString(locale) ?? '…'}</div>
              <div className="cell-sub">
                {t('campaigns.reachableN', { n: run.reachable?.toLocaleString(locale) ?? '…' })}
              </div>
            </td>
          )}
          <td>{byEvent ? <EventRunProgress run={run} /> : <RunProgress run={run} />}</td>
          <td>
            <ul className="run-counts" aria-label={t('campaigns.countsOf', { run: run.id })}>
              {messageStates.map((s) => (
                <li key={s}>
                  <Link
                    to={logPath(projectId, { campaign_id: campaign.id, state: s })}
                    className={`run-count state-${s}`}
                    data-state={s}
                    title={t(`delivery.stateHint.${s}`)}
                  >
                    <span className="run-count-label">{s}</span>
                    <span className="run-count-value">{run.counts[s].toLocaleString(locale)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </td>
        </tr>
      ))}
    </StaticTable>
  );
}

export function CampaignDetails({ campaignId }: { campaignId: string }) {
  const { t, formatTime } = useI18n();
  const { projectId, workspace } = useProject();
  const { session } = useSession();
  const workspaceId = workspace?.id ?? '';
  const names = useCampaignNames();
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  const [runs, setRuns] = useState<readonly CampaignRun[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (!workspaceId) return;
    let current = true;
    const params = { projectId, workspaceId, campaignId };
    Promise.all([api.getCampaign(params), api.listCampaignRuns(params, { limit: 50 })]).then(
      ([c, r]) => {
        if (!current) return;
        setCampaign(c);
        setRuns(r.items);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, workspaceId, campaignId, tick]);

  // Re-read while the campaign or one of its runs can still move on its own.
  const active =
    campaign !== null &&
    (moving.has(campaign.state) ||
      runs.some(
        (r) =>
          r.state === 'rendering' ||
          r.state === 'listening' ||
          r.state === 'delivering' ||
          r.counts.queued > 0 ||
          r.counts.sending > 0,
      ));
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [active, tick, reload]);

  if (error && !campaign) return <Alert tone="error">{describeError(error, t)}</Alert>;
  if (!campaign) return <Loading />;
  const who = (id: string | null) =>
    id && id === session?.account.id ? t('campaigns.you') : names.member(id);
  const variables = campaign.variables;
  return (
    <>
      <PageHeader
        breadcrumb={<Link to={campaignsPath(projectId)}>{t('campaigns.back')}</Link>}
        title={
          <span className="row campaign-title">
            {campaign.name} <CampaignStateBadge state={campaign.state} />
          </span>
        }
        description={
          campaign.state === 'running' && campaign.trigger.type === 'event'
            ? t('campaigns.stateHint.runningEvent')
            : t(`campaigns.stateHint.${campaign.state}`)
        }
        actions={
          <div className="row campaign-header-actions">
            <CampaignActions
              campaign={campaign}
              onChanged={(next) => {
                if (next === null) navigate(campaignsPath(projectId));
                else {
                  setCampaign(next);
                  reload();
                }
              }}
            />
            <Button
              icon={<IconLog />}
              onClick={() => navigate(logPath(projectId, { campaign_id: campaign.id }))}
            >
              {t('campaigns.messageLog')}
            </Button>
          </div>
        }
      />
      {error ? <Alert tone="error">{describeError(error, t)}</Alert> : null}
      {campaign.rejection && campaign.state === 'draft' ? (
        <Alert tone="warning">
          {t('campaigns.rejectedBy', {
            who: who(campaign.rejection.by),
            time: formatTime(campaign.rejection.at),
            reason: campaign.rejection.reason,
          })}
        </Alert>
      ) : null}
      <div className="details-grid">
        <Card title={t('campaigns.setup')}>
          <dl className="kv campaign-kv">
            {campaign.description ? (
              <>
                <dt>{t('campaigns.descriptionLabel')}</dt>
                <dd>{campaign.description}</dd>
              </>
            ) : null}
            <dt>{t('campaigns.audience')}</dt>
            <dd>
              {campaign.audience_id === null && campaign.trigger.type === 'event'
                ? t('campaigns.noAudience')
                : names.audience(campaign.audience_id)}
            </dd>
            <dt>{t('campaigns.channel')}</dt>
            <dd>{names.channel(campaign.channel_id)}</dd>
            <dt>{t('campaigns.schedule')}</dt>
            <dd>
              <TriggerText trigger={campaign.trigger} />
            </dd>
            {campaign.trigger.type === 'event' ? null : (
              <>
                <dt>{t('campaigns.nextRunLabel')}</dt>
                <dd>{formatTime(campaign.next_run_at)}</dd>
              </>
            )}
            <dt>{t('campaigns.limits')}</dt>
            <dd>
              <LimitsText cap={campaign.frequency_cap} quietHours={campaign.quiet_hours} />
            </dd>
            <dt>{t('campaigns.templateValues')}</dt>
            <dd>
              {Object.keys(campaign.template_values).length === 0 ? (
                '—'
              ) : (
                <dl className="kv kv-narrow">
                  {Object.entries(campaign.template_values).map(([k, v]) => (
                    <div className="kv-pair" key={k}>
                      <dt className="mono">{k}</dt>
                      <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                    </div>
                  ))}
                </dl>
              )}
            </dd>
            <dt>{t('campaigns.variables')}</dt>
            <dd>
              {variables.length === 0
                ? '—'
                : variables.map((v) => (
                    <div key={v.name} className="mono">
                      {`\${${v.name}} ← ${v.source}`}
                      {v.default ? ` (${t('campaigns.defaultIs', { value: v.default })})` : ''}
                    </div>
                  ))}
            </dd>
            <dt>{t('campaigns.conversion')}</dt>
            <dd>
              {campaign.conversion
                ? t('campaigns.conversionText', {
                    event: campaign.conversion.event,
                    days: campaign.conversion.within_days,
                  })
                : t('campaigns.noConversion')}
            </dd>
          </dl>
        </Card>
        <Card title={t('campaigns.approval')}>
          <dl className="kv campaign-kv">
            <dt>{t('campaigns.createdBy')}</dt>
            <dd>
              {who(campaign.created_by)} · {formatTime(campaign.created_at)}
            </dd>
            <dt>{t('campaigns.submittedBy')}</dt>
            <dd>
              {campaign.submitted_at
                ? `${who(campaign.submitted_by)} · ${formatTime(campaign.submitted_at)}`
                : '—'}
            </dd>
            <dt>{t('campaigns.approvedBy')}</dt>
            <dd>
              {campaign.approved_at
                ? `${who(campaign.approved_by)} · ${formatTime(campaign.approved_at)}`
                : '—'}
            </dd>
            <dt>{t('campaigns.workspaceApproval')}</dt>
            <dd>{workspace?.require_approval ? t('campaigns.approvalOn') : t('campaigns.approvalOff')}</dd>
          </dl>
        </Card>
      </div>
      <Card
        title={t('campaigns.runs')}
        subtitle={t('campaigns.runsHint')}
        actions={
          <Button size="sm" icon={<IconRotate />} onClick={reload}>
            {t('delivery.refresh')}
          </Button>
        }
        flush
      >
        <RunsTable campaign={campaign} runs={runs} />
      </Card>
    </>
  );
}

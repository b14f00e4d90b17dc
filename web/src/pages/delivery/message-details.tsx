import { Fragment, useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { MessageAttempt, MessageBatch, MessageDetail } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Alert, Badge, Card, EmptyState, Loading, PageHeader } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconChevronDown, IconDelivery, IconLog, IconRotate } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { channelPath } from '../channels/channel-common.tsx';
import { JsonBlock, profilePath } from '../profiles/profile-common.tsx';
import { StateBadge, deliveryPath, logPath, messagePath, useChannels } from './delivery-common.tsx';

/** States a replay takes a message out of (the API leaves queued, sending and held ones alone). */
const replayable = new Set(['delivered', 'failed', 'dead', 'sent']);

const outcomeTone = (outcome: string) =>
  outcome === 'delivered' || outcome === 'sent' ? 'green' : outcome === 'retry' ? 'amber' : 'red';

/** What happened to the other messages of the request an attempt travelled in. */
function BatchNeighbours({ opsRequestId, batchId }: { opsRequestId: string; batchId: string }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [batch, setBatch] = useState<MessageBatch | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    api.messageBatch({ projectId, opsRequestId, batchId }).then(
      (b) => current && setBatch(b),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, opsRequestId, batchId]);
  if (error) return <Alert tone="error">{describeError(error, t)}</Alert>;
  if (!batch) return <Loading />;
  const others = batch.items.filter((i) => i.ops_request_id !== opsRequestId);
  return (
    <div className="stack-tight" data-testid="batch-neighbours">
      <span>
        {t('delivery.batchSummary', { n: batch.size })}{' '}
        <span className="badge-list batch-outcomes">
          {Object.entries(batch.outcomes).map(([outcome, n]) => (
            <Badge key={outcome} tone={outcomeTone(outcome)}>
              {outcome} {n}
            </Badge>
          ))}
        </span>
      </span>
      {others.length > 0 ? (
        <ul className="batch-list">
          {others.slice(0, 50).map((i) => (
            <li key={i.ops_request_id}>
              <Link className="mono" to={messagePath(projectId, i.ops_request_id)}>
                {i.ops_request_id}
              </Link>{' '}
              <Badge tone={outcomeTone(i.outcome)}>{i.outcome}</Badge>
            </li>
          ))}
          {others.length > 50 ? (
            <li className="muted">{t('delivery.batchMore', { n: others.length - 50 })}</li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}

function AttemptRow({
  attempt,
  index,
  opsRequestId,
}: {
  attempt: MessageAttempt;
  index: number;
  opsRequestId: string;
}) {
  const { t, formatTime } = useI18n();
  const [open, setOpen] = useState(false);
  const detailsId = `attempt-${index}`;
  const excerpt = attempt.response_excerpt ?? '';
  return (
    <Fragment>
      <tr data-attempt={attempt.attempt} className={open ? 'is-expanded' : undefined}>
        <td className="cell-num">{attempt.attempt}</td>
        <td className="cell-muted">{formatTime(attempt.at)}</td>
        <td className="cell-num">{t('delivery.ms', { n: attempt.latency_ms })}</td>
        <td className="mono">{attempt.status ?? '—'}</td>
        <td>
          <span className="badge-list">
            <Badge tone={outcomeTone(attempt.outcome)}>{attempt.outcome}</Badge>
            {attempt.manual_replay ? <Badge tone="blue">{t('delivery.manualReplay')}</Badge> : null}
            {attempt.late ? <Badge tone="amber">{t('delivery.late')}</Badge> : null}
          </span>
          <div className="cell-sub">{t('delivery.requestResult', { result: attempt.result })}</div>
        </td>
        <td>
          {attempt.reason ? <code>{attempt.reason}</code> : <span className="cell-muted">—</span>}
          {attempt.detail ? <div className="cell-sub attempt-detail">{attempt.detail}</div> : null}
        </td>
        <td className="attempt-excerpt">
          {excerpt ? (
            <code className="json-inline">{excerpt.slice(0, 80)}</code>
          ) : (
            <span className="cell-muted">—</span>
          )}
        </td>
        <td className="cell-actions">
          <Button
            variant="ghost"
            size="sm"
            className="expand-toggle"
            icon={<IconChevronDown />}
            aria-expanded={open}
            aria-controls={open ? detailsId : undefined}
            aria-label={t(open ? 'delivery.hideAttempt' : 'delivery.showAttempt', { n: attempt.attempt })}
            onClick={() => setOpen((o) => !o)}
          >
            {t('delivery.more')}
          </Button>
        </td>
      </tr>
      {open ? (
        <tr className="row-detail" id={detailsId}>
          <td colSpan={8}>
            <dl className="kv kv-wide">
              <dt>{t('delivery.batch')}</dt>
              <dd className="mono">{attempt.batch_id}</dd>
              <dt>{t('delivery.batchNeighbours')}</dt>
              <dd>
                <BatchNeighbours opsRequestId={opsRequestId} batchId={attempt.batch_id} />
              </dd>
              <dt>{t('delivery.reason')}</dt>
              <dd>{attempt.detail ?? attempt.reason ?? '—'}</dd>
            </dl>
            {excerpt ? <JsonBlock value={excerpt} label={t('delivery.responseExcerpt')} /> : null}
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

/** One message: as it was sent, its receipt properties, every attempt, and Replay. */
export function MessageDetails({ opsRequestId }: { opsRequestId: string }) {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const channels = useChannels();
  const [detail, setDetail] = useState<MessageDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [replaying, setReplaying] = useState(false);
  useEffect(() => {
    let current = true;
    setError(null);
    api.getMessage({ projectId, opsRequestId }).then(
      (d) => current && setDetail(d),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, opsRequestId, tick]);
  // While the message is on its way (after a replay, say), follow it until it settles.
  const moving = detail?.message.state === 'queued' || detail?.message.state === 'sending';
  useEffect(() => {
    if (!moving) return;
    const timer = window.setTimeout(() => setTick((n) => n + 1), 1500);
    return () => window.clearTimeout(timer);
  }, [moving, detail]);

  const breadcrumb = (
    <>
      <Link to={deliveryPath(projectId)}>{t('delivery.title')}</Link> /
    </>
  );
  if (error)
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={t('delivery.message')} />
        <Card flush>
          {error instanceof ApiError && error.status === 404 ? (
            <EmptyState
              icon={<IconDelivery />}
              title={t('delivery.notFoundTitle')}
              description={t('delivery.notFoundText', { id: opsRequestId })}
              action={
                <Link className="btn btn-secondary" to={deliveryPath(projectId)}>
                  {t('delivery.backToLog')}
                </Link>
              }
            />
          ) : (
            <div className="card-body">
              <Alert tone="error">{describeError(error, t)}</Alert>
            </div>
          )}
        </Card>
      </>
    );
  if (!detail)
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={t('delivery.message')} />
        <Loading className="card card-body row" />
      </>
    );
  const { message, attempts, receipts } = detail;
  const channel = channels.find((c) => c.id === message.channel_id);
  // The request body item exactly as the wire protocol carries it (SPEC §3.2).
  const asSent = {
    push_id: message.push_id,
    params: message.params,
    custom_params: message.custom_params,
    '#ops_receipt_properties': message.receipt,
  };
  return (
    <>
      <PageHeader
        breadcrumb={breadcrumb}
        title={t('delivery.messageTo', { id: message.push_id })}
        description={
          <span className="copy-value">
            <code data-testid="ops-request-id">{message.ops_request_id}</code>
            <CopyButton value={message.ops_request_id} label={t('delivery.copyOpsRequestId')} />
          </span>
        }
        actions={
          can('delivery.replay') ? (
            <Button
              variant="primary"
              icon={<IconRotate />}
              disabled={!replayable.has(message.state)}
              title={replayable.has(message.state) ? undefined : t('delivery.replayNotYet')}
              onClick={() => setReplaying(true)}
            >
              {t('delivery.replay')}
            </Button>
          ) : null
        }
      />
      <div className="stat-grid">
        <div className="card stat">
          <div className="stat-label">{t('delivery.state')}</div>
          <div className="stat-value stat-value-sm" data-testid="message-state">
            <StateBadge state={message.state} />
          </div>
        </div>
        <div className="card stat">
          <div className="stat-label">{t('delivery.attempts')}</div>
          <div className="stat-value stat-value-sm">{attempts.length}</div>
        </div>
        <div className="card stat">
          <div className="stat-label">{t('delivery.created')}</div>
          <div className="stat-value stat-value-sm">{formatTime(message.created_at)}</div>
        </div>
        <div className="card stat">
          <div className="stat-label">{t('delivery.finished')}</div>
          <div className="stat-value stat-value-sm">{formatTime(message.finished_at)}</div>
        </div>
      </div>
      {message.state === 'queued' && message.next_attempt_at ? (
        <div className="page-alert">
          <Alert tone="info">
            {t('delivery.nextAttempt', { time: formatTime(message.next_attempt_at) })}
          </Alert>
        </div>
      ) : null}
      {message.state === 'held' ? (
        <div className="page-alert">
          <Alert tone="warning">{t('delivery.heldNotice', { reason: message.held_reason ?? '—' })}</Alert>
        </div>
      ) : null}
      {message.last_error && (message.state === 'failed' || message.state === 'dead') ? (
        <div className="page-alert">
          <Alert tone="error">
            {t('delivery.lastError', { reason: message.last_reason ?? '—', error: message.last_error })}
          </Alert>
        </div>
      ) : null}
      <div className="details-grid">
        <Card title={t('delivery.asSent')} subtitle={t('delivery.asSentSubtitle')}>
          <JsonBlock value={asSent} label={t('delivery.asSent')} />
        </Card>
        <Card title={t('delivery.routing')}>
          <dl className="kv" data-testid="message-routing">
            <dt>{t('delivery.channel')}</dt>
            <dd>
              <Link to={channelPath(projectId, message.channel_id)}>
                {channel?.name ?? message.channel_id}
              </Link>
            </dd>
            <dt>{t('delivery.pushId')}</dt>
            <dd className="mono">{message.push_id}</dd>
            <dt>{t('delivery.profile')}</dt>
            <dd>
              {message.tp_uid ? (
                <Link to={profilePath(projectId, message.tp_uid)} className="mono">
                  {message.tp_uid}
                </Link>
              ) : (
                '—'
              )}
            </dd>
            <dt>{t('delivery.sendId')}</dt>
            <dd>
              {message.send_id ? (
                <Link to={logPath(projectId, { send_id: message.send_id })} className="mono">
                  {message.send_id}
                </Link>
              ) : (
                '—'
              )}
            </dd>
            <dt>{t('delivery.campaignId')}</dt>
            <dd className="mono">{message.campaign_id ?? '—'}</dd>
            <dt>{t('delivery.receipt')}</dt>
            <dd>
              <dl className="kv receipt-kv">
                <dt className="mono">ops_task_id</dt>
                <dd className="mono">{message.receipt.ops_task_id || '—'}</dd>
                <dt className="mono">ops_task_instance_id</dt>
                <dd className="mono">{message.receipt.ops_task_instance_id || '—'}</dd>
                <dt className="mono">ops_project_id</dt>
                <dd className="mono">{message.receipt.ops_project_id}</dd>
              </dl>
            </dd>
            <dt>{t('delivery.receiptsReported')}</dt>
            <dd>
              {receipts.length === 0 ? (
                <span className="muted">{t('delivery.noReceipts')}</span>
              ) : (
                <ul className="plain-list">
                  {receipts.map((r) => (
                    <li key={r.step}>
                      <span className="mono">{r.step}</span>{' '}
                      <span className="muted">{formatTime(r.event_time)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>{t('delivery.manualReplay')}</dt>
            <dd>{message.manual_replay ? t('common.yes') : t('common.no')}</dd>
          </dl>
        </Card>
      </div>
      <section className="card table-card" aria-label={t('delivery.attemptsTitle')}>
        <header className="card-header">
          <div>
            <h2 className="card-title">{t('delivery.attemptsTitle')}</h2>
            <p className="card-subtitle">{t('delivery.attemptsSubtitle')}</p>
          </div>
        </header>
        {attempts.length === 0 ? (
          <EmptyState
            icon={<IconLog />}
            title={t('delivery.noAttemptsTitle')}
            description={t('delivery.noAttemptsText')}
          />
        ) : (
          <div className="table-wrap">
            <table className="table attempts-table" aria-label={t('delivery.attemptsTitle')}>
              <thead>
                <tr>
                  <th scope="col" className="cell-num">
                    #
                  </th>
                  <th scope="col">{t('delivery.at')}</th>
                  <th scope="col" className="cell-num">
                    {t('delivery.latency')}
                  </th>
                  <th scope="col">{t('delivery.httpStatus')}</th>
                  <th scope="col">{t('delivery.verdict')}</th>
                  <th scope="col">{t('delivery.reason')}</th>
                  <th scope="col">{t('delivery.responseExcerpt')}</th>
                  <th scope="col" className="cell-actions">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {attempts.map((a, i) => (
                  <AttemptRow
                    key={`${a.attempt}-${a.batch_id}-${i}`}
                    attempt={a}
                    index={i}
                    opsRequestId={message.ops_request_id}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={replaying}
        onClose={() => setReplaying(false)}
        title={t('delivery.replayOneTitle', { id: message.push_id })}
        consequences={[t('delivery.replayStops1'), t('delivery.replayStops2')]}
        confirmLabel={t('delivery.replay')}
        onConfirm={async () => {
          const result = await api.replayMessages(
            { projectId },
            { ops_request_ids: [message.ops_request_id] },
          );
          toast.success(t('delivery.replayed', { n: result.replayed }));
          setTick((n) => n + 1);
        }}
      />
    </>
  );
}

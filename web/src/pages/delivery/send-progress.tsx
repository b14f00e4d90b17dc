import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { MessageState, SendAccepted, SendProgress } from '../../api/types.ts';
import { messageStates } from '../../api/types.ts';
import { isMessageKey, useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { Alert, Badge } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconLog } from '../../ui/icons.tsx';
import { logPath, totalOf } from './delivery-common.tsx';
import { StateCounts } from './message-log.tsx';
import './send.css';

// The progress of one send (issue 17 item 5): its messages counted by state, polled until none is
// queued or sending any more, the recipients it skipped with their reasons, and the message log
// filtered by the send.

/** States a message leaves by itself (the dispatcher is still working on it). */
const moving: readonly MessageState[] = ['queued', 'sending'];

/** How often the counts are asked for while messages are still moving. */
export const sendPollMs = 1000;

/** One recipient as the dialog sent it, to name a skipped one by what the operator typed. */
export interface SentRecipient {
  readonly id_type: string;
  readonly id: string;
  readonly label?: string;
}

/** A send's counts, asked for every `sendPollMs` until nothing is queued or sending. */
export function useSendProgress(
  workspaceId: string,
  sendId: string,
): { progress: SendProgress | null; error: unknown; done: boolean } {
  const { projectId } = useProject();
  const [progress, setProgress] = useState<SendProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const done = progress !== null && moving.every((s) => progress.counts[s] === 0);
  useEffect(() => {
    let current = true;
    api.getSend({ projectId, workspaceId, sendId }).then(
      (p) => {
        if (!current) return;
        setProgress(p);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, workspaceId, sendId, tick]);
  useEffect(() => {
    if (done) return;
    const timer = window.setTimeout(() => setTick((n) => n + 1), sendPollMs);
    return () => window.clearTimeout(timer);
  }, [done, tick, error]);
  return { progress, error, done };
}

/** The reason a recipient was skipped, in words (SPEC §4.1's codes; the code itself otherwise). */
function SkipReason({ reason }: { reason: string }) {
  const { t } = useI18n();
  const key = `send.skip.${reason}`;
  return (
    <span className="skip-reason">
      <Badge tone="amber">{reason}</Badge> {isMessageKey(key) ? t(key) : null}
    </span>
  );
}

/**
 * A send's progress: delivered (or otherwise finished) out of queued as a bar, the counts by
 * state (each opens the log filtered by the send and that state), the skipped recipients with
 * their reasons, and the link to the log.
 */
export function SendProgressView({
  workspaceId,
  accepted,
  recipients,
  onLeave,
}: {
  workspaceId: string;
  accepted: SendAccepted;
  recipients: readonly SentRecipient[];
  /** Called before the view navigates away (the dialog closes). */
  onLeave?: () => void;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { progress, error, done } = useSendProgress(workspaceId, accepted.send_id);
  const counts = progress?.counts ?? null;
  const total = totalOf(counts);
  const finished = counts ? total - counts.queued - counts.sending : 0;
  const percent = accepted.queued === 0 ? 100 : Math.round((finished / Math.max(total, 1)) * 100);
  const log = logPath(projectId, { send_id: accepted.send_id });
  const skipped = accepted.skipped;
  return (
    <div className="send-progress" data-testid="send-progress" data-done={done ? 'true' : 'false'}>
      <dl className="send-stats">
        <div>
          <dt>{t('send.sendId')}</dt>
          <dd className="mono" data-testid="send-id">
            {accepted.send_id}
          </dd>
        </div>
        <div>
          <dt>{t('send.queued')}</dt>
          <dd data-testid="send-queued">{accepted.queued.toLocaleString()}</dd>
        </div>
        <div>
          <dt>{t('send.skippedLabel')}</dt>
          <dd data-testid="send-skipped-count">{skipped.length.toLocaleString()}</dd>
        </div>
      </dl>
      <div className="send-progress-bar-row">
        <div
          className="send-progress-bar"
          role="progressbar"
          aria-label={t('send.progressLabel')}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <span style={{ width: `${percent}%` }} />
        </div>
        <span className="muted" data-testid="send-progress-text">
          {done ? t('send.finished', { n: finished, total }) : t('send.inProgress', { n: finished, total })}
        </span>
      </div>
      {error ? <Alert tone="error">{describeError(error, t)}</Alert> : null}
      <StateCounts
        label={t('send.countsLabel')}
        counts={counts}
        state={undefined}
        states={messageStates}
        onState={(s) => {
          onLeave?.();
          navigate(
            logPath(projectId, {
              send_id: accepted.send_id,
              ...(s ? { state: s as MessageState } : {}),
            }),
          );
        }}
      />
      {skipped.length > 0 ? (
        <div className="send-skipped">
          <h3 className="send-subtitle">{t('send.skippedTitle', { n: skipped.length })}</h3>
          <ul className="send-skipped-list" data-testid="send-skipped">
            {skipped.slice(0, 200).map((s) => {
              const r = recipients[s.index - 1];
              return (
                <li key={s.index}>
                  <span className="muted">#{s.index}</span>{' '}
                  <span className="mono">{r ? (r.label ?? `${r.id_type} ${r.id}`) : '—'}</span>{' '}
                  <SkipReason reason={s.reason} />
                </li>
              );
            })}
          </ul>
          {skipped.length > 200 ? (
            <p className="muted">{t('send.skippedMore', { n: skipped.length - 200 })}</p>
          ) : null}
        </div>
      ) : null}
      <div className="row">
        <Link className="btn btn-secondary btn-sm" to={log} onClick={() => onLeave?.()}>
          <IconLog />
          {t('send.openLog')}
        </Link>
      </div>
    </div>
  );
}

import { Fragment, useEffect, useMemo, useState } from 'react';
import { ApiError, api, verifyStreamUrl } from '../../api/client.ts';
import {
  verdicts,
  type DataSource,
  type IntegrationPrompt,
  type Verdict,
  type VerifyEntry,
} from '../../api/types.ts';
import { isMessageKey, useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { Alert, Badge, Card, EmptyState, Loading, PageHeader, type Tone } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { SearchInput } from '../../ui/field.tsx';
import { IconChevronDown, IconPause, IconPlay, IconPulse, IconRotate, IconSearch } from '../../ui/icons.tsx';
import { StaticTable } from '../../ui/table.tsx';
import { JsonBlock } from '../profiles/profile-common.tsx';
import { ProfileLagNotice } from '../profiles/profile-lag-notice.tsx';
import { promptTitle, sourcePath, sourcesPath } from './source-common.tsx';

/** At most this many entries stay in the page; the stream replays 200 on connect. */
const KEEP = 1000;

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

const verdictTone: Record<Verdict, Tone> = {
  accepted: 'green',
  rejected: 'red',
  dry_run: 'blue',
  warning: 'amber',
  refused: 'red',
};

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  const { t } = useI18n();
  return (
    <Badge tone={verdictTone[verdict] ?? 'neutral'} dot>
      {t(`verify.verdict.${verdict}`)}
    </Badge>
  );
}

const newestFirst = (a: VerifyEntry, b: VerifyEntry) =>
  b.received_at.localeCompare(a.received_at) || b.key.localeCompare(a.key);

/**
 * Follows a source's verify stream (Server-Sent Events; the session cookie goes with it). The
 * server replays its last 200 entries on every (re)connect, so entries are kept by key and a
 * reconnect never shows one twice. Messages are gathered and applied once per frame: a replay of
 * 200 is one render, not 200.
 */
function useVerifyStream(projectId: number, sourceId: string, enabled: boolean) {
  const [entries, setEntries] = useState<readonly VerifyEntry[]>([]);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource(verifyStreamUrl({ projectId, sourceId }));
    let incoming: VerifyEntry[] = [];
    let timer: number | undefined;
    const flush = () => {
      timer = undefined;
      const batch = incoming;
      incoming = [];
      setEntries((current) => {
        const known = new Set(current.map((e) => e.key));
        const fresh = batch.filter((e) => !known.has(e.key) && (known.add(e.key), true));
        if (fresh.length === 0) return current;
        return [...fresh, ...current].sort(newestFirst).slice(0, KEEP);
      });
    };
    setStatus('connecting');
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    source.addEventListener('entry', (event) => {
      try {
        incoming.push(JSON.parse((event as MessageEvent<string>).data) as VerifyEntry);
      } catch {
        return;
      }
      timer ??= window.setTimeout(flush, 40);
    });
    return () => {
      source.close();
      window.clearTimeout(timer);
    };
  }, [projectId, sourceId, enabled, attempt]);
  return { entries, status, reconnect: () => setAttempt((n) => n + 1) };
}

function StreamIndicator({ status, paused }: { status: StreamStatus; paused: boolean }) {
  const { t } = useI18n();
  const state = paused && status === 'live' ? 'paused' : status;
  return (
    <span className={`live-status live-${state}`} role="status" data-testid="stream-status">
      <span className="live-dot" aria-hidden="true" />
      {t(`verify.status.${state}`)}
    </span>
  );
}

/** The prompt an empty page shows: curl where there is one (nothing to install), else the first. */
function firstPrompt(source: DataSource): IntegrationPrompt | undefined {
  const prompts = source.integration ?? [];
  return prompts.find((p) => /curl/i.test(p.title)) ?? prompts[0];
}

function WaitingForEvents({ source }: { source: DataSource }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const prompt = firstPrompt(source);
  return (
    <div className="verify-empty">
      <EmptyState
        icon={<IconPulse />}
        title={t('verify.emptyTitle')}
        description={t('verify.emptyText', { key: source.credentials.app_key })}
        action={
          <Link className="btn btn-secondary" to={sourcePath(projectId, source.id)}>
            {t('verify.allPrompts')}
          </Link>
        }
      />
      {prompt ? (
        <div className="code-panel verify-prompt">
          <div className="code-head">
            <span className="code-lang">{promptTitle(prompt, t)}</span>
            <CopyButton
              value={prompt.code}
              label={t('sources.copyCode', { title: promptTitle(prompt, t) })}
              withText
            />
          </div>
          <pre className="code-block">
            <code>{prompt.code}</code>
          </pre>
        </div>
      ) : null}
    </div>
  );
}

function EntryRow({
  entry,
  expanded,
  onToggle,
}: {
  entry: VerifyEntry;
  expanded: boolean;
  onToggle: () => void;
}) {
  const { t, locale } = useI18n();
  const time = useMemo(
    () =>
      new Intl.DateTimeFormat(locale, {
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        fractionalSecondDigits: 3,
        hour12: false,
      }),
    [locale],
  );
  const date = new Date(entry.received_at);
  const name =
    entry.event_name ?? (entry.type ? t('verify.typeOnly', { type: entry.type }) : t('verify.noName'));
  const detailsId = `verify-${entry.key}`;
  return (
    <>
      <tr
        className={`verify-row verdict-${entry.verdict}${expanded ? ' is-expanded' : ''}`}
        data-key={entry.key}
      >
        <td className="cell-muted mono verify-time" title={date.toISOString()}>
          {time.format(date)}
        </td>
        <td>
          <VerdictBadge verdict={entry.verdict} />
        </td>
        <td>
          <span className="cell-primary">{name}</span>
          {entry.event_name && entry.type ? <div className="cell-sub">{entry.type}</div> : null}
        </td>
        <td className="verify-user">
          {entry.user_id ? <code>{entry.user_id}</code> : null}
          {entry.anonymous_id ? (
            <div className="cell-sub mono" title={t('verify.anonymousId')}>
              {entry.anonymous_id}
            </div>
          ) : null}
          {!entry.user_id && !entry.anonymous_id ? <span className="cell-muted">—</span> : null}
        </td>
        <td className="verify-reasons">
          {entry.reasons.length === 0 ? (
            <span className="cell-muted">{t(`verify.noReason.${entry.verdict}`)}</span>
          ) : (
            <ul>
              {entry.reasons.map((r, i) => {
                // The code's meaning in the reader's language, then the server's own words, which
                // name the field or byte (English, as the API answers).
                const key = `verify.reason.${r.code}`;
                const known = isMessageKey(key) ? t(key) : null;
                return (
                  <li key={i}>
                    <code className="reason-code">{r.code}</code>
                    {known ? <span>{known}</span> : null}
                    {r.message && r.message !== known ? (
                      <span className={known ? 'reason-detail' : undefined} lang={known ? 'en' : undefined}>
                        {r.message}
                      </span>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          )}
        </td>
        <td className="cell-actions">
          <Button
            variant="ghost"
            size="sm"
            className="expand-toggle"
            icon={<IconChevronDown />}
            aria-expanded={expanded}
            aria-controls={expanded ? detailsId : undefined}
            aria-label={t(expanded ? 'verify.hideEvent' : 'verify.showEvent', { name })}
            onClick={onToggle}
          >
            {t('verify.json')}
          </Button>
        </td>
      </tr>
      {expanded ? (
        <tr className="verify-detail" id={detailsId}>
          <td colSpan={6}>
            <div className="verify-detail-grid">
              <dl className="kv">
                <dt>{t('verify.receivedAt')}</dt>
                <dd className="mono">{entry.received_at}</dd>
                <dt>{t('verify.type')}</dt>
                <dd>{entry.type ?? '—'}</dd>
                <dt>{t('verify.messageId')}</dt>
                <dd className="mono">{entry.message_id ?? '—'}</dd>
                <dt>{t('verify.userId')}</dt>
                <dd className="mono">{entry.user_id ?? '—'}</dd>
                <dt>{t('verify.anonymousId')}</dt>
                <dd className="mono">{entry.anonymous_id ?? '—'}</dd>
              </dl>
              <JsonBlock value={entry.event} label={t('verify.eventJson', { name })} />
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * The live verify view of one data source (SPEC §2): every event it receives, accepted or
 * refused with the reasons, as it arrives. Pause freezes the list (new entries are counted, not
 * lost); Resume shows them.
 */
export function VerifyPage({ sourceId }: { sourceId: string }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [source, setSource] = useState<DataSource | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [verdict, setVerdict] = useState<Verdict | ''>('');
  const [eventName, setEventName] = useState('');
  const [userId, setUserId] = useState('');
  const [frozen, setFrozen] = useState<ReadonlySet<string> | null>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const found = source !== null;
  const { entries, status, reconnect } = useVerifyStream(projectId, sourceId, found);

  useEffect(() => {
    let current = true;
    api.getSource({ projectId, sourceId }).then(
      (s) => current && setSource(s),
      (e: unknown) => current && setLoadError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, sourceId]);

  const visible = frozen ? entries.filter((e) => frozen.has(e.key)) : entries;
  const waiting = frozen ? entries.length - visible.length : 0;
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const e of visible) c[e.verdict] = (c[e.verdict] ?? 0) + 1;
    return c;
  }, [visible]);
  const nameQuery = eventName.trim().toLowerCase();
  const userQuery = userId.trim().toLowerCase();
  const rows = visible.filter(
    (e) =>
      (verdict === '' || e.verdict === verdict) &&
      (nameQuery === '' || (e.event_name ?? e.type ?? '').toLowerCase().includes(nameQuery)) &&
      (userQuery === '' ||
        (e.user_id ?? '').toLowerCase().includes(userQuery) ||
        (e.anonymous_id ?? '').toLowerCase().includes(userQuery)),
  );
  const filtered = verdict !== '' || nameQuery !== '' || userQuery !== '';
  const toggle = (key: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const name = source?.name ?? sourceId;

  if (loadError)
    return (
      <>
        <PageHeader
          breadcrumb={
            <>
              <Link to={sourcesPath(projectId)}>{t('connections.tabSources')}</Link> /
            </>
          }
          title={t('sources.verifyTitle')}
        />
        <Card flush>
          {loadError instanceof ApiError && loadError.status === 404 ? (
            <EmptyState
              icon={<IconPulse />}
              title={t('verify.sourceNotFound')}
              description={t('verify.sourceNotFoundText')}
              action={
                <Link className="btn btn-secondary" to={sourcesPath(projectId)}>
                  {t('sources.backToList')}
                </Link>
              }
            />
          ) : (
            <div className="card-body">
              <Alert tone="error">{describeError(loadError, t)}</Alert>
            </div>
          )}
        </Card>
      </>
    );

  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to={sourcesPath(projectId)}>{t('connections.tabSources')}</Link> /{' '}
            <Link to={sourcePath(projectId, sourceId)}>{name}</Link> /
          </>
        }
        title={t('sources.verifyTitle')}
        description={t('sources.verifyDescription', { name })}
        actions={
          <>
            <StreamIndicator status={status} paused={frozen !== null} />
            {status === 'closed' ? (
              <Button icon={<IconRotate />} onClick={reconnect}>
                {t('verify.reconnect')}
              </Button>
            ) : null}
            <Button
              icon={frozen ? <IconPlay /> : <IconPause />}
              aria-pressed={frozen !== null}
              onClick={() => setFrozen(frozen ? null : new Set(entries.map((e) => e.key)))}
              disabled={!found}
            >
              {frozen ? t('verify.resume') : t('verify.pause')}
            </Button>
            <Link className="btn btn-secondary" to={`${sourcePath(projectId, sourceId)}/events`}>
              <IconSearch />
              {t('verify.eventManagement')}
            </Link>
          </>
        }
      />
      <ProfileLagNotice projectId={projectId} />
      {frozen ? (
        <div className="verify-paused" role="status">
          <Alert tone="info">
            {waiting > 0 ? t('verify.pausedWaiting', { count: waiting }) : t('verify.paused')}{' '}
            <button type="button" className="link-button" onClick={() => setFrozen(null)}>
              {t('verify.showNew')}
            </button>
          </Alert>
        </div>
      ) : null}
      <section className="card table-card" aria-label={t('verify.listLabel')}>
        <div className="toolbar">
          <select
            className="select"
            aria-label={t('verify.filterVerdict')}
            value={verdict}
            onChange={(e) => setVerdict(e.target.value as Verdict | '')}
          >
            <option value="">{t('verify.allVerdicts', { count: visible.length })}</option>
            {verdicts.map((v) => (
              <option key={v} value={v}>
                {t('verify.verdictCount', { verdict: t(`verify.verdict.${v}`), count: counts[v] ?? 0 })}
              </option>
            ))}
          </select>
          <SearchInput
            label={t('verify.filterEvent')}
            value={eventName}
            onChange={(e) => setEventName(e.target.value)}
          />
          <SearchInput
            label={t('verify.filterUser')}
            value={userId}
            onChange={(e) => setUserId(e.target.value)}
          />
          {filtered ? (
            <Button
              variant="ghost"
              size="sm"
              onClick={() => {
                setVerdict('');
                setEventName('');
                setUserId('');
              }}
            >
              {t('sources.clearFilters')}
            </Button>
          ) : null}
          <span className="toolbar-spacer" />
          <span className="muted verify-count">
            {t('verify.shown', { count: rows.length, total: visible.length })}
          </span>
        </div>
        {!source ? (
          <Loading className="card-body row" />
        ) : visible.length === 0 ? (
          status === 'connecting' ? (
            <div className="card-body row" role="status">
              <span className="spinner" aria-hidden="true" /> {t('verify.connecting')}
            </div>
          ) : (
            <WaitingForEvents source={source} />
          )
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<IconSearch />}
            title={t('common.noMatches')}
            description={t('common.noMatchesText')}
          />
        ) : (
          <StaticTable
            label={t('verify.tableLabel', { name })}
            className="verify-table"
            headings={[
              t('verify.time'),
              t('verify.verdictLabel'),
              t('verify.event'),
              t('verify.user'),
              t('verify.reasons'),
              {
                label: (
                  <>
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </>
                ),
                className: 'cell-actions',
              },
            ]}
          >
            {rows.map((entry) => (
              <Fragment key={entry.key}>
                <EntryRow
                  entry={entry}
                  expanded={expanded.has(entry.key)}
                  onToggle={() => toggle(entry.key)}
                />
              </Fragment>
            ))}
          </StaticTable>
        )}
      </section>
    </>
  );
}

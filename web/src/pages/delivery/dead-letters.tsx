import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Message, MessageCounts, ReplayResult } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Alert, Card, EmptyState } from '../../ui/display.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { IconCheckCircle, IconChannel, IconRotate } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { StateBadge, deadLettersPath, logPath, messagePath, useChannels } from './delivery-common.tsx';
import { StateCounts, fromLocalInput, toLocalInput, useMessageCounts } from './message-log.tsx';

const deadStates = ['failed', 'dead'] as const;
type DeadState = (typeof deadStates)[number];

/** What a replay did, shown until the next one: how many, and where to follow them. */
interface Replayed {
  readonly result: ReplayResult;
  readonly channelId: string;
  readonly since: string | null;
}

function ReplayedNotice({ replayed }: { replayed: Replayed }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const ids = replayed.result.ops_request_ids;
  // Replayed messages keep their ops_request_id and are flagged manual replay; they show in the
  // log again, queued, then delivered (or failed) — the counts there are their progress.
  const follow =
    ids.length === 1 && ids[0]
      ? messagePath(projectId, ids[0])
      : logPath(projectId, { channel_id: replayed.channelId });
  return (
    <Alert tone={replayed.result.replayed > 0 ? 'success' : 'info'}>
      <span data-testid="replay-result">
        {replayed.result.replayed > 0
          ? t('delivery.replayed', { n: replayed.result.replayed })
          : t('delivery.replayedNone')}
      </span>{' '}
      {replayed.result.replayed > 0 ? <Link to={follow}>{t('delivery.followReplay')}</Link> : null}
    </Alert>
  );
}

/** "Replay everything failed since T": the count first, then a confirmation. */
function ReplaySinceCard({
  channelId,
  channelName,
  onReplayed,
}: {
  channelId: string;
  channelName: string;
  onReplayed: (r: Replayed) => void;
}) {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 24 * 3600_000).toISOString()));
  const [asking, setAsking] = useState(false);
  const sinceIso = fromLocalInput(since);
  const preview = useMessageCounts(
    sinceIso ? { channel_id: channelId, finished_since: sinceIso } : { channel_id: '' },
  );
  const count = sinceIso && preview ? preview.failed + preview.dead : null;
  if (!can('delivery.replay')) return null;
  return (
    <Card title={t('delivery.replaySinceTitle')} subtitle={t('delivery.replaySinceSubtitle')}>
      <div className="replay-since">
        <TextField
          label={t('delivery.since')}
          type="datetime-local"
          name="replay_since"
          value={since}
          onChange={(e) => setSince(e.target.value)}
          error={since && !sinceIso ? t('delivery.badTime') : undefined}
        />
        <div className="replay-since-preview" data-testid="replay-preview" aria-live="polite">
          {count === null
            ? '…'
            : t('delivery.replayPreview', {
                n: count,
                failed: preview?.failed ?? 0,
                dead: preview?.dead ?? 0,
              })}
        </div>
        <Button
          variant="primary"
          icon={<IconRotate />}
          disabled={!sinceIso || count === 0}
          onClick={() => setAsking(true)}
        >
          {t('delivery.replayAllSince')}
        </Button>
      </div>
      <ConfirmDialog
        open={asking}
        onClose={() => setAsking(false)}
        title={t('delivery.replaySinceConfirmTitle', { n: count ?? 0, name: channelName })}
        message={t('delivery.replaySinceConfirmText', { since: formatTime(sinceIso ?? null) })}
        consequences={[t('delivery.replayStops1'), t('delivery.replayStops2'), t('delivery.replayStops3')]}
        confirmLabel={t('delivery.replayAllSince')}
        onConfirm={async () => {
          if (!sinceIso) return;
          const result = await api.replayMessages({ projectId }, { channel_id: channelId, since: sinceIso });
          toast.success(t('delivery.replayed', { n: result.replayed }));
          onReplayed({ result, channelId, since: sinceIso });
        }}
      />
    </Card>
  );
}

/** Dead letters (SPEC §4): a channel's failed and dead messages; replay some, or all since a time. */
export function DeadLetters() {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const { search } = useLocation();
  const channels = useChannels();
  const channelId = search.get('channel_id') ?? channels[0]?.id ?? '';
  const state: DeadState = search.get('state') === 'dead' ? 'dead' : 'failed';
  const channel = channels.find((c) => c.id === channelId);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [asking, setAsking] = useState(false);
  const [replayed, setReplayed] = useState<Replayed | null>(null);
  const [tick, setTick] = useState(0);
  const query = useMemo(() => ({ channel_id: channelId, state }), [channelId, state]);
  const pages = useCursorPages(
    (q) =>
      channelId
        ? api.listMessages({ projectId }, { ...q, ...query })
        : Promise.resolve({ items: [], next_cursor: null }),
    `dead:${projectId}:${channelId}:${state}:${tick}`,
  );
  const counts: MessageCounts | null = useMessageCounts({ channel_id: channelId }, tick);
  useEffect(() => setSelected(new Set()), [channelId, state, tick, pages.pageIndex]);
  const go = (next: { channel_id?: string; state?: DeadState }) => {
    const params = new URLSearchParams({
      channel_id: next.channel_id ?? channelId,
      state: next.state ?? state,
    });
    navigate(`${deadLettersPath(projectId)}?${params}`, { replace: true });
  };
  const mayReplay = can('delivery.replay');
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allOnPage = pages.items.length > 0 && pages.items.every((m) => selected.has(m.ops_request_id));
  const done = (r: Replayed) => {
    setReplayed(r);
    setTick((n) => n + 1);
  };
  const columns: Column<Message>[] = [
    ...(mayReplay
      ? [
          {
            key: 'select',
            header: (
              <input
                type="checkbox"
                aria-label={t('delivery.selectPage')}
                checked={allOnPage}
                onChange={() =>
                  setSelected(allOnPage ? new Set() : new Set(pages.items.map((m) => m.ops_request_id)))
                }
              />
            ),
            className: 'cell-check',
            render: (m: Message) => (
              <input
                type="checkbox"
                aria-label={t('delivery.selectMessage', { id: m.push_id })}
                checked={selected.has(m.ops_request_id)}
                onChange={() => toggle(m.ops_request_id)}
              />
            ),
          },
        ]
      : []),
    {
      key: 'message',
      header: t('delivery.message'),
      render: (m) => (
        <>
          <Link className="cell-primary mono" to={messagePath(projectId, m.ops_request_id)}>
            {m.ops_request_id}
          </Link>
          <div className="cell-sub">{t('delivery.pushIdIs', { id: m.push_id })}</div>
        </>
      ),
    },
    { key: 'state', header: t('delivery.state'), render: (m) => <StateBadge state={m.state} /> },
    {
      key: 'reason',
      header: t('delivery.reason'),
      render: (m) => (
        <>
          {m.last_reason ? <code>{m.last_reason}</code> : '—'}
          {m.last_error ? <div className="cell-sub dead-error">{m.last_error}</div> : null}
        </>
      ),
    },
    { key: 'attempts', header: t('delivery.attempts'), className: 'cell-num', render: (m) => m.attempts },
    {
      key: 'finished',
      header: t('delivery.finished'),
      className: 'cell-muted',
      render: (m) => formatTime(m.finished_at),
    },
  ];
  if (channels.length === 0)
    return (
      <Card flush>
        <EmptyState
          icon={<IconChannel />}
          title={t('delivery.noChannelsTitle')}
          description={t('delivery.noChannelsText')}
        />
      </Card>
    );
  return (
    <div className="stack-cards">
      <Card>
        <div className="dead-head">
          <SelectField
            label={t('delivery.channel')}
            name="channel_id"
            value={channelId}
            onChange={(e) => go({ channel_id: e.target.value })}
            options={channels.map((c) => ({ value: c.id, label: c.name }))}
          />
          <p className="muted">{t('delivery.deadLettersHint')}</p>
        </div>
      </Card>
      {replayed ? <ReplayedNotice replayed={replayed} /> : null}
      <DataTable
        label={t('delivery.deadLettersTitle')}
        columns={columns}
        rows={pages.items}
        rowKey={(m) => m.ops_request_id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            <StateCounts
              label={t('delivery.countsLabel')}
              counts={counts}
              state={state}
              states={deadStates}
              onState={(s) => go({ state: s === 'dead' ? 'dead' : 'failed' })}
            />
            <span className="toolbar-spacer" />
            {mayReplay ? (
              <Button
                size="sm"
                variant="primary"
                icon={<IconRotate />}
                disabled={selected.size === 0}
                onClick={() => setAsking(true)}
              >
                {t('delivery.replaySelected', { n: selected.size })}
              </Button>
            ) : null}
          </>
        }
        empty={
          <EmptyState
            icon={<IconCheckCircle />}
            title={t('delivery.noDeadTitle', { state })}
            description={t('delivery.noDeadText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
      {channel ? (
        <ReplaySinceCard
          key={`${channel.id}:${tick}`}
          channelId={channel.id}
          channelName={channel.name}
          onReplayed={done}
        />
      ) : null}
      <ConfirmDialog
        open={asking}
        onClose={() => setAsking(false)}
        title={t('delivery.replaySelectedTitle', { n: selected.size })}
        consequences={[t('delivery.replayStops1'), t('delivery.replayStops2')]}
        confirmLabel={t('delivery.replaySelected', { n: selected.size })}
        onConfirm={async () => {
          const result = await api.replayMessages({ projectId }, { ops_request_ids: [...selected] });
          toast.success(t('delivery.replayed', { n: result.replayed }));
          done({ result, channelId, since: null });
        }}
      />
    </div>
  );
}

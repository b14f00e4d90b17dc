import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { Channel, Message, MessageCounts, MessageQuery, MessageState } from '../../api/types.ts';
import { messageStates } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Card, EmptyState } from '../../ui/display.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { IconDelivery, IconRotate, IconSearch } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { profilePath } from '../profiles/profile-common.tsx';
import { ProfileFilterField, profileFilterOf, profileQueryOf } from './profile-filter.tsx';
import {
  StateBadge,
  deliveryPath,
  isMessageState,
  logPath,
  messagePath,
  useChannels,
} from './delivery-common.tsx';

/** The text filters: typed, then applied together (one request, not one per key stroke). */
const textFilters = ['push_id', 'ops_request_id', 'send_id', 'campaign_id'] as const;
type TextFilter = (typeof textFilters)[number];

/** `2024-05-01T08:30:00.000Z` → the `datetime-local` value of that instant in the reader's zone. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A `datetime-local` value (the reader's zone) → ISO, or undefined when empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The log's filters as the address holds them (so a filtered log can be linked to). */
function queryOf(search: URLSearchParams): MessageQuery {
  const state = search.get('state');
  const query: Record<string, string> = {};
  for (const key of [
    'channel_id',
    ...textFilters,
    'profile',
    'id_type',
    'id_value',
    'since',
    'until',
  ] as const) {
    const value = search.get(key);
    if (value) query[key] = value;
  }
  return { ...query, ...(isMessageState(state) ? { state } : {}) };
}

/** Counts by state for the filters other than state; each count filters the log to its state. */
export function StateCounts({
  counts,
  state,
  onState,
  states = messageStates,
  label,
}: {
  counts: MessageCounts | null;
  state: string | undefined;
  onState: (state: string | undefined) => void;
  states?: readonly (typeof messageStates)[number][];
  label: string;
}) {
  const { t } = useI18n();
  const total = counts ? states.reduce((sum, s) => sum + counts[s], 0) : null;
  return (
    <div className="state-counts" role="group" aria-label={label} data-testid="state-counts">
      {states.length === messageStates.length ? (
        <button
          type="button"
          className="state-count"
          aria-pressed={state === undefined}
          onClick={() => onState(undefined)}
          data-state="all"
        >
          <span className="state-count-label">{t('delivery.allStates')}</span>
          <span className="state-count-value">{total ?? '…'}</span>
        </button>
      ) : null}
      {states.map((s) => (
        <button
          type="button"
          key={s}
          className={`state-count state-${s}`}
          aria-pressed={state === s}
          onClick={() => onState(state === s && states.length === messageStates.length ? undefined : s)}
          data-state={s}
          title={t(`delivery.stateHint.${s}`)}
        >
          <span className="state-count-label">{s}</span>
          <span className="state-count-value">{counts ? counts[s].toLocaleString() : '…'}</span>
        </button>
      ))}
    </div>
  );
}

/** The counts of `query` (without its state), reloaded when the query or `tick` changes. */
export function useMessageCounts(query: MessageQuery, tick = 0): MessageCounts | null {
  const { projectId } = useProject();
  const [counts, setCounts] = useState<MessageCounts | null>(null);
  const key = JSON.stringify(query);
  useEffect(() => {
    let current = true;
    setCounts(null);
    api.messageCounts({ projectId }, JSON.parse(key) as MessageQuery).then(
      (c) => current && setCounts(c),
      () => current && setCounts(null),
    );
    return () => {
      current = false;
    };
  }, [projectId, key, tick]);
  return counts;
}

function FilterForm({ query, channels }: { query: MessageQuery; channels: readonly Channel[] }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [draft, setDraft] = useState<Record<TextFilter | 'since' | 'until', string>>(() => ({
    push_id: query.push_id ?? '',
    ops_request_id: query.ops_request_id ?? '',
    send_id: query.send_id ?? '',
    campaign_id: query.campaign_id ?? '',
    since: toLocalInput(query.since),
    until: toLocalInput(query.until),
  }));
  const [profile, setProfile] = useState(() => profileFilterOf(query));
  const set = (key: keyof typeof draft, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next: MessageQuery = {
      ...(query.channel_id ? { channel_id: query.channel_id } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...Object.fromEntries(textFilters.map((k) => [k, draft[k].trim()]).filter(([, v]) => v)),
      ...profileQueryOf(profile),
      ...(fromLocalInput(draft.since) ? { since: fromLocalInput(draft.since) } : {}),
      ...(fromLocalInput(draft.until) ? { until: fromLocalInput(draft.until) } : {}),
    };
    navigate(logPath(projectId, next), { replace: true });
  };
  const clear = () => {
    setDraft({
      push_id: '',
      ops_request_id: '',
      send_id: '',
      campaign_id: '',
      since: '',
      until: '',
    });
    setProfile(profileFilterOf({}));
    navigate(deliveryPath(projectId), { replace: true });
  };
  return (
    <Card title={t('delivery.filtersTitle')} subtitle={t('delivery.filtersSubtitle')}>
      <form className="message-filters" onSubmit={apply} noValidate aria-label={t('delivery.filtersTitle')}>
        <SelectField
          label={t('delivery.channel')}
          name="channel_id"
          value={query.channel_id ?? ''}
          onChange={(e) =>
            navigate(logPath(projectId, { ...query, channel_id: e.target.value || undefined }), {
              replace: true,
            })
          }
          options={[
            { value: '', label: t('delivery.allChannels') },
            ...channels.map((c) => ({ value: c.id, label: c.name })),
          ]}
        />
        <TextField
          label={t('delivery.pushId')}
          name="push_id"
          value={draft.push_id}
          autoComplete="off"
          onChange={(e) => set('push_id', e.target.value)}
        />
        <TextField
          label={t('delivery.opsRequestId')}
          name="ops_request_id"
          value={draft.ops_request_id}
          autoComplete="off"
          onChange={(e) => set('ops_request_id', e.target.value)}
        />
        <TextField
          label={t('delivery.sendId')}
          name="send_id"
          value={draft.send_id}
          autoComplete="off"
          placeholder="snd_…"
          onChange={(e) => set('send_id', e.target.value)}
        />
        <TextField
          label={t('delivery.campaignId')}
          name="campaign_id"
          value={draft.campaign_id}
          autoComplete="off"
          onChange={(e) => set('campaign_id', e.target.value)}
        />
        <ProfileFilterField filter={profile} onChange={setProfile} />
        <TextField
          label={t('delivery.since')}
          name="since"
          type="datetime-local"
          value={draft.since}
          onChange={(e) => set('since', e.target.value)}
        />
        <TextField
          label={t('delivery.until')}
          name="until"
          type="datetime-local"
          value={draft.until}
          onChange={(e) => set('until', e.target.value)}
        />
        <div className="message-filters-actions">
          <Button type="submit" variant="primary" icon={<IconSearch />}>
            {t('delivery.applyFilters')}
          </Button>
          <Button onClick={clear}>{t('delivery.clearFilters')}</Button>
        </div>
      </form>
    </Card>
  );
}

/** The message log (SPEC §4.2): every message with its state, newest first, filtered and counted. */
export function MessageLog() {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const { search } = useLocation();
  const channels = useChannels();
  const query = useMemo(() => queryOf(search), [search]);
  const { state, ...withoutState } = query;
  const key = JSON.stringify(query);
  const pages = useCursorPages(
    (q) => api.listMessages({ projectId }, { ...q, ...query }),
    `messages:${projectId}:${key}`,
  );
  const [tick, setTick] = useState(0);
  const counts = useMessageCounts(withoutState, tick);
  const channelName = (id: string) => channels.find((c) => c.id === id)?.name ?? id;
  const filtered = Object.keys(query).length > 0;
  const columns: Column<Message>[] = [
    {
      key: 'created',
      header: t('delivery.created'),
      className: 'cell-muted',
      render: (m) => formatTime(m.created_at),
    },
    {
      key: 'message',
      header: t('delivery.message'),
      render: (m) => (
        <>
          <Link className="cell-primary mono" to={messagePath(projectId, m.ops_request_id)}>
            {m.ops_request_id}
          </Link>
          <div className="cell-sub">
            {t('delivery.pushIdIs', { id: m.push_id })}
            {m.tp_uid ? (
              <>
                {' · '}
                <Link to={profilePath(projectId, m.tp_uid)}>{t('delivery.profileLink')}</Link>
              </>
            ) : null}
          </div>
        </>
      ),
    },
    { key: 'channel', header: t('delivery.channel'), render: (m) => channelName(m.channel_id) },
    {
      key: 'state',
      header: t('delivery.state'),
      render: (m) => (
        <>
          <StateBadge state={m.state} />
          {m.last_reason || m.held_reason ? (
            <div className="cell-sub">{m.last_reason ?? m.held_reason}</div>
          ) : null}
        </>
      ),
    },
    { key: 'attempts', header: t('delivery.attempts'), className: 'cell-num', render: (m) => m.attempts },
    {
      key: 'updated',
      header: t('delivery.updated'),
      className: 'cell-muted',
      render: (m) => formatTime(m.finished_at ?? m.updated_at),
    },
  ];
  return (
    <div className="stack-cards">
      <FilterForm key={key} query={query} channels={channels} />
      <DataTable
        label={t('delivery.logTitle')}
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
              onState={(s) => {
                const next: MessageQuery = isMessageState(s ?? null)
                  ? { ...withoutState, state: s as MessageState }
                  : withoutState;
                navigate(logPath(projectId, next), { replace: true });
              }}
            />
            <span className="toolbar-spacer" />
            <Button
              size="sm"
              icon={<IconRotate />}
              onClick={() => {
                pages.reload();
                setTick((n) => n + 1);
              }}
            >
              {t('delivery.refresh')}
            </Button>
          </>
        }
        empty={
          <EmptyState
            icon={<IconDelivery />}
            title={filtered ? t('common.noMatches') : t('delivery.emptyTitle')}
            description={filtered ? t('common.noMatchesText') : t('delivery.emptyText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
    </div>
  );
}

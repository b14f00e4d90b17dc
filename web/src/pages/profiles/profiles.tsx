import { Fragment, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Profile, ProfileEvent } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, matchPath, navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { Alert, Badge, Card, EmptyState, Loading, PageHeader, Tabs } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { SelectField, TextField } from '../../ui/field.tsx';
import {
  IconCampaign,
  IconChevronDown,
  IconDelivery,
  IconKey,
  IconLog,
  IconProfiles,
  IconSearch,
} from '../../ui/icons.tsx';
import { DataTable, Pager, StaticTable, useCursorPages, type Column } from '../../ui/table.tsx';
import { BulkErasure, EraseProfileButton } from './erase-users.tsx';
import { EventDefinitions } from './event-management.tsx';
import { ProfileLagNotice } from './profile-lag-notice.tsx';
import {
  JsonBlock,
  JsonValue,
  TypeBadge,
  erasurePath,
  eventsPath,
  jsonType,
  profilePath,
  profilesPath,
  uniqueTypesOf,
  useIdTypes,
} from './profile-common.tsx';
import { sourcePath } from '../sources/source-common.tsx';
import { ProfileSuppression } from '../consent/profile-suppression.tsx';

/** What a person is best known by: a name, a user id, e-mail or phone, any identity; else tp_uid. */
function displayName(profile: Profile): string {
  const name = profile.properties.name;
  if (typeof name === 'string' && name.trim()) return name;
  const known = ['user_id', 'account_id', 'email', 'phone']
    .map((type) => profile.identities.find((i) => i.type === type))
    .find((i) => i !== undefined);
  return (known ?? profile.identities[0])?.value ?? profile.tp_uid;
}

function IdentityChips({ profile, max = 3 }: { profile: Profile; max?: number }) {
  const { t } = useI18n();
  const shown = profile.identities.slice(0, max);
  return (
    <span className="badge-list">
      {shown.map((i) => (
        <span className="identity-chip" key={`${i.type}:${i.value}`}>
          <span className="identity-type">{i.type}</span>
          <span className="identity-value">{i.value}</span>
        </span>
      ))}
      {profile.identities.length > max ? (
        <span className="muted">
          {t('profiles.moreIdentities', { count: profile.identities.length - max })}
        </span>
      ) : null}
    </span>
  );
}

function ProfileSearch() {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { settings } = useIdTypes();
  const [idType, setIdType] = useState('user_id');
  const [value, setValue] = useState('');
  const [valueError, setValueError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [notFound, setNotFound] = useState<{ type: string; value: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const options = useMemo(() => {
    const declared = settings?.id_types ?? [];
    const builtin = (settings?.builtin ?? ['user_id']).filter((b) => !declared.some((d) => d.name === b));
    return [
      ...builtin.map((b) => ({ value: b, label: t('profiles.idTypeBuiltin', { name: b }) })),
      ...declared.map((d) => ({
        value: d.name,
        label: t(d.unique ? 'profiles.idTypeDeclaredUnique' : 'profiles.idTypeDeclared', { name: d.name }),
      })),
    ];
  }, [settings, t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const v = value.trim();
    if (!v) {
      setValueError(t('validation.required'));
      return;
    }
    setBusy(true);
    setError(null);
    setNotFound(null);
    try {
      const answer = await api.listProfiles({ projectId }, { id_type: idType, value: v });
      const found = answer.items[0];
      if (found) navigate(profilePath(projectId, found.tp_uid));
      else setNotFound({ type: idType, value: v });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('profiles.findTitle')} subtitle={t('profiles.findSubtitle')}>
      <form
        className="profile-search"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={t('profiles.findTitle')}
      >
        <SelectField
          label={t('profiles.idType')}
          name="id_type"
          value={idType}
          onChange={(e) => {
            setIdType(e.target.value);
            setNotFound(null);
          }}
          options={options}
        />
        <TextField
          label={t('profiles.value')}
          name="value"
          value={value}
          autoComplete="off"
          placeholder={t('profiles.valuePlaceholder')}
          onChange={(e) => {
            setValue(e.target.value);
            setValueError(undefined);
            setNotFound(null);
          }}
          error={valueError}
        />
        <Button type="submit" variant="primary" icon={<IconSearch />} loading={busy}>
          {t('profiles.find')}
        </Button>
      </form>
      {error ? <Alert tone="error">{describeError(error, t)}</Alert> : null}
      {notFound ? (
        <div className="profile-not-found" role="status">
          <EmptyState
            icon={<IconSearch />}
            title={t('profiles.noMatchTitle', { type: notFound.type, value: notFound.value })}
            description={t('profiles.noMatchText')}
          />
        </div>
      ) : null}
    </Card>
  );
}

function ProfileList() {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const pages = useCursorPages((q) => api.listProfiles({ projectId }, q), `profiles:${projectId}`);
  const columns: Column<Profile>[] = [
    {
      key: 'profile',
      header: t('profiles.profile'),
      render: (p) => (
        <>
          <Link className="cell-primary" to={profilePath(projectId, p.tp_uid)}>
            {displayName(p)}
          </Link>
          <div className="cell-sub mono">{p.tp_uid}</div>
        </>
      ),
    },
    { key: 'identities', header: t('profiles.identities'), render: (p) => <IdentityChips profile={p} /> },
    {
      key: 'events',
      header: t('profiles.eventCount'),
      className: 'cell-num',
      render: (p) => p.event_count.toLocaleString(),
    },
    {
      key: 'last',
      header: t('profiles.lastEvent'),
      className: 'cell-muted',
      render: (p) => formatTime(p.last_event_at),
    },
  ];
  return (
    <DataTable
      label={t('profiles.listTitle')}
      columns={columns}
      rows={pages.items}
      rowKey={(p) => p.tp_uid}
      loading={pages.loading}
      error={pages.error}
      toolbar={
        <>
          <strong>{t('profiles.listTitle')}</strong>
          <span className="toolbar-spacer" />
          <span className="muted">{t('profiles.listHint')}</span>
        </>
      }
      empty={
        <EmptyState
          icon={<IconProfiles />}
          title={t('profiles.emptyTitle')}
          description={t('profiles.emptyText')}
        />
      }
      pager={<Pager pages={pages} shown={pages.items.length} />}
    />
  );
}

function IdentitiesCard({ profile }: { profile: Profile }) {
  const { t } = useI18n();
  const { settings } = useIdTypes();
  const unique = uniqueTypesOf(settings);
  return (
    <Card title={t('profiles.identities')} subtitle={t('profiles.identitiesSubtitle')} flush>
      <StaticTable label={t('profiles.identities')} headings={[t('profiles.idType'), t('profiles.value')]}>
        {profile.identities.map((i) => (
          <tr key={`${i.type}:${i.value}`}>
            <td>
              <span className="row">
                <code>{i.type}</code>
                {unique.has(i.type) ? <Badge tone="blue">{t('idTypes.unique')}</Badge> : null}
              </span>
            </td>
            <td className="mono identity-cell">
              <span className="copy-value">
                <span>{i.value}</span>
                <CopyButton value={i.value} label={t('profiles.copyIdentity', { type: i.type })} />
              </span>
            </td>
          </tr>
        ))}
      </StaticTable>
    </Card>
  );
}

function PropertiesCard({ profile }: { profile: Profile }) {
  const { t } = useI18n();
  const entries = Object.entries(profile.properties).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Card title={t('profiles.properties')} subtitle={t('profiles.propertiesSubtitle')} flush>
      {entries.length === 0 ? (
        <EmptyState
          icon={<IconKey />}
          title={t('profiles.noPropertiesTitle')}
          description={t('profiles.noPropertiesText')}
        />
      ) : (
        <StaticTable
          label={t('profiles.properties')}
          headings={[t('profiles.property'), t('profiles.type'), t('profiles.value')]}
        >
          {entries.map(([key, value]) => (
            <tr key={key} data-key={key}>
              <td>
                <code className="property-name">{key}</code>
              </td>
              <td>
                <TypeBadge type={jsonType(value)} />
              </td>
              <td className="property-value">
                <JsonValue value={value} />
              </td>
            </tr>
          ))}
        </StaticTable>
      )}
    </Card>
  );
}

function TimelineCard({ profile }: { profile: Profile }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const pages = useCursorPages(
    (q) => api.listProfileEvents({ projectId, tpUid: profile.tp_uid }, q),
    `profile-events:${projectId}:${profile.tp_uid}`,
    20,
  );
  const toggle = (id: number) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <section className="card table-card" aria-label={t('profiles.timeline')}>
      <header className="card-header">
        <div>
          <h2 className="card-title">{t('profiles.timeline')}</h2>
          <p className="card-subtitle">{t('profiles.timelineSubtitle', { count: profile.event_count })}</p>
        </div>
      </header>
      {pages.error ? (
        <div className="card-body">
          <Alert tone="error">{describeError(pages.error, t)}</Alert>
        </div>
      ) : !pages.loading && pages.items.length === 0 ? (
        <EmptyState
          icon={<IconLog />}
          title={t('profiles.noEventsTitle')}
          description={t('profiles.noEventsText')}
        />
      ) : (
        <div className="table-wrap">
          <table
            className="table timeline-table"
            aria-label={t('profiles.timeline')}
            aria-busy={pages.loading}
          >
            <thead>
              <tr>
                <th scope="col">{t('profiles.eventTime')}</th>
                <th scope="col">{t('profiles.event')}</th>
                <th scope="col">{t('profiles.eventSummary')}</th>
                <th scope="col">{t('profiles.source')}</th>
                <th scope="col" className="cell-actions">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pages.loading && pages.items.length === 0 ? (
                <tr className="table-loading">
                  <td colSpan={5}>
                    <span className="row row-center">
                      <span className="spinner" aria-hidden="true" /> {t('common.loading')}
                    </span>
                  </td>
                </tr>
              ) : null}
              {pages.items.map((e) => (
                <TimelineRow
                  key={e.id}
                  event={e}
                  expanded={expanded.has(e.id)}
                  onToggle={() => toggle(e.id)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager pages={pages} shown={pages.items.length} />
    </section>
  );
}

function TimelineRow({
  event,
  expanded,
  onToggle,
}: {
  event: ProfileEvent;
  expanded: boolean;
  onToggle: () => void;
}) {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const name = event.event_name ?? event.type;
  const data = { ...event.traits, ...event.properties };
  const keys = Object.keys(data);
  const detailsId = `timeline-${event.id}`;
  return (
    <Fragment>
      <tr data-key={event.id} className={expanded ? 'is-expanded' : undefined}>
        <td className="cell-muted">{formatTime(event.event_time)}</td>
        <td>
          <span className="cell-primary">{name}</span>
          <div className="cell-sub">{event.type}</div>
        </td>
        <td className="timeline-summary">
          {keys.length === 0 ? (
            <span className="cell-muted">—</span>
          ) : (
            <span className="badge-list">
              {keys.slice(0, 4).map((k) => (
                <span className="identity-chip" key={k}>
                  <span className="identity-type">{k}</span>
                  <span className="identity-value">
                    {typeof data[k] === 'object' && data[k] !== null
                      ? JSON.stringify(data[k])
                      : String(data[k])}
                  </span>
                </span>
              ))}
              {keys.length > 4 ? <span className="muted">+{keys.length - 4}</span> : null}
            </span>
          )}
        </td>
        <td>
          <Link to={sourcePath(projectId, event.source_id)} className="mono cell-sub">
            {event.source_id}
          </Link>
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
        <tr className="row-detail" id={detailsId}>
          <td colSpan={5}>
            <JsonBlock value={event} label={t('verify.eventJson', { name })} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

function ComingWithCampaigns() {
  const { t } = useI18n();
  return (
    <div className="details-grid">
      <Card title={t('profiles.messages')} flush>
        <EmptyState
          icon={<IconDelivery />}
          title={t('profiles.messagesEmptyTitle')}
          description={t('profiles.messagesEmptyText')}
        />
      </Card>
      <Card title={t('profiles.receipts')} flush>
        <EmptyState
          icon={<IconCampaign />}
          title={t('profiles.receiptsEmptyTitle')}
          description={t('profiles.receiptsEmptyText')}
        />
      </Card>
    </div>
  );
}

function ProfileDetails({ tpUid }: { tpUid: string }) {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const { search } = useLocation();
  const mergedFrom = search.get('merged_from');
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    setProfile(null);
    setError(null);
    api.getProfile({ projectId, tpUid }).then(
      (p) => {
        if (!current) return;
        // A merged-away id answers the surviving profile: move the address to it and say so.
        if (p.tp_uid !== tpUid)
          navigate(`${profilePath(projectId, p.tp_uid)}?merged_from=${encodeURIComponent(tpUid)}`, {
            replace: true,
          });
        else setProfile(p);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, tpUid]);

  const breadcrumb = (
    <>
      <Link to={profilesPath(projectId)}>{t('profiles.title')}</Link> /
    </>
  );
  if (error)
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={t('profiles.profile')} />
        <Card flush>
          {error instanceof ApiError && error.status === 404 ? (
            <EmptyState
              icon={<IconProfiles />}
              title={t('profiles.notFoundTitle')}
              description={t('profiles.notFoundText', { id: tpUid })}
              action={
                <Link className="btn btn-secondary" to={profilesPath(projectId)}>
                  {t('profiles.backToExplorer')}
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
  if (!profile)
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={t('profiles.profile')} />
        <Loading className="card card-body row" />
      </>
    );
  return (
    <>
      <PageHeader
        breadcrumb={breadcrumb}
        title={displayName(profile)}
        actions={<EraseProfileButton profile={profile} name={displayName(profile)} />}
        description={
          <span className="copy-value">
            <code data-testid="tp-uid">{profile.tp_uid}</code>
            <CopyButton value={profile.tp_uid} label={t('profiles.copyTpUid')} />
          </span>
        }
      />
      <ProfileLagNotice projectId={projectId} />
      {mergedFrom ? (
        <div className="page-alert">
          <Alert tone="info">{t('profiles.mergedNotice', { id: mergedFrom })}</Alert>
        </div>
      ) : null}
      <ProfileSuppression profile={profile} name={displayName(profile)} />
      <div className="stat-grid">
        {(
          [
            ['profiles.eventCount', profile.event_count.toLocaleString()],
            ['profiles.lastEvent', formatTime(profile.last_event_at)],
            ['profiles.firstSeen', formatTime(profile.created_at)],
            ['profiles.updated', formatTime(profile.updated_at)],
          ] as const
        ).map(([label, value]) => (
          <div className="card stat" key={label}>
            <div className="stat-label">{t(label)}</div>
            <div className="stat-value stat-value-sm">{value}</div>
          </div>
        ))}
      </div>
      <div className="details-grid profile-grid">
        <IdentitiesCard profile={profile} />
        <PropertiesCard profile={profile} />
      </div>
      <TimelineCard profile={profile} />
      <ComingWithCampaigns />
    </>
  );
}

/**
 * The Profiles area: the explorer (find anyone by any identity, or browse), a profile's page,
 * and event management.
 */
export function ProfilesPage() {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { pathname } = useLocation();
  const base = profilesPath(projectId);
  const current = pathname.replace(/\/$/, '');
  const events = current === eventsPath(projectId);
  const erase = current === erasurePath(projectId);
  const one = events || erase ? null : matchPath(`${base}/:tpUid`, pathname);
  if (one?.tpUid) return <ProfileDetails key={one.tpUid} tpUid={one.tpUid} />;
  return (
    <>
      <PageHeader title={t('profiles.title')} description={t('profiles.description')} />
      <Tabs
        label={t('profiles.title')}
        current={events ? eventsPath(projectId) : erase ? erasurePath(projectId) : base}
        items={[
          { to: base, label: t('profiles.tabExplorer') },
          { to: eventsPath(projectId), label: t('profiles.tabEvents') },
          { to: erasurePath(projectId), label: t('erasure.tab') },
        ]}
      />
      {events ? (
        <EventDefinitions />
      ) : erase ? (
        <BulkErasure />
      ) : (
        <div className="stack-cards">
          <ProfileSearch />
          <ProfileList />
        </div>
      )}
    </>
  );
}

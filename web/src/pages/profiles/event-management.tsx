import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { DataSource, EventDefinition } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Dialog, type DialogControl } from '../../ui/dialog.tsx';
import { Alert, Badge, EmptyState, Loading, PageHeader } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { SearchInput, TextField } from '../../ui/field.tsx';
import { IconChart, IconChevronDown, IconPlus, IconPulse, IconSearch } from '../../ui/icons.tsx';
import { describeError } from '../../ui/errors.ts';
import { StaticTable } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { TypeBadge } from './profile-common.tsx';
import { sourcePath, sourcesPath } from '../sources/source-common.tsx';

function DeclareEventDialog({
  open,
  onClose,
  onDeclared,
}: DialogControl & {
  onDeclared: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId } = useProject();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setName('');
    setDescription('');
    setErrors({});
    setError(null);
  }, [open, setErrors]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setErrors({ name: t('validation.required') });
      return;
    }
    if (trimmed.startsWith('#')) {
      setErrors({ name: t('events.nameReserved') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.declareEvent({ projectId }, { name: trimmed, description: description.trim() || null });
      toast.success(t('events.declared', { name: trimmed }));
      onDeclared();
      onClose();
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const formError = formErrorOf(error, t, ['name', 'description']);
  return (
    <Dialog
      open={open}
      onClose={onClose}
      busy={busy}
      title={t('events.declareTitle')}
      description={t('events.declareText')}
      icon={<IconChart />}
    >
      <form
        className="form"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={t('events.declareTitle')}
      >
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <TextField
          label={t('events.name')}
          name="name"
          value={name}
          placeholder="ops_push_open"
          maxLength={255}
          autoComplete="off"
          onChange={(e) => {
            setName(e.target.value);
            clearError('name');
          }}
          error={errors.name}
          hint={t('events.nameHint')}
        />
        <TextField
          label={t('events.descriptionLabel')}
          name="description"
          value={description}
          maxLength={500}
          optional={t('common.optional')}
          onChange={(e) => {
            setDescription(e.target.value);
            clearError('description');
          }}
          error={errors.description}
        />
        <div className="row row-end">
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" loading={busy}>
            {t('events.declare')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function PropertyTable({ event }: { event: EventDefinition }) {
  const { t, formatTime } = useI18n();
  if (event.properties.length === 0) return <p className="muted">{t('events.noProperties')}</p>;
  return (
    <table className="table table-inner" aria-label={t('events.propertiesOf', { name: event.name })}>
      <thead>
        <tr>
          <th scope="col">{t('events.property')}</th>
          <th scope="col">{t('events.types')}</th>
          <th scope="col">{t('events.firstSeen')}</th>
          <th scope="col">{t('events.lastSeen')}</th>
        </tr>
      </thead>
      <tbody>
        {event.properties.map((p) => (
          <tr key={p.name}>
            <td>
              <code className="property-name">{p.name}</code>
            </td>
            <td>
              <span className="badge-list">
                {p.types.map((type) => (
                  <TypeBadge key={type} type={type} />
                ))}
              </span>
            </td>
            <td className="cell-muted">{formatTime(p.first_seen)}</td>
            <td className="cell-muted">{formatTime(p.last_seen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Event management (SPEC §2.2): the event names the project has received, their volumes and
 * first/last sighting, each one's property names with the JSON types observed, and the meta
 * events the project declared (e.g. receipt events such as `ops_push_open`).
 */
export function EventDefinitions() {
  const { t, formatTime } = useI18n();
  const { projectId, can } = useProject();
  const [events, setEvents] = useState<readonly EventDefinition[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<'' | 'declared' | 'discovered'>('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [declaring, setDeclaring] = useState(false);
  useEffect(() => {
    let current = true;
    api.listEvents({ projectId }).then(
      (page) => {
        if (!current) return;
        setEvents(page.items);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, tick]);

  const q = query.trim().toLowerCase();
  const rows = (events ?? []).filter(
    (e) =>
      (q === '' ||
        e.name.toLowerCase().includes(q) ||
        e.properties.some((p) => p.name.toLowerCase().includes(q))) &&
      (kind === '' || (kind === 'declared') === e.declared),
  );
  const filtered = q !== '' || kind !== '';
  const toggle = (name: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(name)) next.add(name);
      return next;
    });

  return (
    <>
      <section className="card table-card" aria-label={t('events.listLabel')}>
        <div className="toolbar">
          <SearchInput label={t('events.filter')} value={query} onChange={(e) => setQuery(e.target.value)} />
          <select
            className="select"
            aria-label={t('events.filterKind')}
            value={kind}
            onChange={(e) => setKind(e.target.value as '' | 'declared' | 'discovered')}
          >
            <option value="">{t('events.allKinds')}</option>
            <option value="discovered">{t('events.kindDiscovered')}</option>
            <option value="declared">{t('events.kindDeclared')}</option>
          </select>
          <span className="toolbar-spacer" />
          {events ? <span className="muted">{t('events.count', { count: events.length })}</span> : null}
          {can('source.manage') ? (
            <Button variant="primary" size="sm" icon={<IconPlus />} onClick={() => setDeclaring(true)}>
              {t('events.declare')}
            </Button>
          ) : null}
        </div>
        {error ? (
          <div className="card-body">
            <Alert tone="error">{describeError(error, t)}</Alert>
          </div>
        ) : events === null ? (
          <Loading className="card-body row" />
        ) : rows.length === 0 ? (
          filtered ? (
            <EmptyState
              icon={<IconSearch />}
              title={t('common.noMatches')}
              description={t('common.noMatchesText')}
            />
          ) : (
            <EmptyState
              icon={<IconChart />}
              title={t('events.emptyTitle')}
              description={t('events.emptyText')}
            />
          )
        ) : (
          <StaticTable
            label={t('events.tableLabel')}
            headings={[
              t('events.name'),
              t('events.volume'),
              t('events.firstSeen'),
              t('events.lastSeen'),
              { label: t('events.properties'), className: 'cell-actions' },
            ]}
          >
            {rows.map((e) => {
              const open = expanded.has(e.name);
              const detailsId = `event-${e.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
              return (
                <Fragment key={e.name}>
                  <tr data-key={e.name} className={open ? 'is-expanded' : undefined}>
                    <td>
                      <span className="row event-name">
                        <span className="cell-primary">{e.name}</span>
                        {e.declared ? <Badge tone="blue">{t('events.metaEvent')}</Badge> : null}
                      </span>
                      {e.description ? <div className="cell-sub">{e.description}</div> : null}
                    </td>
                    <td className="cell-num">{e.event_count.toLocaleString()}</td>
                    <td className="cell-muted">
                      {e.first_seen ? formatTime(e.first_seen) : t('events.notYet')}
                    </td>
                    <td className="cell-muted">
                      {e.last_seen ? formatTime(e.last_seen) : t('events.notYet')}
                    </td>
                    <td className="cell-actions">
                      <Button
                        variant="ghost"
                        size="sm"
                        className="expand-toggle"
                        icon={<IconChevronDown />}
                        aria-expanded={open}
                        aria-controls={open ? detailsId : undefined}
                        aria-label={t('events.togglePropertiesOf', {
                          name: e.name,
                          count: e.properties.length,
                        })}
                        onClick={() => toggle(e.name)}
                      >
                        {t('events.propertyCount', { count: e.properties.length })}
                      </Button>
                    </td>
                  </tr>
                  {open ? (
                    <tr className="row-detail" id={detailsId}>
                      <td colSpan={5}>
                        <PropertyTable event={e} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </StaticTable>
        )}
      </section>
      <DeclareEventDialog
        open={declaring}
        onClose={() => setDeclaring(false)}
        onDeclared={() => setTick((n) => n + 1)}
      />
    </>
  );
}

/** "View" on a data source's card: event management, reached from the source. */
export function SourceEventsPage({ sourceId }: { sourceId: string }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [source, setSource] = useState<DataSource | null>(null);
  useEffect(() => {
    let current = true;
    api.getSource({ projectId, sourceId }).then(
      (s) => current && setSource(s),
      () => current && setSource(null),
    );
    return () => {
      current = false;
    };
  }, [projectId, sourceId]);
  const name = source?.name ?? sourceId;
  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to={sourcesPath(projectId)}>{t('connections.tabSources')}</Link> /{' '}
            <Link to={sourcePath(projectId, sourceId)}>{name}</Link> /
          </>
        }
        title={t('sources.eventsTitle')}
        description={t('events.sourceDescription', { name })}
        actions={
          <Link className="btn btn-secondary" to={`${sourcePath(projectId, sourceId)}/verify`}>
            <IconPulse />
            {t('sources.verify')}
          </Link>
        }
      />
      <EventDefinitions />
    </>
  );
}

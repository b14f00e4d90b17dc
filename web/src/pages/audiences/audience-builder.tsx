import { useEffect, useMemo, useState } from 'react';
import { ApiError, api, fetchAll } from '../../api/client.ts';
import type { AudienceCatalog, AudienceEstimate, AudiencePreview, Channel } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Card, Loading, PageHeader } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { TextField } from '../../ui/field.tsx';
import { IconPlus, IconX } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import {
  emptyBehavior,
  emptyGroup,
  emptyProperty,
  fromJson,
  toJson,
  type BehaviorRow,
  type GroupRow,
  type Row,
} from './audience-model.ts';
import { PropertyConditionRow, type TypeMap } from './property-condition.tsx';
import { profilePath } from '../profiles/profile-common.tsx';
import './audiences.css';

type Update<T> = (next: T) => void;

function BehaviorEditor({
  row,
  onChange,
  onRemove,
  events,
  label,
}: {
  row: BehaviorRow;
  onChange: Update<BehaviorRow>;
  onRemove: () => void;
  events: ReadonlyMap<string, TypeMap>;
  label: string;
}) {
  const { t } = useI18n();
  const eventProperties = events.get(row.event) ?? new Map<string, readonly string[]>();
  return (
    <div className="audience-behavior" role="group" aria-label={label}>
      <div className="audience-row">
        <select
          className="select"
          aria-label={t('audiences.did')}
          value={row.did ? 'did' : 'not'}
          onChange={(e) => onChange({ ...row, did: e.target.value === 'did' })}
        >
          <option value="did">{t('audiences.did')}</option>
          <option value="not">{t('audiences.didNot')}</option>
        </select>
        <select
          className="select"
          aria-label={t('audiences.event')}
          value={row.event}
          onChange={(e) => onChange({ ...row, event: e.target.value, filters: [] })}
        >
          <option value="">{t('audiences.choose')}</option>
          {[...events.keys()].map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        {row.did ? (
          <>
            <select
              className="select"
              aria-label={t('audiences.count')}
              value={row.countOp}
              onChange={(e) => onChange({ ...row, countOp: e.target.value as BehaviorRow['countOp'] })}
            >
              <option value="">{t('audiences.countAny')}</option>
              {(['at_least', 'at_most', 'exactly'] as const).map((op) => (
                <option key={op} value={op}>
                  {t(`audiences.count.${op}`)}
                </option>
              ))}
            </select>
            {row.countOp ? (
              <>
                <input
                  className="input input-narrow"
                  type="number"
                  min={0}
                  aria-label={t('audiences.times')}
                  value={row.count}
                  onChange={(e) => onChange({ ...row, count: e.target.value })}
                />
                <span className="muted">{t('audiences.times')}</span>
              </>
            ) : null}
          </>
        ) : null}
        <select
          className="select"
          aria-label={t('audiences.window')}
          value={row.window}
          onChange={(e) => onChange({ ...row, window: e.target.value as BehaviorRow['window'] })}
        >
          <option value="any">{t('audiences.windowAny')}</option>
          <option value="last">{t('audiences.windowLast')}</option>
          <option value="between">{t('audiences.windowBetween')}</option>
        </select>
        {row.window === 'last' ? (
          <input
            className="input input-narrow"
            type="number"
            min={1}
            aria-label={t('audiences.days')}
            value={row.lastDays}
            onChange={(e) => onChange({ ...row, lastDays: e.target.value })}
          />
        ) : null}
        {row.window === 'between' ? (
          <>
            <input
              className="input"
              type="date"
              aria-label={t('audiences.from')}
              value={row.from}
              onChange={(e) => onChange({ ...row, from: e.target.value })}
            />
            <input
              className="input"
              type="date"
              aria-label={t('audiences.to')}
              value={row.to}
              onChange={(e) => onChange({ ...row, to: e.target.value })}
            />
          </>
        ) : null}
        <Button
          variant="ghost-danger"
          aria-label={t('audiences.remove')}
          title={t('audiences.remove')}
          onClick={onRemove}
        >
          <IconX />
        </Button>
      </div>
      {row.filters.map((f, i) => (
        <div className="audience-filter" key={f.key}>
          <PropertyConditionRow
            row={f}
            label={`${t('audiences.addFilter')} ${i + 1}`}
            properties={eventProperties}
            onChange={(next) =>
              onChange({ ...row, filters: row.filters.map((x) => (x.key === f.key ? next : x)) })
            }
            onRemove={() => onChange({ ...row, filters: row.filters.filter((x) => x.key !== f.key) })}
          />
        </div>
      ))}
      {row.event ? (
        <div className="audience-filter">
          <Button
            variant="ghost"
            onClick={() => onChange({ ...row, filters: [...row.filters, emptyProperty()] })}
          >
            <IconPlus /> {t('audiences.addFilter')}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function GroupEditor({
  group,
  onChange,
  onRemove,
  catalog,
  depth,
  label,
}: {
  group: GroupRow;
  onChange: Update<GroupRow>;
  onRemove?: () => void;
  catalog: { properties: TypeMap; events: ReadonlyMap<string, TypeMap> };
  depth: number;
  label: string;
}) {
  const { t } = useI18n();
  const replace = (key: string, next: Row) =>
    onChange({ ...group, items: group.items.map((x) => (x.key === key ? next : x)) });
  const remove = (key: string) => onChange({ ...group, items: group.items.filter((x) => x.key !== key) });
  let groupNumber = 0;
  return (
    <section className={`audience-group audience-depth-${depth}`} aria-label={label}>
      <div className="audience-group-head">
        <span>{t('audiences.match')}</span>
        <select
          className="select"
          aria-label={`${label}: ${t('audiences.match')}`}
          value={group.combinator}
          onChange={(e) => onChange({ ...group, combinator: e.target.value as 'and' | 'or' })}
        >
          <option value="and">{t('audiences.all')}</option>
          <option value="or">{t('audiences.any')}</option>
        </select>
        <span>{t('audiences.ofConditions')}</span>
        {onRemove ? (
          <Button variant="ghost-danger" className="audience-group-remove" onClick={onRemove}>
            <IconX /> {t('audiences.remove')}
          </Button>
        ) : null}
      </div>
      {group.items.length === 0 ? <p className="muted">{t('audiences.emptyGroup')}</p> : null}
      {group.items.map((item, i) => {
        if (item.kind === 'group')
          return (
            <GroupEditor
              key={item.key}
              group={item}
              depth={depth + 1}
              label={t('audiences.group', { n: ++groupNumber })}
              catalog={catalog}
              onChange={(next) => replace(item.key, next)}
              onRemove={() => remove(item.key)}
            />
          );
        if (item.kind === 'behavior')
          return (
            <BehaviorEditor
              key={item.key}
              row={item}
              label={`${t('audiences.addBehavior')} ${i + 1}`}
              events={catalog.events}
              onChange={(next) => replace(item.key, next)}
              onRemove={() => remove(item.key)}
            />
          );
        return (
          <PropertyConditionRow
            key={item.key}
            row={item}
            label={`${t('audiences.addProperty')} ${i + 1}`}
            properties={catalog.properties}
            onChange={(next) => replace(item.key, next)}
            onRemove={() => remove(item.key)}
          />
        );
      })}
      <div className="row audience-add">
        <Button onClick={() => onChange({ ...group, items: [...group.items, emptyProperty()] })}>
          <IconPlus /> {t('audiences.addProperty')}
        </Button>
        <Button onClick={() => onChange({ ...group, items: [...group.items, emptyBehavior()] })}>
          <IconPlus /> {t('audiences.addBehavior')}
        </Button>
        {depth < 3 ? (
          <Button
            onClick={() => onChange({ ...group, items: [...group.items, emptyGroup([emptyProperty()])] })}
          >
            <IconPlus /> {t('audiences.addGroup')}
          </Button>
        ) : null}
      </div>
    </section>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setCurrent(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return current;
}

/** Builds, estimates, previews and saves one audience (`audienceId` null: a new one). */
export function AudienceBuilder({ audienceId }: { audienceId: string | null }) {
  const { t, locale } = useI18n();
  const formatNumber = (n: number) => n.toLocaleString(locale);
  const toast = useToast();
  const { projectId, workspace, can } = useProject();
  const workspaceId = workspace?.id ?? '';
  const [catalog, setCatalog] = useState<AudienceCatalog | null>(null);
  const [channels, setChannels] = useState<readonly Channel[]>([]);
  const [root, setRoot] = useState<GroupRow>(() => emptyGroup());
  const [name, setName] = useState('');
  const [loaded, setLoaded] = useState(audienceId === null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [channelId, setChannelId] = useState('');
  const [estimate, setEstimate] = useState<AudienceEstimate | null>(null);
  const [estimateError, setEstimateError] = useState<unknown>(null);
  const [estimating, setEstimating] = useState(false);
  const [preview, setPreview] = useState<AudiencePreview | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);

  useEffect(() => {
    if (!workspaceId) return;
    api.audienceCatalog({ projectId, workspaceId }).then(setCatalog, setLoadError);
    fetchAll((q) => api.listChannels({ projectId }, q)).then(
      (all) =>
        setChannels(all.filter((c) => c.status === 'enabled' && c.workspace_ids.includes(workspaceId))),
      () => setChannels([]),
    );
    if (audienceId)
      api.getAudience({ projectId, workspaceId, audienceId }).then((a) => {
        setRoot(fromJson(a.conditions));
        setName(a.name);
        setLoaded(true);
      }, setLoadError);
  }, [projectId, workspaceId, audienceId]);

  const typeMaps = useMemo(
    () => ({
      properties: new Map(catalog?.profile_properties.map((p) => [p.name, p.types]) ?? []),
      events: new Map(
        catalog?.events.map((e) => [e.name, new Map(e.properties.map((p) => [p.name, p.types]))]) ?? [],
      ),
    }),
    [catalog],
  );
  const conditions = useMemo(() => toJson(root, catalog), [root, catalog]);
  const current = JSON.stringify({ conditions, channelId });
  const request = useDebounced(current, 350);
  // Only the settled conditions are estimated, so the number shown always belongs to them.
  const settled = request === current;

  useEffect(() => {
    if (!workspaceId || !catalog || !loaded || !settled) return;
    const { conditions: body, channelId: channel } = JSON.parse(request) as {
      conditions: typeof conditions;
      channelId: string;
    };
    let live = true;
    setEstimating(true);
    api
      .estimateAudience(
        { projectId, workspaceId },
        { conditions: body, ...(channel ? { channel_id: channel } : {}) },
      )
      .then(
        (e) => {
          if (!live) return;
          setEstimate(e);
          setEstimateError(null);
        },
        (error: unknown) => {
          if (!live) return;
          setEstimateError(error);
        },
      )
      .finally(() => live && setEstimating(false));
    return () => {
      live = false;
    };
  }, [request, settled, projectId, workspaceId, catalog, loaded]);

  const runPreview = async () => {
    try {
      setPreview(await api.previewAudience({ projectId, workspaceId }, { conditions, limit: 20 }));
    } catch (error) {
      setEstimateError(error);
    }
  };

  const save = async () => {
    if (!name.trim()) {
      setSaveError(new ApiError(400, { code: 'TP_ERR_VALIDATION', message: t('validation.required') }));
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const saved = audienceId
        ? await api.updateAudience({ projectId, workspaceId, audienceId }, { name: name.trim(), conditions })
        : await api.createAudience({ projectId, workspaceId }, { name: name.trim(), conditions });
      toast.success(t('audiences.saved', { name: saved.name }));
      navigate(`/projects/${projectId}/audiences`);
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const errorPath = estimateError instanceof ApiError ? String(estimateError.details.path ?? '') : '';
  const excluded = estimate && estimate.reachable !== null ? estimate.size - estimate.reachable : null;
  const manage = can('audience.manage');

  if (loadError) return <Alert tone="error">{describeError(loadError, t)}</Alert>;
  if (!catalog || !loaded) return <Loading />;
  return (
    <>
      <PageHeader
        breadcrumb={<Link to={`/projects/${projectId}/audiences`}>{t('audiences.back')}</Link>}
        title={audienceId ? name || t('audiences.title') : t('audiences.new')}
      />
      <div className="audience-layout">
        <Card title={t('audiences.builderTitle')} subtitle={t('audiences.builderSubtitle')}>
          <GroupEditor
            group={root}
            onChange={setRoot}
            catalog={typeMaps}
            depth={0}
            label={t('audiences.builderTitle')}
          />
        </Card>
        <div className="audience-side">
          <Card title={t('audiences.estimateTitle')}>
            <div className="audience-estimate" aria-live="polite" data-testid="audience-estimate">
              {!estimate && !estimateError ? <Loading /> : null}
              {estimate ? (
                <>
                  <strong className="audience-size" data-testid="audience-size">
                    {t('audiences.members', { n: formatNumber(estimate.size) })}
                  </strong>
                  {estimate.reachable !== null ? (
                    <>
                      <span data-testid="audience-reachable">
                        {t('audiences.reachable', { n: formatNumber(estimate.reachable) })}
                      </span>
                      <span className="muted" data-testid="audience-excluded">
                        {t('audiences.excluded', {
                          n: formatNumber(excluded ?? 0),
                          type: estimate.send_id_type ?? '',
                        })}
                      </span>
                    </>
                  ) : null}
                </>
              ) : null}
              {(estimating || !settled) && estimate ? (
                <span className="muted">{t('audiences.estimating')}</span>
              ) : null}
            </div>
            {estimateError ? (
              <Alert tone="error">
                {describeError(estimateError, t)}
                {errorPath ? <code className="audience-path">{errorPath}</code> : null}
              </Alert>
            ) : null}
            <label className="field">
              <span className="field-label">{t('audiences.channel')}</span>
              <select
                className="select"
                aria-label={t('audiences.channel')}
                value={channelId}
                onChange={(e) => setChannelId(e.target.value)}
              >
                <option value="">{t('audiences.noChannel')}</option>
                {channels.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} · {c.send_id_type}
                  </option>
                ))}
              </select>
            </label>
          </Card>
          <Card title={t('audiences.save')}>
            {manage ? (
              <div className="form">
                {saveError ? <Alert tone="error">{describeError(saveError, t)}</Alert> : null}
                <TextField
                  label={t('audiences.name')}
                  name="name"
                  value={name}
                  maxLength={100}
                  autoComplete="off"
                  onChange={(e) => setName(e.target.value)}
                />
                <div className="row row-end">
                  <Button variant="primary" loading={saving} onClick={() => void save()}>
                    {t('audiences.save')}
                  </Button>
                </div>
              </div>
            ) : (
              <p className="muted">{t('audiences.readOnly')}</p>
            )}
          </Card>
        </div>
      </div>
      <Card
        title={t('audiences.previewTitle')}
        actions={<Button onClick={() => void runPreview()}>{t('audiences.preview')}</Button>}
        flush
      >
        {preview ? (
          preview.members.length === 0 ? (
            <p className="muted audience-preview-empty">{t('audiences.previewEmpty')}</p>
          ) : (
            <div className="table-scroll">
              <table className="table" aria-label={t('audiences.previewTitle')}>
                <thead>
                  <tr>
                    <th scope="col">tp_uid</th>
                    <th scope="col">{t('audiences.identities')}</th>
                    {preview.properties.map((p) => (
                      <th scope="col" key={p}>
                        {p}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.members.map((m) => (
                    <tr key={m.tp_uid}>
                      <td>
                        <Link to={profilePath(projectId, m.tp_uid)}>
                          <code>{m.tp_uid}</code>
                        </Link>
                      </td>
                      <td className="cell-muted">
                        {m.identities.map((i) => `${i.type}: ${i.value}`).join(', ')}
                      </td>
                      {preview.properties.map((p) => (
                        <td key={p}>{p in m.properties ? JSON.stringify(m.properties[p]) : '—'}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        ) : null}
      </Card>
    </>
  );
}

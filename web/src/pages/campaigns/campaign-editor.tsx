import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, api, fetchAll } from '../../api/client.ts';
import type { Audience, AudienceCatalog, AudienceEstimate, Channel } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Badge, Card, Loading, PageHeader } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { FieldMessage, SelectField, TextAreaField, TextField } from '../../ui/field.tsx';
import { IconArrowRight, IconCheck, IconPlus } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { TestStatusBadge } from '../channels/channel-common.tsx';
import {
  TemplateValuesFields,
  VariablesEditor,
  draftValuesOf,
  templateValuesOf,
  useUrlOptions,
  valueIssueText,
  variablesOf,
  withoutErrors,
  type FieldErrors,
  type TemplateValues,
  type VariableDraft,
} from '../channels/template-values.tsx';
import { profilePath } from '../profiles/profile-common.tsx';
import type { Campaign, CampaignInput, CampaignPreview } from '../../api/types.ts';
import { LimitsText, TriggerText, campaignPath, campaignsPath, useTimeZone } from './campaign-common.tsx';
import { stepOf, steps, variableNameOf, type Step } from './campaign-model.ts';
import {
  describeCron,
  emptySchedule,
  eventTriggerIssues,
  scheduleOf,
  triggerOf,
  type ScheduleDraft,
} from './campaign-schedule.ts';
import type { TypeMap } from '../audiences/property-condition.tsx';
import {
  CampaignLimitsFields,
  EventTriggerFields,
  errorAt,
  type LimitsDraft,
} from './event-trigger-fields.tsx';

// The campaign editor (issue 19 point 5) in five steps: audience (with its estimate on the chosen
// channel), channel (authorized to the workspace, with its untested warning), content (the
// channel's template form and variables, with a live preview of one recipient's rendered message),
// schedule (now, at a time, by cron in the project's time zone, or when an event happens; the
// campaign's own cap and quiet-hours mode) and review (ten recipients with their rendered
// messages), then Save or Submit. Any step may be visited in any order; the server checks the
// whole campaign at submit and its issues are shown under their fields, on their step.

interface Draft extends LimitsDraft {
  readonly name: string;
  readonly description: string;
  readonly audienceId: string;
  readonly channelId: string;
  readonly values: TemplateValues;
  readonly variables: VariableDraft[];
  readonly schedule: ScheduleDraft;
  readonly conversionEvent: string;
  readonly conversionDays: string;
}

const emptyDraft: Draft = {
  name: '',
  description: '',
  audienceId: '',
  channelId: '',
  values: {},
  variables: [],
  schedule: emptySchedule,
  conversionEvent: '',
  conversionDays: '7',
  capOn: false,
  capCount: '1',
  capHours: '24',
  quietHours: 'delay',
};

/** Whether a variable takes the triggering event's property (event campaigns only). */
const isEventSource = (source: string) => source.trim().startsWith('event.');

/** The catalog's events → their property names and observed types. */
function eventTypesOf(catalog: AudienceCatalog | null): ReadonlyMap<string, TypeMap> {
  return new Map(
    catalog?.events.map((e) => [e.name, new Map(e.properties.map((p) => [p.name, p.types]))]) ?? [],
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

/** A preview's refusal, one line per issue (the fields themselves are marked only on submit). */
function previewIssues(error: unknown, t: Translate, channel: Channel | null): string[] {
  if (!(error instanceof ApiError) || error.issues.length === 0) return [describeError(error, t)];
  const label = (path: string) => {
    const key = /^\/template_values\/([^/]+)/.exec(path)?.[1];
    const field = channel?.template.find((f) => f.key === key);
    if (field) return field.label;
    const variable = /^\/variables\/(\d+)/.exec(path)?.[1];
    if (variable !== undefined) return t('campaigns.variableN', { n: Number(variable) + 1 });
    return path;
  };
  return error.issues.map((i) => `${label(i.path)}: ${valueIssueText(i, t)}`);
}

/** A rendered value as the receiver gets it: text as is, anything else as JSON. */
const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** One rendered message: its push_id, then each template value and custom param. */
function RenderedMessage({
  message,
}: {
  message: CampaignPreview['recipients'][number]['messages'][number];
}) {
  const { t } = useI18n();
  const custom = Object.entries(message.custom_params);
  return (
    <dl className="kv rendered-message" data-testid="rendered-message">
      <dt>push_id</dt>
      <dd className="mono">{message.push_id}</dd>
      {Object.entries(message.params).map(([key, value]) => (
        <Row key={key} label={key} value={shown(value)} />
      ))}
      {custom.length > 0 ? (
        <>
          <dt className="rendered-section">{t('campaigns.customParams')}</dt>
          <dd />
          {custom.map(([key, value]) => (
            <Row key={`c-${key}`} label={key} value={value === null ? '—' : shown(value)} />
          ))}
        </>
      ) : null}
    </dl>
  );
}

function Row({ label, value }: { label: string; value: ReactNode }) {
  return (
    <>
      <dt className="mono">{label}</dt>
      <dd data-param={label}>{value}</dd>
    </>
  );
}

/** Who a preview recipient is: their first identity, else their tp_uid. */
const recipientLabel = (r: CampaignPreview['recipients'][number]) =>
  r.identities[0] ? `${r.identities[0].type} ${r.identities[0].value}` : r.tp_uid;

/** Step 3: the channel's template form, the variables with a property picker, a live preview. */
function ContentStep({
  channel,
  draft,
  set,
  errors,
  setErrors,
  catalog,
}: {
  channel: Channel;
  draft: Draft;
  set: (change: Partial<Draft>) => void;
  errors: FieldErrors;
  setErrors: (update: (errors: FieldErrors) => FieldErrors) => void;
  catalog: AudienceCatalog | null;
}) {
  const { t } = useI18n();
  const urlOptions = useUrlOptions(channel, true);
  // The picked source: `user.<property>`, or `event.<property>` in an event campaign.
  const [source, setSource] = useState('');
  const properties = catalog?.profile_properties.map((p) => p.name) ?? [];
  const byEvent = draft.schedule.type === 'event';
  const triggerEvent = draft.schedule.event;
  const eventProperties = byEvent
    ? (catalog?.events.find((e) => e.name === triggerEvent)?.properties.map((p) => p.name) ?? [])
    : [];
  const sources = [...properties.map((p) => `user.${p}`), ...eventProperties.map((p) => `event.${p}`)];
  const dynamic = channel.template.some((f) => f.type === 'dynamic_text');
  const addVariable = () => {
    if (!source) return;
    const name = variableNameOf(source.replace(/^(user|event)\./, ''));
    const taken = draft.variables.some((v) => v.name.trim() === name);
    if (!taken) set({ variables: [...draft.variables, { name, source, default: '' }] });
    setSource('');
  };
  return (
    <div className="form">
      {channel.template.length === 0 ? <p className="muted">{t('campaigns.noTemplate')}</p> : null}
      <TemplateValuesFields
        channel={channel}
        values={draft.values}
        onChange={(k, value) => {
          set({ values: { ...draft.values, [k]: value } });
          setErrors((e) => withoutErrors(e, `/template_values/${k}`));
        }}
        errors={errors}
        valuesPath="/template_values"
        urlOptions={urlOptions}
      />
      {dynamic ? (
        <div className="field">
          <span className="field-label" id="campaign-variable-picker">
            {byEvent ? t('campaigns.variablePickerEvent') : t('campaigns.variablePicker')}
          </span>
          <div className="row variable-picker" role="group" aria-labelledby="campaign-variable-picker">
            <select
              className="select select-sm"
              aria-label={byEvent ? t('campaigns.variableSourcePick') : t('campaigns.profileProperty')}
              value={source}
              onChange={(e) => setSource(e.target.value)}
            >
              <option value="">{t('campaigns.chooseProperty')}</option>
              {byEvent ? (
                <>
                  <optgroup label={t('campaigns.eventPropertiesOf', { event: triggerEvent || '…' })}>
                    {eventProperties.map((p) => (
                      <option key={`event.${p}`} value={`event.${p}`}>
                        {`event.${p}`}
                      </option>
                    ))}
                  </optgroup>
                  <optgroup label={t('campaigns.profileProperties')}>
                    {properties.map((p) => (
                      <option key={`user.${p}`} value={`user.${p}`}>
                        {`user.${p}`}
                      </option>
                    ))}
                  </optgroup>
                </>
              ) : (
                properties.map((p) => (
                  <option key={p} value={`user.${p}`}>
                    {p}
                  </option>
                ))
              )}
            </select>
            <Button size="sm" icon={<IconPlus />} disabled={!source} onClick={addVariable}>
              {t('campaigns.addAsVariable')}
            </Button>
          </div>
          <FieldMessage
            hint={
              byEvent && !triggerEvent
                ? t('campaigns.variablePickerNoEvent')
                : t('campaigns.variablePickerHint')
            }
          />
        </div>
      ) : null}
      <VariablesEditor
        id="campaign-variables"
        hint={byEvent ? t('campaigns.variablesHintEvent') : t('campaigns.variablesHint')}
        channel={channel}
        values={draft.values}
        variables={draft.variables}
        sources={sources}
        sourceHeading={byEvent ? t('campaigns.variableSourceEvent') : undefined}
        onChange={(next, stale) => {
          set({ variables: next });
          if (stale) setErrors((e) => withoutErrors(e, stale));
        }}
        errors={errors}
      />
    </div>
  );
}

/** The content step's side: one recipient's rendered message, re-rendered as the values change. */
function LivePreview({
  preview,
  channel,
  blocked,
}: {
  preview: PreviewState;
  channel: Channel;
  /** Why nothing can be previewed yet (no audience, event variables), or null. */
  blocked: string | null;
}) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState(0);
  const recipients = preview.answer?.recipients ?? [];
  const recipient = recipients[Math.min(chosen, Math.max(0, recipients.length - 1))];
  return (
    <Card
      title={t('campaigns.livePreview')}
      subtitle={t('campaigns.livePreviewHint')}
      className="campaign-live"
    >
      <div aria-live="polite" data-testid="live-preview">
        {blocked ? <Alert tone="info">{blocked}</Alert> : null}
        {!blocked && !preview.answer && !preview.error ? <Loading /> : null}
        {!blocked && preview.error ? (
          <Alert tone="warning">
            <ul className="preview-issues">
              {previewIssues(preview.error, t, channel).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
        {!blocked && preview.answer && !preview.error ? (
          recipient ? (
            <>
              <label className="field">
                <span className="field-label">{t('campaigns.previewFor')}</span>
                <select
                  className="select select-sm"
                  value={String(recipients.indexOf(recipient))}
                  onChange={(e) => setChosen(Number(e.target.value))}
                >
                  {recipients.map((r, i) => (
                    <option key={r.tp_uid} value={i}>
                      {recipientLabel(r)}
                    </option>
                  ))}
                </select>
              </label>
              {recipient.messages.map((m) => (
                <RenderedMessage key={m.push_id} message={m} />
              ))}
            </>
          ) : (
            <p className="muted">{t('campaigns.previewNobody')}</p>
          )
        ) : null}
        {preview.busy && preview.answer ? <p className="muted">{t('campaigns.previewUpdating')}</p> : null}
      </div>
    </Card>
  );
}

interface PreviewState {
  readonly answer: CampaignPreview | null;
  readonly error: unknown;
  readonly busy: boolean;
}

/** Step 4: when it sends, in the project's time zone; and the conversion the funnel counts. */
function ScheduleStep({
  draft,
  set,
  errors,
  catalog,
}: {
  draft: Draft;
  set: (change: Partial<Draft>) => void;
  errors: FieldErrors;
  catalog: AudienceCatalog | null;
}) {
  const { t, locale } = useI18n();
  const timeZone = useTimeZone();
  const s = draft.schedule;
  const setSchedule = (change: Partial<ScheduleDraft>) => set({ schedule: { ...s, ...change } });
  const reading = s.type === 'cron' ? describeCron(s.cron, locale) : null;
  const error = (prefix: string) => errorAt(errors, prefix);
  const eventTypes = useMemo(() => eventTypesOf(catalog), [catalog]);
  return (
    <div className="form">
      <div className="field">
        <span className="field-label" id="campaign-when">
          {t('campaigns.when')}
        </span>
        <div className="segmented" role="radiogroup" aria-labelledby="campaign-when">
          {(['now', 'at', 'cron', 'event'] as const).map((type) => (
            <button
              key={type}
              type="button"
              role="radio"
              aria-checked={s.type === type}
              onClick={() => setSchedule({ type })}
            >
              {t(`campaigns.when.${type}`)}
            </button>
          ))}
        </div>
        <FieldMessage
          error={s.type === 'event' ? undefined : error('/trigger/type')}
          hint={t(`campaigns.whenHint.${s.type}`)}
        />
      </div>
      {s.type === 'event' ? (
        <EventTriggerFields
          schedule={s}
          setSchedule={setSchedule}
          errors={errors}
          eventTypes={eventTypes}
          timeZone={timeZone}
        />
      ) : null}
      {s.type === 'at' ? (
        <TextField
          label={t('campaigns.sendAt')}
          name="at"
          type="datetime-local"
          value={s.at}
          error={error('/trigger/at') ?? error('/trigger')}
          hint={t('campaigns.inZone', { zone: timeZone })}
          onChange={(e) => setSchedule({ at: e.target.value })}
        />
      ) : null}
      {s.type === 'cron' ? (
        <>
          <TextField
            label={t('campaigns.cron')}
            name="cron"
            className="mono"
            value={s.cron}
            autoComplete="off"
            spellCheck={false}
            error={error('/trigger/cron') ?? error('/trigger')}
            hint={t('campaigns.cronHint', { zone: timeZone })}
            onChange={(e) => setSchedule({ cron: e.target.value })}
          />
          <p
            className={`cron-reading${reading ? '' : ' is-unread'}`}
            data-testid="cron-reading"
            aria-live="polite"
          >
            {reading ?? t('campaigns.cronUnread')}
          </p>
          <TextField
            label={t('campaigns.endAt')}
            optional={t('common.optional')}
            name="end_at"
            type="datetime-local"
            value={s.endAt}
            error={error('/trigger/end_at')}
            hint={t('campaigns.endAtHint', { zone: timeZone })}
            onChange={(e) => setSchedule({ endAt: e.target.value })}
          />
        </>
      ) : null}
      <div className="form-row">
        <SelectField
          label={t('campaigns.conversionEvent')}
          name="conversion_event"
          value={draft.conversionEvent}
          error={error('/conversion/event')}
          hint={t('campaigns.conversionHint')}
          onChange={(e) => set({ conversionEvent: e.target.value })}
          options={[
            { value: '', label: t('campaigns.noConversion') },
            ...(catalog?.events.map((ev) => ({ value: ev.name, label: ev.name })) ?? []),
          ]}
        />
        {draft.conversionEvent ? (
          <TextField
            label={t('campaigns.conversionDays')}
            name="conversion_days"
            type="number"
            min={1}
            value={draft.conversionDays}
            error={error('/conversion/within_days')}
            onChange={(e) => set({ conversionDays: e.target.value })}
          />
        ) : null}
      </div>
      <CampaignLimitsFields limits={draft} set={set} errors={errors} />
    </div>
  );
}

/** Creates (`campaignId` null) or edits a draft campaign in the current workspace. */
export function CampaignEditor({ campaignId }: { campaignId: string | null }) {
  const { t, locale } = useI18n();
  const toast = useToast();
  const { projectId, workspace, can } = useProject();
  const workspaceId = workspace?.id ?? '';
  const timeZone = useTimeZone();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [step, setStep] = useState<Step>('audience');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState<'save' | 'submit' | null>(null);
  const [audiences, setAudiences] = useState<readonly Audience[] | null>(null);
  const [channels, setChannels] = useState<readonly Channel[] | null>(null);
  const [catalog, setCatalog] = useState<AudienceCatalog | null>(null);
  const [loaded, setLoaded] = useState<Campaign | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [estimate, setEstimate] = useState<AudienceEstimate | null>(null);
  const [preview, setPreview] = useState<PreviewState>({ answer: null, error: null, busy: false });
  // Once saved, further saves update the same draft (a submit refused for a missing value).
  const savedId = useRef<string | null>(campaignId);

  useEffect(() => {
    if (!workspaceId) return;
    fetchAll((q) => api.listAudiences({ projectId, workspaceId }, q)).then(setAudiences, setLoadError);
    fetchAll((q) => api.listChannels({ projectId }, q)).then(setChannels, setLoadError);
    api.audienceCatalog({ projectId, workspaceId }).then(setCatalog, () => setCatalog(null));
    if (campaignId) api.getCampaign({ projectId, workspaceId, campaignId }).then(setLoaded, setLoadError);
  }, [projectId, workspaceId, campaignId]);

  // A saved campaign fills the form once its channel's fields are known (values are typed per field).
  const filled = useRef(false);
  useEffect(() => {
    if (!loaded || !channels || filled.current) return;
    filled.current = true;
    const channel = channels.find((c) => c.id === loaded.channel_id);
    setDraft({
      name: loaded.name,
      description: loaded.description ?? '',
      audienceId: loaded.audience_id ?? '',
      channelId: loaded.channel_id ?? '',
      values: channel ? draftValuesOf(channel.template, loaded.template_values) : {},
      variables: loaded.variables.map((v) => ({ name: v.name, source: v.source, default: v.default ?? '' })),
      schedule: scheduleOf(loaded.trigger, timeZone),
      conversionEvent: loaded.conversion?.event ?? '',
      conversionDays: String(loaded.conversion?.within_days ?? 7),
      capOn: loaded.frequency_cap !== null,
      capCount: String(loaded.frequency_cap?.count ?? 1),
      capHours: String(loaded.frequency_cap?.period_hours ?? 24),
      quietHours: loaded.quiet_hours,
    });
  }, [loaded, channels, timeZone]);

  const set = (change: Partial<Draft>) => setDraft((d) => ({ ...d, ...change }));
  const authorized = useMemo(
    () => (channels ?? []).filter((c) => c.status === 'enabled' && c.workspace_ids.includes(workspaceId)),
    [channels, workspaceId],
  );
  const channel = (channels ?? []).find((c) => c.id === draft.channelId) ?? null;
  const audience = (audiences ?? []).find((a) => a.id === draft.audienceId) ?? null;
  const byEvent = draft.schedule.type === 'event';
  const eventTypes = useMemo(() => eventTypesOf(catalog), [catalog]);
  const trigger = triggerOf(
    draft.schedule,
    timeZone,
    eventTypes.get(draft.schedule.event),
    eventTypes.get(draft.schedule.unlessEvent),
  );
  // The preview renders members of the audience now, without an event: an event campaign is
  // previewed only with an audience and without event.<property> variables (decision 140).
  const previewBlocked = !draft.audienceId
    ? byEvent
      ? t('campaigns.previewEvent')
      : null
    : byEvent && draft.variables.some((v) => isEventSource(v.source))
      ? t('campaigns.previewEventVariables')
      : null;

  // The audience's size, and how many the chosen channel reaches (those with its send ID).
  useEffect(() => {
    if (!audience) {
      setEstimate(null);
      return;
    }
    let live = true;
    setEstimate(null);
    api
      .estimateAudience(
        { projectId, workspaceId },
        { conditions: audience.conditions, ...(draft.channelId ? { channel_id: draft.channelId } : {}) },
      )
      .then(
        (e) => live && setEstimate(e),
        () => live && setEstimate(null),
      );
    return () => {
      live = false;
    };
  }, [audience, draft.channelId, projectId, workspaceId]);

  const body = (): CampaignInput & { name: string } => {
    const sentVariables = variablesOf(draft.variables);
    const days = Number(draft.conversionDays);
    return {
      name: draft.name.trim(),
      description: draft.description.trim() || null,
      audience_id: draft.audienceId || null,
      channel_id: draft.channelId || null,
      trigger,
      template_values: channel ? templateValuesOf(channel.template, draft.values) : {},
      variables: sentVariables,
      conversion: draft.conversionEvent
        ? { event: draft.conversionEvent, within_days: Number.isFinite(days) ? days : 0 }
        : null,
      frequency_cap: draft.capOn
        ? { count: Number(draft.capCount), period_hours: Number(draft.capHours) }
        : null,
      quiet_hours: draft.quietHours,
    };
  };

  // The live preview: what the channel would receive, for up to ten members of the audience.
  const previewKey =
    (step === 'content' || step === 'review') && channel && draft.audienceId && !previewBlocked
      ? JSON.stringify({
          audience_id: draft.audienceId,
          channel_id: channel.id,
          template_values: templateValuesOf(channel.template, draft.values),
          variables: variablesOf(draft.variables),
        })
      : '';
  const settledKey = useDebounced(previewKey, 400);
  useEffect(() => {
    if (!settledKey) return;
    let live = true;
    setPreview((p) => ({ ...p, busy: true }));
    api.previewCampaign({ projectId, workspaceId }, { ...JSON.parse(settledKey), limit: 10 }).then(
      (answer) => live && setPreview({ answer, error: null, busy: false }),
      (error: unknown) => live && setPreview({ answer: null, error, busy: false }),
    );
    return () => {
      live = false;
    };
  }, [settledKey, projectId, workspaceId]);

  /** Places a refusal's issues under their fields, on their steps; goes to the first such step. */
  const place = (error: unknown) => {
    if (error instanceof ApiError && error.code === 'TP_ERR_VALIDATION' && error.issues.length > 0) {
      const fields: FieldErrors = {};
      for (const issue of error.issues) fields[issue.path] ??= valueIssueText(issue, t);
      setErrors(fields);
      const first = steps.find((s) => error.issues.some((i) => stepOf(i.path) === s));
      if (first) setStep(first);
      setFormError(t('campaigns.fixIssues', { n: error.issues.length }));
      return;
    }
    if (error instanceof ApiError && error.code === 'TP_ERR_CAMPAIGN_NAME_TAKEN') {
      setErrors({ '/name': describeError(error, t) });
      setStep('audience');
      return;
    }
    setFormError(describeError(error, t));
  };

  const save = async (then: 'save' | 'submit') => {
    setFormError(null);
    setErrors({});
    if (!draft.name.trim()) {
      setErrors({ '/name': t('validation.required') });
      setStep('audience');
      return;
    }
    const local = eventTriggerIssues(draft.schedule);
    if (Object.keys(local).length > 0) {
      setErrors(Object.fromEntries(Object.entries(local).map(([path, key]) => [path, t(key)])));
      setStep('schedule');
      setFormError(t('campaigns.fixIssues', { n: Object.keys(local).length }));
      return;
    }
    setSaving(then);
    const params = { projectId, workspaceId };
    try {
      const id = savedId.current;
      const saved = id
        ? await api.updateCampaign({ ...params, campaignId: id }, body())
        : await api.createCampaign(params, body());
      savedId.current = saved.id;
      if (then === 'submit') {
        await api.campaignAction({ ...params, campaignId: saved.id }, 'submit');
        toast.success(t('campaigns.done.submit', { name: saved.name }));
      } else toast.success(t('campaigns.saved', { name: saved.name }));
      navigate(campaignPath(projectId, saved.id));
    } catch (error) {
      place(error);
    } finally {
      setSaving(null);
    }
  };

  if (loadError) return <Alert tone="error">{describeError(loadError, t)}</Alert>;
  if (!audiences || !channels || (campaignId && !loaded)) return <Loading />;
  if (loaded && loaded.state !== 'draft')
    return (
      <Alert tone="info">
        {t('campaigns.notDraft')} <Link to={campaignPath(projectId, loaded.id)}>{loaded.name}</Link>
      </Alert>
    );

  const stepErrors = (s: Step) => Object.keys(errors).some((path) => stepOf(path) === s);
  const index = steps.indexOf(step);
  const formatNumber = (n: number) => n.toLocaleString(locale);
  const edit = can('campaign.edit');

  return (
    <>
      <PageHeader
        breadcrumb={<Link to={campaignsPath(projectId)}>{t('campaigns.back')}</Link>}
        title={campaignId ? draft.name || t('campaigns.title') : t('campaigns.new')}
      />
      <ol className="campaign-steps" aria-label={t('campaigns.stepsLabel')}>
        {steps.map((s, i) => (
          <li key={s}>
            <button
              type="button"
              aria-current={s === step ? 'step' : undefined}
              className={stepErrors(s) ? 'has-errors' : undefined}
              onClick={() => setStep(s)}
            >
              <span className="campaign-step-number">{i + 1}</span>
              {t(`campaigns.step.${s}`)}
            </button>
          </li>
        ))}
      </ol>
      <div className={`campaign-editor${step === 'content' ? ' is-content' : ''}`}>
        <Card title={t(`campaigns.step.${step}`)} subtitle={t(`campaigns.stepHint.${step}`)}>
          {step === 'audience' ? (
            <div className="form">
              <TextField
                label={t('campaigns.name')}
                name="name"
                value={draft.name}
                maxLength={100}
                autoComplete="off"
                error={errors['/name']}
                onChange={(e) => {
                  set({ name: e.target.value });
                  setErrors((x) => withoutErrors(x, '/name'));
                }}
              />
              <TextAreaField
                label={t('campaigns.descriptionLabel')}
                optional={t('common.optional')}
                name="description"
                rows={2}
                maxLength={500}
                value={draft.description}
                onChange={(e) => set({ description: e.target.value })}
              />
              {audiences.length === 0 && !byEvent ? (
                <Alert tone="info">
                  {t('campaigns.noAudiences')}{' '}
                  <Link to={`/projects/${projectId}/audiences/new`}>{t('campaigns.buildAudience')}</Link>
                </Alert>
              ) : null}
              <SelectField
                label={byEvent ? t('campaigns.audienceOptional') : t('campaigns.audience')}
                name="audience_id"
                value={draft.audienceId}
                error={errors['/audience_id']}
                hint={byEvent ? t('campaigns.audienceOptionalHint') : t('campaigns.audienceHint')}
                onChange={(e) => {
                  set({ audienceId: e.target.value });
                  setErrors((x) => withoutErrors(x, '/audience_id'));
                }}
                options={[
                  { value: '', label: byEvent ? t('campaigns.noAudience') : t('campaigns.chooseAudience') },
                  ...audiences.map((a) => ({ value: a.id, label: a.name })),
                ]}
              />
            </div>
          ) : null}
          {step === 'channel' ? (
            <div className="form">
              {authorized.length === 0 ? <Alert tone="info">{t('campaigns.noChannels')}</Alert> : null}
              <div className="channel-picks" role="radiogroup" aria-label={t('campaigns.channel')}>
                {authorized.map((c) => (
                  <button
                    key={c.id}
                    type="button"
                    role="radio"
                    aria-checked={draft.channelId === c.id}
                    className="channel-pick"
                    onClick={() => {
                      set({ channelId: c.id });
                      setErrors((x) => withoutErrors(x, '/channel_id'));
                    }}
                  >
                    <span className="channel-pick-name">{c.name}</span>
                    <span className="channel-pick-meta">
                      <Badge>{t('channels.sendIdChip', { type: c.send_id_type })}</Badge>
                      <TestStatusBadge channel={c} />
                    </span>
                  </button>
                ))}
              </div>
              <FieldMessage error={errors['/channel_id']} hint={t('campaigns.channelHint')} />
              {channel && channel.test_status === 'untested' ? (
                <Alert tone="warning">{t('channels.untestedBanner')}</Alert>
              ) : null}
              {channel && channel.status !== 'enabled' ? (
                <Alert tone="warning">{t('campaigns.channelDisabled')}</Alert>
              ) : null}
            </div>
          ) : null}
          {step === 'content' ? (
            channel ? (
              <ContentStep
                channel={channel}
                draft={draft}
                set={set}
                errors={errors}
                setErrors={setErrors}
                catalog={catalog}
              />
            ) : (
              <Alert tone="info">{t('campaigns.chooseChannelFirst')}</Alert>
            )
          ) : null}
          {step === 'schedule' ? (
            <ScheduleStep draft={draft} set={set} errors={errors} catalog={catalog} />
          ) : null}
          {step === 'review' ? (
            <div className="stack">
              <dl className="kv campaign-kv" data-testid="campaign-review">
                <dt>{t('campaigns.name')}</dt>
                <dd>{draft.name || '—'}</dd>
                <dt>{t('campaigns.audience')}</dt>
                <dd>{audience?.name ?? (byEvent ? t('campaigns.noAudience') : '—')}</dd>
                <dt>{t('campaigns.channel')}</dt>
                <dd>{channel?.name ?? '—'}</dd>
                <dt>{t('campaigns.schedule')}</dt>
                <dd data-testid="review-schedule">
                  <TriggerText trigger={trigger} />
                </dd>
                <dt>{t('campaigns.limits')}</dt>
                <dd>
                  <LimitsText
                    cap={draft.capOn ? { count: draft.capCount, period_hours: draft.capHours } : null}
                    quietHours={draft.quietHours}
                  />
                </dd>
                <dt>{t('campaigns.conversion')}</dt>
                <dd>
                  {draft.conversionEvent
                    ? t('campaigns.conversionText', {
                        event: draft.conversionEvent,
                        days: draft.conversionDays,
                      })
                    : t('campaigns.noConversion')}
                </dd>
              </dl>
              {workspace?.require_approval ? (
                <Alert tone="info">{t('campaigns.needsApproval')}</Alert>
              ) : (
                <Alert tone="info">{t('campaigns.noApproval')}</Alert>
              )}
              <ReviewRecipients
                preview={preview}
                channel={channel}
                blocked={previewBlocked ?? (channel && audience ? null : t('campaigns.previewNeedsBoth'))}
              />
            </div>
          ) : null}
          {formError ? <Alert tone="error">{formError}</Alert> : null}
          <div className="row campaign-editor-footer">
            <Button disabled={index === 0} onClick={() => setStep(steps[index - 1] ?? step)}>
              {t('campaigns.previous')}
            </Button>
            <span className="toolbar-spacer" />
            {edit ? (
              <Button
                loading={saving === 'save'}
                disabled={saving !== null}
                onClick={() => void save('save')}
              >
                {t('campaigns.saveDraft')}
              </Button>
            ) : null}
            {step === 'review' ? (
              edit ? (
                <Button
                  variant="primary"
                  icon={<IconCheck />}
                  loading={saving === 'submit'}
                  disabled={saving !== null}
                  onClick={() => void save('submit')}
                >
                  {t('campaigns.action.submit')}
                </Button>
              ) : null
            ) : (
              <Button
                variant="primary"
                icon={<IconArrowRight />}
                onClick={() => setStep(steps[index + 1] ?? step)}
              >
                {t('campaigns.next')}
              </Button>
            )}
          </div>
        </Card>
        <aside className="campaign-summary">
          {step === 'content' && channel ? (
            <LivePreview
              channel={channel}
              preview={preview}
              blocked={previewBlocked ?? (draft.audienceId ? null : t('campaigns.previewNeedsAudience'))}
            />
          ) : null}
          <Card title={t('campaigns.summary')}>
            <dl className="kv kv-narrow campaign-kv">
              <dt>{t('campaigns.audience')}</dt>
              <dd>
                {audience?.name ?? (
                  <span className="muted">
                    {byEvent ? t('campaigns.noAudience') : t('campaigns.notChosen')}
                  </span>
                )}
              </dd>
              {audience ? (
                <>
                  <dt>{t('campaigns.size')}</dt>
                  <dd data-testid="campaign-size">
                    {estimate ? t('audiences.members', { n: formatNumber(estimate.size) }) : '…'}
                  </dd>
                </>
              ) : null}
              <dt>{t('campaigns.channel')}</dt>
              <dd>{channel?.name ?? <span className="muted">{t('campaigns.notChosen')}</span>}</dd>
              {audience && channel ? (
                <>
                  <dt>{t('campaigns.reachable')}</dt>
                  <dd data-testid="campaign-reachable">
                    {estimate && estimate.reachable !== null
                      ? t('campaigns.reachableOf', {
                          n: formatNumber(estimate.reachable),
                          type: estimate.send_id_type ?? channel.send_id_type,
                        })
                      : '…'}
                  </dd>
                </>
              ) : null}
              <dt>{t('campaigns.schedule')}</dt>
              <dd data-testid="summary-schedule">
                <TriggerText trigger={trigger} />
              </dd>
            </dl>
          </Card>
        </aside>
      </div>
    </>
  );
}

/** Step 5: ten recipients of the audience and the messages the channel would receive for them. */
function ReviewRecipients({
  preview,
  channel,
  blocked,
}: {
  preview: PreviewState;
  channel: Channel | null;
  /** Why there is nothing to preview, or null. */
  blocked: string | null;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  if (blocked) return <Alert tone="info">{blocked}</Alert>;
  if (preview.error)
    return (
      <Alert tone="warning">
        <ul className="preview-issues">
          {previewIssues(preview.error, t, channel).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </Alert>
    );
  if (!preview.answer) return <Loading />;
  const { recipients, estimate } = preview.answer;
  return (
    <section aria-labelledby="campaign-review-recipients">
      <h3 className="send-subtitle" id="campaign-review-recipients">
        {t('campaigns.reviewRecipients', { n: recipients.length, reachable: estimate.reachable ?? '—' })}
      </h3>
      {recipients.length === 0 ? (
        <p className="muted">{t('campaigns.previewNobody')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table review-table" aria-label={t('campaigns.reviewTable')}>
            <thead>
              <tr>
                <th scope="col">{t('campaigns.recipient')}</th>
                <th scope="col">{t('campaigns.renderedMessages')}</th>
              </tr>
            </thead>
            <tbody>
              {recipients.map((r) => (
                <tr key={r.tp_uid}>
                  <td>
                    <Link to={profilePath(projectId, r.tp_uid)}>{recipientLabel(r)}</Link>
                    <div className="cell-sub mono">{r.tp_uid}</div>
                  </td>
                  <td>
                    {r.messages.map((m) => (
                      <RenderedMessage key={m.push_id} message={m} />
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, api } from '../../api/client.ts';
import {
  channelCategories,
  type Channel,
  type ChannelCategory,
  type ChannelInput,
  type ValidationIssue,
} from '../../api/types.ts';
import { isMessageKey, useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Card, EmptyState, Loading, PageHeader } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { FieldMessage, SelectField, Switch, TextField } from '../../ui/field.tsx';
import { IconChannel, IconLock, IconPause, IconPlus, IconSearch, IconX } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { HowToCard } from '../connections/connection-details.tsx';
import { channelPath, channelsPath, handOverNewKey, channelSpec, useIdTypes } from './channel-common.tsx';
import {
  TemplateBuilder,
  fieldDraftOf,
  templateOf,
  uid,
  type FieldDraft,
} from './channel-template-builder.tsx';
import { useApps } from '../sources/source-common.tsx';
import { useLifecycle } from '../connections/lifecycle.tsx';

interface ParamDraft {
  readonly uid: number;
  readonly key: string;
  readonly property: string;
  readonly defaultValue: string;
}

interface StepDraft {
  readonly uid: number;
  readonly label: string;
  readonly event: string;
}

interface ChannelDraft {
  readonly name: string;
  readonly category: ChannelCategory;
  readonly url: string;
  readonly sendIdType: string;
  readonly auth: 'none' | 'token';
  /** Empty while editing: keep the current token. */
  readonly token: string;
  readonly batchSize: string;
  readonly rateLimit: string;
  readonly timeoutS: string;
  readonly compression: boolean;
  readonly strictResponse: boolean;
  readonly retryFailedItems: boolean;
  readonly signatureV2: boolean;
  readonly description: string;
  readonly appId: string;
  readonly template: readonly FieldDraft[];
  readonly customParams: readonly ParamDraft[];
  readonly receiptFunnel: readonly StepDraft[];
}

const emptyDraft: ChannelDraft = {
  name: '',
  category: 'notification',
  url: '',
  sendIdType: '',
  auth: 'none',
  token: '',
  batchSize: '100',
  rateLimit: '-1',
  timeoutS: '60',
  compression: true,
  strictResponse: true,
  retryFailedItems: false,
  signatureV2: false,
  description: '',
  appId: '',
  template: [],
  customParams: [],
  receiptFunnel: [],
};

function draftOf(c: Channel): ChannelDraft {
  return {
    name: c.name,
    category: c.category,
    url: c.url,
    sendIdType: c.send_id_type,
    auth: c.auth,
    token: '',
    batchSize: String(c.batch_size),
    rateLimit: String(c.rate_limit),
    timeoutS: String(c.timeout_s),
    compression: c.compression,
    strictResponse: c.strict_response,
    retryFailedItems: c.retry_failed_items,
    signatureV2: c.signature_v2.enabled,
    description: c.description ?? '',
    appId: c.app_id ?? '',
    template: c.template.map(fieldDraftOf),
    customParams: c.custom_params.map((p) => ({
      uid: uid(),
      key: p.key,
      property: p.property,
      defaultValue: p.default ?? '',
    })),
    receiptFunnel: c.receipt_funnel.map((s) => ({ uid: uid(), label: s.label, event: s.event })),
  };
}

const numberOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text.trim()));

function inputOf(d: ChannelDraft, editing: Channel | null): ChannelInput {
  return {
    name: d.name.trim(),
    category: d.category,
    url: d.url.trim(),
    send_id_type: d.sendIdType.trim(),
    auth: d.auth,
    // Editing: an empty token field keeps the stored one; switching to none clears it.
    ...(d.auth === 'token' && d.token !== '' ? { token: d.token } : {}),
    ...(d.auth === 'none' && editing?.token.set ? { token: null } : {}),
    batch_size: numberOf(d.batchSize),
    rate_limit: numberOf(d.rateLimit),
    timeout_s: numberOf(d.timeoutS),
    compression: d.compression,
    strict_response: d.strictResponse,
    retry_failed_items: d.retryFailedItems,
    signature_v2: d.signatureV2,
    description: d.description.trim() || null,
    app_id: d.appId || null,
    template: templateOf(d.template),
    custom_params: d.customParams.map((p) => ({
      key: p.key.trim(),
      property: p.property.trim(),
      default: p.defaultValue === '' ? null : p.defaultValue,
    })),
    receipt_funnel: d.receiptFunnel.map((s) => ({ label: s.label.trim(), event: s.event.trim() })),
  };
}

/** What the API accepts as a template, column or custom param key. */
const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  return `${text[0]?.toUpperCase()}${text.slice(1)}${/[.!?。]$/.test(text) ? '' : '.'}`;
}

/** One issue in the reader's language where the rule is known, else the server's words. */
export function issueText(issue: ValidationIssue, t: Translate): string {
  const key = `channels.rule.${issue.rule}`;
  return isMessageKey(key) ? t(key) : sentence(issue.message);
}

/**
 * Inline errors of the channel form keyed by the API's path (`/name`, `/template/2/key`,
 * `/custom_params/0/property`); refused URLs land on `details.field`, a taken name on `/name`.
 * Answers the errors and the message for above the form (null when every error found a place).
 */
export function channelErrors(
  error: unknown,
  t: Translate,
): { fields: Record<string, string>; form: string | null } {
  const fields: Record<string, string> = {};
  if (!(error instanceof ApiError)) return { fields, form: describeError(error, t) };
  if (error.code === 'TP_ERR_CHANNEL_NAME_TAKEN')
    return { fields: { '/name': describeError(error, t) }, form: null };
  if (typeof error.details.field === 'string') {
    fields[error.details.field] = describeError(error, t);
    return { fields, form: null };
  }
  if (error.code !== 'TP_ERR_VALIDATION') return { fields, form: describeError(error, t) };
  for (const issue of error.issues) {
    if (issue.in !== 'body' || fields[issue.path]) continue;
    fields[issue.path] = issueText(issue, t);
  }
  return { fields, form: t('channels.fixErrors', { n: Object.keys(fields).length }) };
}

function FormSection({
  n,
  title,
  description,
  children,
}: {
  n: number;
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <section className="form-step" aria-label={title}>
      <span className="form-step-number">{n}</span>
      <div className="form-step-body form">
        <div>
          <h3 className="form-section-title">{title}</h3>
          {description ? <p className="field-hint">{description}</p> : null}
        </div>
        {children}
      </div>
    </section>
  );
}

/** The create and edit form of a webhook channel (SPEC §3.1), every field with its own error. */
export function ChannelFormPage({ channelId }: { channelId?: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const { apps } = useApps();
  const idTypes = useIdTypes();
  const [channel, setChannel] = useState<Channel | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [draft, setDraft] = useState<ChannelDraft>(emptyDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  // After a refused save, the first flagged field comes into view and takes focus.
  const formRef = useRef<HTMLFormElement>(null);
  const [showFirstError, setShowFirstError] = useState(0);
  useEffect(() => {
    if (showFirstError === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!first) return;
    first.scrollIntoView({ block: 'center' });
    first.focus({ preventScroll: true });
  }, [showFirstError]);
  const editing = channelId !== undefined;
  const lifecycle = useLifecycle(channelSpec, (_action, after) => {
    setChannel(after);
    setTick((n) => n + 1);
  });

  useEffect(() => {
    if (!channelId) return;
    let current = true;
    api.getChannel({ projectId, channelId }).then(
      (c) => {
        if (!current) return;
        setChannel(c);
        setDraft(draftOf(c));
      },
      (e: unknown) => current && setLoadError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, channelId, tick]);

  const clearErrors = useCallback(
    (prefix: string) =>
      setErrors((current) => {
        const keys = Object.keys(current).filter((k) => k === prefix || k.startsWith(`${prefix}/`));
        if (keys.length === 0) return current;
        const next = { ...current };
        for (const k of keys) delete next[k];
        return next;
      }),
    [],
  );
  const set = <K extends keyof ChannelDraft>(key: K, value: ChannelDraft[K], path: string) => {
    setDraft((d) => ({ ...d, [key]: value }));
    clearErrors(path);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!draft.name.trim()) local['/name'] = t('validation.required');
    else if ([...draft.name.trim()].length > 15) local['/name'] = t('channels.nameTooLong');
    if (!draft.url.trim()) local['/url'] = t('validation.required');
    if (!draft.sendIdType.trim()) local['/send_id_type'] = t('channels.sendIdTypeRequired');
    if (draft.auth === 'token' && !draft.token && !(channel?.token.set ?? false))
      local['/token'] = t('channels.tokenRequired');
    // Keys are checked here too: the server checks them only once the request passes its schema
    // (name, send ID type…), which would show them one round-trip later.
    const badKey = (key: string) => key.trim() !== '' && !KEY_PATTERN.test(key.trim());
    draft.template.forEach((f, i) => {
      if (badKey(f.key)) local[`/template/${i}/key`] = t('channels.rule.pattern');
      f.columns.forEach((c, j) => {
        if (badKey(c.key)) local[`/template/${i}/columns/${j}/key`] = t('channels.rule.pattern');
      });
    });
    draft.customParams.forEach((p, i) => {
      if (badKey(p.key)) local[`/custom_params/${i}/key`] = t('channels.rule.pattern');
    });
    setFormError(null);
    // The server checks everything at once (template keys, custom params, URLs…), so the form
    // asks it even when a field is already known to be wrong: every error shows in one go, the
    // local ones (in the reader's words) winning where both name the same field. Every local
    // rule is also a server rule, so a request with local errors is always refused.
    const body = inputOf(draft, channel);
    setBusy(true);
    try {
      const saved =
        editing && channel
          ? await api.updateChannel({ projectId, channelId: channel.id }, body)
          : await api.createChannel({ projectId }, { kind: 'webhook', ...body });
      handOverNewKey(saved.id, saved.signature_v2.new_key);
      toast.success(t(editing ? 'channels.saved' : 'channels.created', { name: saved.name }));
      navigate(channelPath(projectId, saved.id));
    } catch (e) {
      const { fields, form } = channelErrors(e, t);
      const all = { ...fields, ...local };
      setErrors(all);
      setFormError(
        Object.keys(local).length > 0 ? t('channels.fixErrors', { n: Object.keys(all).length }) : form,
      );
      setBusy(false);
      setShowFirstError((n) => n + 1);
    }
  };

  const breadcrumb = (
    <>
      <Link to={`/projects/${projectId}/connections`}>{t('connections.title')}</Link> /{' '}
      <Link to={channelsPath(projectId)}>{t('connections.tabChannels')}</Link> /
    </>
  );
  if (!can('reach.webhook.manage'))
    return (
      <>
        <PageHeader
          breadcrumb={breadcrumb}
          title={t(editing ? 'channels.editTitle' : 'channels.createTitle', { name: '' })}
        />
        <Alert tone="info">{t('channels.noManagePermission')}</Alert>
      </>
    );
  if (loadError)
    return (
      <>
        <PageHeader breadcrumb={breadcrumb} title={t('channels.detailsTitle')} />
        <Card flush>
          <EmptyState
            icon={<IconSearch />}
            title={t('channels.notFoundTitle')}
            description={describeError(loadError, t)}
            action={<Link to={channelsPath(projectId)}>{t('channels.backToList')}</Link>}
          />
        </Card>
      </>
    );
  if (editing && !channel) return <Loading />;

  const locked = channel?.status === 'enabled';
  const title = editing ? t('channels.editTitle', { name: channel?.name ?? '' }) : t('channels.createTitle');
  const idTypeOptions = [...new Set([...idTypes, ...(draft.sendIdType ? [draft.sendIdType] : [])])];
  const tokenKept = editing && channel?.token.set && draft.auth === 'token';

  return (
    <>
      <PageHeader
        breadcrumb={
          editing && channel ? (
            <>
              {breadcrumb} <Link to={channelPath(projectId, channel.id)}>{channel.name}</Link> /
            </>
          ) : (
            breadcrumb
          )
        }
        title={title}
        description={t(editing ? 'channels.editDescription' : 'channels.createDescription')}
      />
      {locked && channel ? (
        <div className="alert alert-warning channel-locked" role="alert" data-testid="edit-locked">
          <IconLock />
          <div className="stack-tight">
            <strong>{t('channels.editLockedTitle')}</strong>
            <span>{t('channels.editLockedText')}</span>
            <div className="row">
              <Button
                size="sm"
                variant="primary"
                icon={<IconPause />}
                onClick={() => lifecycle.ask('disable', channel)}
              >
                {t('channels.disableToEdit')}
              </Button>
              <Link className="btn btn-secondary btn-sm" to={channelPath(projectId, channel.id)}>
                {t('channels.backToDetails')}
              </Link>
            </div>
          </div>
        </div>
      ) : null}
      <div className="split">
        <Card title={title}>
          <form ref={formRef} className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={title}>
            <fieldset className="plain-fieldset form" disabled={locked || busy}>
              <FormSection n={1} title={t('channels.sectionBasics')}>
                <div className="form-row">
                  <TextField
                    label={t('channels.name')}
                    name="name"
                    value={draft.name}
                    placeholder={t('channels.namePlaceholder')}
                    hint={t('channels.nameHint', { n: [...draft.name.trim()].length })}
                    error={errors['/name']}
                    onChange={(e) => set('name', e.target.value, '/name')}
                  />
                  <SelectField
                    label={t('channels.category')}
                    name="category"
                    value={draft.category}
                    error={errors['/category']}
                    hint={t(`channels.category.${draft.category}.hint`)}
                    onChange={(e) => set('category', e.target.value as ChannelCategory, '/category')}
                    options={channelCategories.map((c) => ({ value: c, label: t(`channels.category.${c}`) }))}
                  />
                </div>
                <div className="form-row">
                  <SelectField
                    label={t('channels.app')}
                    name="app_id"
                    value={draft.appId}
                    error={errors['/app_id']}
                    hint={t('channels.appHint')}
                    onChange={(e) => set('appId', e.target.value, '/app_id')}
                    options={[
                      { value: '', label: t('channels.noApp') },
                      ...apps.map((a) => ({
                        value: a.id,
                        label: `${a.name} (${t(`appType.${a.app_type}`)})`,
                      })),
                    ]}
                  />
                  <TextField
                    label={t('channels.description')}
                    optional={t('common.optional')}
                    name="description"
                    value={draft.description}
                    maxLength={500}
                    error={errors['/description']}
                    onChange={(e) => set('description', e.target.value, '/description')}
                  />
                </div>
              </FormSection>

              <FormSection
                n={2}
                title={t('channels.sectionEndpoint')}
                description={t('channels.sectionEndpointText')}
              >
                <TextField
                  label={t('channels.url')}
                  name="url"
                  className="mono"
                  value={draft.url}
                  placeholder="https://push.example.com/touchpoint"
                  hint={t('channels.urlHint')}
                  error={errors['/url']}
                  onChange={(e) => set('url', e.target.value, '/url')}
                />
                <div className="form-row">
                  <div className="field">
                    <label className="field-label" htmlFor="channel-send-id-type">
                      {t('channels.sendIdType')}
                    </label>
                    <input
                      id="channel-send-id-type"
                      className="input mono"
                      list="channel-id-types"
                      name="send_id_type"
                      value={draft.sendIdType}
                      placeholder="role_id"
                      aria-invalid={errors['/send_id_type'] ? true : undefined}
                      aria-describedby="channel-send-id-type-hint"
                      onChange={(e) => set('sendIdType', e.target.value, '/send_id_type')}
                    />
                    <datalist id="channel-id-types">
                      {idTypeOptions.map((n) => (
                        <option key={n} value={n} />
                      ))}
                    </datalist>
                    {errors['/send_id_type'] ? (
                      <FieldMessage error={errors['/send_id_type']} />
                    ) : (
                      <div className="field-hint" id="channel-send-id-type-hint">
                        {t('channels.sendIdTypeHint')}
                      </div>
                    )}
                    {idTypeOptions.length > 0 ? (
                      <div className="badge-list chip-picks" aria-label={t('channels.knownIdTypes')}>
                        {idTypeOptions.map((n) => (
                          <button
                            type="button"
                            key={n}
                            className={`chip-pick${n === draft.sendIdType ? ' is-on' : ''}`}
                            aria-pressed={n === draft.sendIdType}
                            onClick={() => set('sendIdType', n, '/send_id_type')}
                          >
                            {n}
                          </button>
                        ))}
                      </div>
                    ) : null}
                  </div>
                  <div className="field">
                    <span className="field-label">{t('channels.auth')}</span>
                    <div className="segmented" role="radiogroup" aria-label={t('channels.auth')}>
                      {(['none', 'token'] as const).map((a) => (
                        <button
                          key={a}
                          type="button"
                          role="radio"
                          aria-checked={draft.auth === a}
                          onClick={() => set('auth', a, '/token')}
                        >
                          {t(`channels.auth.${a}`)}
                        </button>
                      ))}
                    </div>
                    {draft.auth === 'token' ? (
                      <TextField
                        label={t('channels.token')}
                        name="token"
                        type="password"
                        autoComplete="new-password"
                        value={draft.token}
                        placeholder={tokenKept ? t('channels.tokenKeepPlaceholder') : ''}
                        hint={tokenKept ? t('channels.tokenKeepHint') : t('channels.tokenHint')}
                        error={errors['/token']}
                        onChange={(e) => set('token', e.target.value, '/token')}
                      />
                    ) : (
                      <div className="field-hint">{t('channels.authNoneHint')}</div>
                    )}
                  </div>
                </div>
                <div className="form-row form-row-3">
                  <TextField
                    label={t('channels.batchSize')}
                    name="batch_size"
                    type="number"
                    min={1}
                    max={500}
                    value={draft.batchSize}
                    hint={t('channels.batchSizeHint')}
                    error={errors['/batch_size']}
                    onChange={(e) => set('batchSize', e.target.value, '/batch_size')}
                  />
                  <TextField
                    label={t('channels.rateLimit')}
                    name="rate_limit"
                    type="number"
                    min={-1}
                    max={10000}
                    value={draft.rateLimit}
                    hint={t('channels.rateLimitHint')}
                    error={errors['/rate_limit']}
                    onChange={(e) => set('rateLimit', e.target.value, '/rate_limit')}
                  />
                  <TextField
                    label={t('channels.timeout')}
                    name="timeout_s"
                    type="number"
                    min={-1}
                    max={3600}
                    value={draft.timeoutS}
                    hint={t('channels.timeoutHint')}
                    error={errors['/timeout_s']}
                    onChange={(e) => set('timeoutS', e.target.value, '/timeout_s')}
                  />
                </div>
                <div className="switch-grid">
                  {(
                    [
                      ['compression', 'channels.compression', 'channels.compressionHint', '/compression'],
                      [
                        'strictResponse',
                        'channels.strictResponse',
                        'channels.strictResponseHint',
                        '/strict_response',
                      ],
                      [
                        'retryFailedItems',
                        'channels.retryFailed',
                        'channels.retryFailedHint',
                        '/retry_failed_items',
                      ],
                      ['signatureV2', 'channels.signatureV2', 'channels.signatureV2Hint', '/signature_v2'],
                    ] as const
                  ).map(([key, label, hint, path]) => (
                    <div className="switch-card" key={key}>
                      <Switch
                        label={t(label)}
                        name={path.slice(1)}
                        checked={draft[key]}
                        onChange={(e) => set(key, e.target.checked, path)}
                      />
                      <div className="field-hint">{t(hint)}</div>
                      <FieldMessage error={errors[path]} />
                    </div>
                  ))}
                </div>
              </FormSection>

              <FormSection
                n={3}
                title={t('channels.sectionTemplate')}
                description={t('channels.sectionTemplateText')}
              >
                <TemplateBuilder
                  fields={draft.template}
                  onChange={(template) => setDraft((d) => ({ ...d, template }))}
                  errors={errors}
                  clearErrors={clearErrors}
                  token={draft.auth === 'token' && draft.token ? draft.token : undefined}
                />
              </FormSection>

              <FormSection
                n={4}
                title={t('channels.sectionParams')}
                description={t('channels.sectionParamsText')}
              >
                <div className="pair-list" data-testid="custom-params">
                  {draft.customParams.length > 0 ? (
                    <div className="pair-head" aria-hidden="true">
                      <span>{t('channels.paramKey')}</span>
                      <span>{t('channels.paramProperty')}</span>
                      <span>{t('channels.paramDefault')}</span>
                    </div>
                  ) : null}
                  {draft.customParams.map((p, i) => {
                    const at = `/custom_params/${i}`;
                    const owner = t('channels.paramN', { n: i + 1 });
                    const setParam = (patch: Partial<ParamDraft>) => {
                      setDraft((d) => ({
                        ...d,
                        customParams: d.customParams.map((x, j) => (j === i ? { ...x, ...patch } : x)),
                      }));
                      clearErrors(at);
                    };
                    return (
                      <div className="pair-row" key={p.uid}>
                        <input
                          className="input input-sm mono"
                          aria-label={t('channels.keyOf', { owner })}
                          placeholder="gameuid"
                          value={p.key}
                          aria-invalid={errors[`${at}/key`] ? true : undefined}
                          onChange={(e) => setParam({ key: e.target.value })}
                        />
                        <input
                          className="input input-sm mono"
                          aria-label={t('channels.propertyOf', { owner })}
                          placeholder="nickname"
                          list="channel-id-types"
                          value={p.property}
                          aria-invalid={errors[`${at}/property`] ? true : undefined}
                          onChange={(e) => setParam({ property: e.target.value })}
                        />
                        <input
                          className="input input-sm"
                          aria-label={t('channels.defaultOf', { owner })}
                          placeholder={t('channels.paramDefaultPlaceholder')}
                          value={p.defaultValue}
                          onChange={(e) => setParam({ defaultValue: e.target.value })}
                        />
                        <Button
                          variant="ghost"
                          size="sm"
                          iconOnly
                          icon={<IconX />}
                          aria-label={t('channels.removeOf', { owner })}
                          title={t('common.remove')}
                          onClick={() => {
                            setDraft((d) => ({
                              ...d,
                              customParams: d.customParams.filter((_, j) => j !== i),
                            }));
                            clearErrors('/custom_params');
                          }}
                        />
                        <FieldMessage error={errors[`${at}/key`] ?? errors[`${at}/property`]} />
                      </div>
                    );
                  })}
                  <FieldMessage error={errors['/custom_params']} />
                  <div>
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={<IconPlus />}
                      onClick={() =>
                        setDraft((d) => ({
                          ...d,
                          customParams: [
                            ...d.customParams,
                            { uid: uid(), key: '', property: '', defaultValue: '' },
                          ],
                        }))
                      }
                    >
                      {t('channels.addParam')}
                    </Button>
                  </div>
                </div>
              </FormSection>

              <FormSection
                n={5}
                title={t('channels.sectionFunnel')}
                description={t('channels.sectionFunnelText')}
              >
                <div className="pair-list pair-list-2" data-testid="receipt-funnel">
                  {draft.receiptFunnel.map((s, i) => {
                    const at = `/receipt_funnel/${i}`;
                    const owner = t('channels.stepN', { n: i + 1 });
                    const setStep = (patch: Partial<StepDraft>) => {
                      setDraft((d) => ({
                        ...d,
                        receiptFunnel: d.receiptFunnel.map((x, j) => (j === i ? { ...x, ...patch } : x)),
                      }));
                      clearErrors(at);
                    };
                    return (
                      <div className="pair-row" key={s.uid}>
                        <span className="step-index" aria-hidden="true">
                          {i + 1}
                        </span>
                        <input
                          className="input input-sm"
                          aria-label={t('channels.labelOf', { owner })}
                          placeholder={t('channels.stepLabelPlaceholder')}
                          value={s.label}
                          aria-invalid={errors[`${at}/label`] ? true : undefined}
                          onChange={(e) => setStep({ label: e.target.value })}
                        />
                        <input
                          className="input input-sm mono"
                          aria-label={t('channels.eventOf', { owner })}
                          placeholder="ops_push_open"
                          value={s.event}
                          aria-invalid={errors[`${at}/event`] ? true : undefined}
                          onChange={(e) => setStep({ event: e.target.value })}
                        />
                        <Button
                          variant="ghost"
                          size="sm"
                          iconOnly
                          icon={<IconX />}
                          aria-label={t('channels.removeOf', { owner })}
                          title={t('common.remove')}
                          onClick={() => {
                            setDraft((d) => ({
                              ...d,
                              receiptFunnel: d.receiptFunnel.filter((_, j) => j !== i),
                            }));
                            clearErrors('/receipt_funnel');
                          }}
                        />
                        <FieldMessage error={errors[`${at}/label`] ?? errors[`${at}/event`]} />
                      </div>
                    );
                  })}
                  <FieldMessage error={errors['/receipt_funnel']} />
                  <div>
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={<IconPlus />}
                      onClick={() =>
                        setDraft((d) => ({
                          ...d,
                          receiptFunnel: [...d.receiptFunnel, { uid: uid(), label: '', event: '' }],
                        }))
                      }
                    >
                      {t('channels.addStep')}
                    </Button>
                  </div>
                </div>
              </FormSection>
            </fieldset>
            {formError ? <Alert tone="error">{formError}</Alert> : null}
            <div className="row row-end">
              <Button
                onClick={() =>
                  navigate(channel ? channelPath(projectId, channel.id) : channelsPath(projectId))
                }
                disabled={busy}
              >
                {t('common.cancel')}
              </Button>
              <Button type="submit" variant="primary" loading={busy} disabled={locked} icon={<IconChannel />}>
                {editing ? t('common.saveChanges') : t('connections.createChannel')}
              </Button>
            </div>
          </form>
        </Card>
        <HowToCard area="channels">
          <pre className="json channel-sample" aria-label={t('channels.sampleBody')}>
            {JSON.stringify(
              [
                {
                  push_id: 'r-1001',
                  params: Object.fromEntries(
                    (draft.template.length > 0 ? draft.template : [{ key: 'title' }]).map((f) => [
                      f.key || '…',
                      '…',
                    ]),
                  ),
                  custom_params: Object.fromEntries(draft.customParams.map((p) => [p.key || '…', '…'])),
                  '#ops_receipt_properties': { ops_request_id: '…' },
                },
              ],
              null,
              2,
            )}
          </pre>
        </HowToCard>
      </div>
      {lifecycle.dialogs}
    </>
  );
}

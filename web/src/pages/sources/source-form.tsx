import { useMemo, useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import {
  appTypes,
  platformNames,
  platformsByAppType,
  type App,
  type AppType,
  type PlatformConfig,
  type PlatformName,
} from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { timeZones } from '../../time-zones.ts';
import { Button } from '../../ui/button.tsx';
import { Dialog, type DialogControl } from '../../ui/dialog.tsx';
import { Alert, Card, PageHeader } from '../../ui/display.tsx';
import { describeError, fieldErrorsOf, useFieldErrors } from '../../ui/errors.ts';
import { FieldMessage, SelectField, Switch, TextAreaField, TextField } from '../../ui/field.tsx';
import { IconDatabase, IconPlus } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { HowToCard } from '../connections/connection-details.tsx';
import { AppTypeIcon, sourcePath, sourcesPath, useApps } from './source-common.tsx';

/** The platform part of a source form: which platforms, web origins, server secret rule. */
export interface PlatformDraft {
  readonly platforms: readonly PlatformName[];
  /** One origin per line. */
  readonly origins: string;
  readonly requireSecret: boolean;
}

export function draftOf(platforms: readonly PlatformConfig[]): PlatformDraft {
  return {
    platforms: platforms.map((p) => p.platform),
    origins: (platforms.find((p) => p.platform === 'web')?.origins ?? []).join('\n'),
    requireSecret: platforms.find((p) => p.platform === 'server')?.require_secret ?? false,
  };
}

export function platformsOf(draft: PlatformDraft): PlatformConfig[] {
  return platformNames
    .filter((p) => draft.platforms.includes(p))
    .map((platform) => {
      if (platform === 'web')
        return {
          platform,
          origins: draft.origins
            .split(/[\s,]+/)
            .map((o) => o.trim())
            .filter(Boolean),
        };
      if (platform === 'server') return { platform, require_secret: draft.requireSecret };
      return { platform };
    });
}

/**
 * Inline errors of a source form from an API answer: `details.issues[].path` such as
 * `/platforms/0/origins/1` lands under the origins field, naming the origin that was refused.
 */
export function sourceFieldErrors(
  error: unknown,
  t: Translate,
  sent: readonly PlatformConfig[],
): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  if (error.code === 'TP_ERR_SOURCE_PLATFORM_NOT_ALLOWED')
    return { platforms: t('errors.TP_ERR_SOURCE_PLATFORM_NOT_ALLOWED') };
  const out: Record<string, string> = {};
  const generic = fieldErrorsOf(error, t);
  for (const issue of error.issues) {
    if (issue.in !== 'body') continue;
    const [field, index, sub, item] = issue.path.split('/').filter(Boolean);
    if (field !== 'platforms') {
      if (field && generic[field] && !out[field]) out[field] = generic[field];
      continue;
    }
    const config = sent[Number(index)];
    if (sub === 'origins' && !out.origins)
      out.origins =
        item !== undefined
          ? t('sources.originInvalid', { origin: config?.origins?.[Number(item)] ?? '' })
          : t('sources.originsRequired');
    else if (sub === 'require_secret' && !out.requireSecret) out.requireSecret = issue.message;
    else if (!out.platforms) out.platforms = generic.platforms ?? issue.message;
  }
  return out;
}

export function PlatformFields({
  appType,
  draft,
  onChange,
  errors,
}: {
  appType: AppType | undefined;
  draft: PlatformDraft;
  onChange: (draft: PlatformDraft, field: string) => void;
  errors: Record<string, string>;
}) {
  const { t } = useI18n();
  const allowed = appType ? platformsByAppType[appType] : [];
  return (
    <>
      <fieldset className="field fieldset">
        <legend className="field-label">{t('sources.platforms')}</legend>
        {appType ? (
          <div className="platform-grid" aria-invalid={errors.platforms ? true : undefined}>
            {allowed.map((p) => (
              <label className="platform-option" key={p}>
                <input
                  type="checkbox"
                  name="platforms"
                  value={p}
                  checked={draft.platforms.includes(p)}
                  onChange={(e) =>
                    onChange(
                      {
                        ...draft,
                        platforms: e.target.checked
                          ? [...draft.platforms, p]
                          : draft.platforms.filter((x) => x !== p),
                      },
                      'platforms',
                    )
                  }
                />
                <span>
                  <strong>{t(`platform.${p}`)}</strong>
                  <span className="cell-sub">{t(`platform.${p}.hint`)}</span>
                </span>
              </label>
            ))}
          </div>
        ) : (
          <div className="field-hint">{t('sources.pickAppFirst')}</div>
        )}
        <FieldMessage
          error={errors.platforms}
          hint={appType ? t('sources.platformsHint', { type: t(`appType.${appType}`) }) : undefined}
        />
      </fieldset>
      {draft.platforms.includes('web') ? (
        <TextAreaField
          label={t('sources.origins')}
          name="origins"
          rows={3}
          value={draft.origins}
          placeholder="https://www.example.com"
          hint={t('sources.originsHint')}
          error={errors.origins}
          onChange={(e) => onChange({ ...draft, origins: e.target.value }, 'origins')}
        />
      ) : null}
      {draft.platforms.includes('server') ? (
        <div className="field">
          <Switch
            label={t('sources.requireSecret')}
            name="require_secret"
            checked={draft.requireSecret}
            onChange={(e) => onChange({ ...draft, requireSecret: e.target.checked }, 'requireSecret')}
          />
          <FieldMessage error={errors.requireSecret} hint={t('sources.requireSecretHint')} />
        </div>
      ) : null}
    </>
  );
}

export function TimeZoneField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (zone: string) => void;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  const { project } = useProject();
  const zones = useMemo(timeZones, []);
  return (
    <SelectField
      label={t('sources.timeZone')}
      name="time_zone"
      value={value}
      error={error}
      hint={t('sources.timeZoneHint')}
      onChange={(e) => onChange(e.target.value)}
      options={[
        { value: '', label: t('sources.projectZone', { zone: project?.time_zone ?? 'UTC' }) },
        ...zones.map((z) => ({ value: z, label: z })),
      ]}
    />
  );
}

/** "New app" inside the create flow: a name and a type that never changes afterwards. */
export function NewAppDialog({
  open,
  onClose,
  onCreated,
}: DialogControl & {
  onCreated: (app: App) => void;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [name, setName] = useState('');
  const [type, setType] = useState<AppType>('app');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setName('');
    setType('app');
    setErrors({});
    setError(null);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    event.stopPropagation();
    if (!name.trim()) {
      setErrors({ name: t('validation.required') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const app = await api.createApp({ projectId }, { name: name.trim(), app_type: type });
      setBusy(false);
      onCreated(app);
      close();
    } catch (e) {
      const fields = fieldErrorsOf(e, t);
      if (e instanceof ApiError && e.code === 'TP_ERR_TENANCY_NAME_TAKEN') fields.name = describeError(e, t);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(describeError(e, t));
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={busy}
      title={t('apps.createTitle')}
      description={t('apps.createDescription')}
      icon={<IconPlus />}
    >
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('apps.createTitle')}>
        {error ? <Alert tone="error">{error}</Alert> : null}
        <TextField
          label={t('apps.name')}
          name="app_name"
          value={name}
          placeholder={t('apps.namePlaceholder')}
          error={errors.name}
          onChange={(e) => {
            setName(e.target.value);
            clearError('name');
          }}
        />
        <fieldset className="field fieldset">
          <legend className="field-label">{t('apps.type')}</legend>
          <div className="choice-grid">
            {appTypes.map((a) => (
              <label className="choice" key={a}>
                <input
                  type="radio"
                  name="app_type"
                  value={a}
                  checked={type === a}
                  onChange={() => setType(a)}
                />
                <span className="choice-icon">
                  <AppTypeIcon type={a} />
                </span>
                <span>
                  <strong>{t(`appType.${a}`)}</strong>
                  <span className="cell-sub">{t(`appType.${a}.hint`)}</span>
                </span>
              </label>
            ))}
          </div>
          <div className="field-hint">{t('apps.typeImmutable')}</div>
        </fieldset>
        <div className="row row-end">
          <Button onClick={close} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" loading={busy}>
            {t('apps.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Create a data source: pick the app (or create it here), its platforms, then name and zone. */
export function SourceCreatePage() {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const { apps, reload } = useApps();
  const [appId, setAppId] = useState('');
  const [draft, setDraft] = useState<PlatformDraft>({ platforms: [], origins: '', requireSecret: false });
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState('');
  const [creatingApp, setCreatingApp] = useState(false);
  const [errors, setErrors, clearError] = useFieldErrors();
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const app = apps.find((a) => a.id === appId);

  const chooseApp = (id: string) => {
    setAppId(id);
    clearError('app_id');
    const next = apps.find((a) => a.id === id);
    // Keep only the platforms the new app's type allows.
    if (next)
      setDraft((d) => ({
        ...d,
        platforms: d.platforms.filter((p) => platformsByAppType[next.app_type].includes(p)),
      }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!appId) local.app_id = t('sources.appRequired');
    if (draft.platforms.length === 0) local.platforms = t('sources.platformsRequired');
    if (!name.trim()) local.name = t('validation.required');
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) return;
    const platforms = platformsOf(draft);
    setBusy(true);
    try {
      const created = await api.createSource(
        { projectId },
        { name: name.trim(), app_id: appId, platforms, ...(timeZone ? { time_zone: timeZone } : {}) },
      );
      toast.success(t('sources.created', { name: created.name }));
      navigate(sourcePath(projectId, created.id));
    } catch (e) {
      const fields = sourceFieldErrors(e, t, platforms);
      setErrors(fields);
      setFormError(Object.keys(fields).length > 0 ? null : describeError(e, t));
      setBusy(false);
    }
  };

  if (!can('source.manage')) return <Alert tone="info">{t('sources.noManagePermission')}</Alert>;
  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link to={sourcesPath(projectId)}>{t('connections.tabSources')}</Link> /
          </>
        }
        title={t('sources.createTitle')}
        description={t('sources.createDescription')}
      />
      <div className="split">
        <Card title={t('sources.createTitle')}>
          <form
            className="form"
            onSubmit={(e) => void submit(e)}
            noValidate
            aria-label={t('sources.createTitle')}
          >
            {formError ? <Alert tone="error">{formError}</Alert> : null}
            <div className="form-step">
              <span className="form-step-number">1</span>
              <div className="form-step-body">
                <div className="app-picker">
                  <SelectField
                    label={t('sources.app')}
                    name="app_id"
                    value={appId}
                    error={errors.app_id}
                    hint={
                      apps.length === 0
                        ? t('sources.noAppsHint')
                        : app
                          ? t('sources.appTypeFixed', { type: t(`appType.${app.app_type}`) })
                          : t('sources.appHint')
                    }
                    onChange={(e) => chooseApp(e.target.value)}
                    options={[
                      { value: '', label: t('sources.chooseApp') },
                      ...apps.map((a) => ({
                        value: a.id,
                        label: `${a.name} (${t(`appType.${a.app_type}`)})`,
                      })),
                    ]}
                  />
                  <Button icon={<IconPlus />} onClick={() => setCreatingApp(true)}>
                    {t('apps.new')}
                  </Button>
                </div>
              </div>
            </div>
            <div className="form-step">
              <span className="form-step-number">2</span>
              <div className="form-step-body form">
                <PlatformFields
                  appType={app?.app_type}
                  draft={draft}
                  errors={errors}
                  onChange={(next, field) => {
                    setDraft(next);
                    clearError(field);
                  }}
                />
              </div>
            </div>
            <div className="form-step">
              <span className="form-step-number">3</span>
              <div className="form-step-body form-row">
                <TextField
                  label={t('sources.name')}
                  name="name"
                  value={name}
                  maxLength={50}
                  placeholder={t('sources.namePlaceholder')}
                  error={errors.name}
                  onChange={(e) => {
                    setName(e.target.value);
                    clearError('name');
                  }}
                />
                <TimeZoneField
                  value={timeZone}
                  error={errors.time_zone}
                  onChange={(z) => {
                    setTimeZone(z);
                    clearError('time_zone');
                  }}
                />
              </div>
            </div>
            <div className="row row-end">
              <Button onClick={() => navigate(sourcesPath(projectId))} disabled={busy}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" variant="primary" loading={busy} icon={<IconDatabase />}>
                {t('connections.createSource')}
              </Button>
            </div>
          </form>
        </Card>
        <HowToCard area="sources" />
      </div>
      <NewAppDialog
        open={creatingApp}
        onClose={() => setCreatingApp(false)}
        onCreated={(created) => {
          toast.success(t('apps.created', { name: created.name }));
          reload();
          setAppId(created.id);
          clearError('app_id');
          setDraft((d) => ({
            ...d,
            platforms: d.platforms.filter((p) => platformsByAppType[created.app_type].includes(p)),
          }));
        }}
      />
    </>
  );
}

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { App, DataSource, IntegrationPrompt } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { ConfirmDialog, type DialogControl } from '../../ui/dialog.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { Alert, Badge, Card } from '../../ui/display.tsx';
import { describeError, fieldErrorsOf, useFieldErrors } from '../../ui/errors.ts';
import { FieldMessage, TextField } from '../../ui/field.tsx';
import { IconEdit, IconEye, IconEyeOff, IconPulse, IconRotate, IconSearch } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import {
  ConnectionHeader,
  CopyValue,
  SecretOnce,
  SecretOnceDialog,
  useConnectionDetails,
} from '../connections/connection-details.tsx';
import {
  AppTypeIcon,
  PlatformList,
  promptTitle,
  ReportingBadge,
  sourcePath,
  sourceSpec,
  useApps,
} from './source-common.tsx';
import {
  PlatformFields,
  TimeZoneField,
  draftOf,
  platformsOf,
  sourceFieldErrors,
  type PlatformDraft,
} from './source-form.tsx';

/** The master secret: masked; Reveal (with `source.secret.reveal`), Copy once revealed, Rotate. */
function MasterSecret({ source, onRotated }: { source: DataSource; onRotated: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const [revealed, setRevealed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rotating, setRotating] = useState(false);
  const [rotated, setRotated] = useState<string | null>(null);
  const mayReveal = can('source.secret.reveal');
  useEffect(() => {
    setRevealed(null);
    setError(null);
  }, [source.credentials.master_secret]);

  const reveal = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.revealSourceSecret({ projectId, sourceId: source.id });
      setRevealed(answer.master_secret);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 403 ? t('sources.revealForbidden') : describeError(e, t),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div className="secret" data-testid="master-secret">
        <span
          className={`secret-value${revealed ? '' : ' masked'}`}
          data-testid="master-secret-value"
          aria-label={revealed ? undefined : t('secret.masked', { label: t('sources.masterSecret') })}
        >
          {revealed ?? source.credentials.master_secret}
        </span>
        <Button
          variant="ghost"
          size="sm"
          icon={revealed ? <IconEyeOff /> : <IconEye />}
          loading={busy}
          disabled={!mayReveal && !revealed}
          aria-pressed={revealed !== null}
          title={mayReveal ? undefined : t('sources.revealNeedsPermission')}
          onClick={() => (revealed ? setRevealed(null) : void reveal())}
        >
          {revealed ? t('secret.hide') : t('secret.reveal')}
        </Button>
        {revealed ? (
          <CopyButton value={revealed} label={t('secret.copy', { label: t('sources.masterSecret') })} />
        ) : null}
        {can('source.manage') ? (
          <Button variant="ghost" size="sm" icon={<IconRotate />} onClick={() => setRotating(true)}>
            {t('sources.rotate')}
          </Button>
        ) : null}
      </div>
      <FieldMessage
        error={error}
        hint={mayReveal ? t('sources.secretHint') : t('sources.revealNeedsPermission')}
      />
      <ConfirmDialog
        open={rotating}
        onClose={() => setRotating(false)}
        title={t('sources.rotateTitle', { name: source.name })}
        consequences={[t('sources.rotateStops1'), t('sources.rotateStops2'), t('sources.rotateStops3')]}
        confirmLabel={t('sources.rotateConfirm')}
        onConfirm={async () => {
          const answer = await api.rotateSourceSecret({ projectId, sourceId: source.id });
          setRotated(answer.master_secret);
          toast.success(t('sources.rotated'));
          onRotated();
        }}
      />
      <SecretOnceDialog
        value={rotated}
        onClose={() => setRotated(null)}
        title={t('sources.rotatedTitle')}
        done={t('sources.rotatedDone')}
      >
        {(value) =>
          /^\*+$/.test(value) ? (
            <Alert tone="info">{t('sources.rotatedHidden')}</Alert>
          ) : (
            <SecretOnce
              warning={t('sources.rotatedOnce')}
              label={t('sources.newMasterSecret')}
              value={value}
            />
          )
        }
      </SecretOnceDialog>
    </>
  );
}

/** Tabs per integration prompt (a platform may have two, e.g. server: Node.js and curl). */
function IntegrationTabs({ prompts }: { prompts: readonly IntegrationPrompt[] }) {
  const { t } = useI18n();
  const [current, setCurrent] = useState(0);
  const base = useId();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = (current + step + prompts.length) % prompts.length;
    setCurrent(next);
    tabs.current[next]?.focus();
  };
  const prompt = prompts[current] ?? prompts[0];
  if (!prompt) return <p className="muted">{t('sources.noPrompts')}</p>;
  return (
    <div className="code-tabs">
      <div
        className="segmented"
        role="tablist"
        aria-label={t('sources.integrationTitle')}
        onKeyDown={onKeyDown}
      >
        {prompts.map((p, i) => (
          <button
            key={`${p.platform}-${i}`}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${i}`}
            aria-selected={i === current}
            aria-controls={`${base}-panel`}
            tabIndex={i === current ? 0 : -1}
            onClick={() => setCurrent(i)}
          >
            {promptTitle(p, t)}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${base}-panel`}
        aria-labelledby={`${base}-tab-${current}`}
        className="code-panel"
      >
        <div className="code-head">
          <span className="code-lang">{prompt.language}</span>
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
    </div>
  );
}

function EditSourceDialog({
  source,
  app,
  onSaved,
  ...control
}: DialogControl & {
  source: DataSource;
  app: App | undefined;
  onSaved: (source: DataSource) => void;
}) {
  const { open } = control;
  const { t } = useI18n();
  const { projectId } = useProject();
  const [name, setName] = useState(source.name);
  const [draft, setDraft] = useState<PlatformDraft>(() => draftOf(source.platforms));
  const [timeZone, setTimeZone] = useState(source.time_zone ?? '');
  const [errors, setErrors, clearError] = useFieldErrors();
  useEffect(() => {
    if (!open) return;
    setName(source.name);
    setDraft(draftOf(source.platforms));
    setTimeZone(source.time_zone ?? '');
    setErrors({});
  }, [open, source, setErrors]);

  const submit = async () => {
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = t('validation.required');
    if (draft.platforms.length === 0) local.platforms = t('sources.platformsRequired');
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    const platforms = platformsOf(draft);
    try {
      const saved = await api.updateSource(
        { projectId, sourceId: source.id },
        { name: name.trim(), platforms, time_zone: timeZone || null },
      );
      onSaved(saved);
    } catch (e) {
      const fields = sourceFieldErrors(e, t, platforms);
      setErrors(fields);
      if (Object.keys(fields).length === 0) throw e;
    }
  };
  return (
    <FormDialog
      {...control}
      size="lg"
      title={t('sources.editTitle', { name: source.name })}
      description={t('sources.editDescription')}
      submitLabel={t('common.saveChanges')}
      onSubmit={submit}
    >
      <div className="form-row">
        <TextField
          label={t('sources.name')}
          name="name"
          value={name}
          maxLength={50}
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
      <div className="field">
        <span className="field-label">{t('sources.app')}</span>
        <div className="readonly-value">
          <AppTypeIcon type={app?.app_type} />
          <span>{app ? `${app.name} · ${t(`appType.${app.app_type}`)}` : source.app_id}</span>
        </div>
        <div className="field-hint">{t('sources.appFixed')}</div>
      </div>
      <PlatformFields
        appType={app?.app_type}
        draft={draft}
        errors={errors}
        onChange={(next, field) => {
          setDraft(next);
          clearError(field);
        }}
      />
    </FormDialog>
  );
}

/** Rename an app. Its type is shown, never editable: the API refuses a change. */
export function RenameAppDialog({
  app,
  open,
  onClose,
  onSaved,
}: DialogControl & {
  app: App;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId } = useProject();
  const [name, setName] = useState(app.name);
  const [errors, setErrors, clearError] = useFieldErrors();
  useEffect(() => {
    if (!open) return;
    setName(app.name);
    setErrors({});
  }, [open, app, setErrors]);
  const submit = async () => {
    if (!name.trim()) {
      setErrors({ name: t('validation.required') });
      return;
    }
    try {
      await api.updateApp({ projectId, appId: app.id }, { name: name.trim() });
    } catch (e) {
      const fields = fieldErrorsOf(e, t);
      setErrors(fields);
      if (!fields.name) throw e;
      return;
    }
    toast.success(t('apps.renamed', { name: name.trim() }));
    onSaved();
    onClose();
  };
  return (
    <FormDialog open={open} onClose={onClose} title={t('apps.renameTitle')} onSubmit={submit}>
      <TextField
        label={t('apps.name')}
        name="app_name"
        value={name}
        error={errors.name}
        onChange={(e) => {
          setName(e.target.value);
          clearError('name');
        }}
      />
      <div className="field">
        <span className="field-label">{t('apps.type')}</span>
        <div className="readonly-value" data-testid="app-type">
          <AppTypeIcon type={app.app_type} />
          <span>{t(`appType.${app.app_type}`)}</span>
        </div>
        <div className="field-hint">{t('apps.typeImmutable')}</div>
      </div>
    </FormDialog>
  );
}

/** A data source's details: credentials, configuration, lifecycle and integration prompts. */
export function SourceDetailsPage({ sourceId }: { sourceId: string }) {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId } = useProject();
  const { byId, reload: reloadApps } = useApps();
  const connection = useConnectionDetails(sourceSpec, sourceId);
  const { item: source, reload, fallback, lifecycle } = connection;
  const [editing, setEditing] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const manage = lifecycle.manage;

  if (fallback || !source) return fallback;
  const app = byId(source.app_id);
  const details = sourcePath(projectId, source.id);
  return (
    <>
      <ConnectionHeader
        details={connection}
        item={source}
        badge={<ReportingBadge source={source} />}
        description={app ? `${app.name} · ${t(`appType.${app.app_type}`)}` : undefined}
        actions={
          <>
            <Link className="btn btn-secondary" to={`${details}/verify`}>
              <IconPulse />
              {t('sources.verify')}
            </Link>
            <Link className="btn btn-secondary" to={`${details}/events`}>
              <IconSearch />
              {t('sources.viewEvents')}
            </Link>
          </>
        }
        onEdit={() => setEditing(true)}
      />
      <div className="details-grid">
        <Card title={t('sources.credentialsTitle')} subtitle={t('sources.credentialsSubtitle')}>
          <dl className="kv kv-wide">
            <dt>{t('sources.sourceId')}</dt>
            <dd>
              <CopyValue value={source.credentials.data_source_id} label={t('sources.copySourceId')} />
            </dd>
            <dt>{t('sources.appKey')}</dt>
            <dd>
              <CopyValue value={source.credentials.app_key} label={t('sources.copyAppKey')} />
            </dd>
            <dt>{t('sources.masterSecret')}</dt>
            <dd>
              <MasterSecret source={source} onRotated={reload} />
            </dd>
            <dt>{t('sources.scheme')}</dt>
            <dd>
              {source.credentials.scheme ? (
                <CopyValue value={source.credentials.scheme} label={t('sources.copyScheme')} />
              ) : (
                <span className="muted">{t('sources.noScheme')}</span>
              )}
            </dd>
          </dl>
        </Card>
        <Card
          title={t('sources.configTitle')}
          actions={
            manage ? (
              <Button size="sm" variant="ghost" icon={<IconEdit />} onClick={() => setEditing(true)}>
                {t('common.edit')}
              </Button>
            ) : null
          }
        >
          <dl className="kv">
            <dt>{t('sources.app')}</dt>
            <dd className="row">
              <span>
                {app ? app.name : source.app_id} {app ? <Badge>{t(`appType.${app.app_type}`)}</Badge> : null}
              </span>
              {manage && app ? (
                <Button size="sm" variant="ghost" onClick={() => setRenaming(true)}>
                  {t('apps.rename')}
                </Button>
              ) : null}
            </dd>
            <dt>{t('sources.platforms')}</dt>
            <dd>
              <PlatformList source={source} />
              {source.platforms.map((p) =>
                p.platform === 'web' ? (
                  <div className="cell-sub" key="web">
                    {t('sources.originsList', { origins: (p.origins ?? []).join(', ') })}
                  </div>
                ) : p.platform === 'server' ? (
                  <div className="cell-sub" key="server">
                    {p.require_secret ? t('sources.secretRequired') : t('sources.secretOptional')}
                  </div>
                ) : null,
              )}
            </dd>
            <dt>{t('sources.timeZone')}</dt>
            <dd>
              {source.effective_time_zone}
              {source.time_zone === null ? (
                <span className="muted"> · {t('sources.projectDefault')}</span>
              ) : null}
            </dd>
            <dt>{t('sources.lastEvent')}</dt>
            <dd>{source.last_event_at ? formatTime(source.last_event_at) : t('sources.noEventYet')}</dd>
            <dt>{t('sources.events24h')}</dt>
            <dd>{source.events_24h.toLocaleString()}</dd>
            <dt>{t('common.created')}</dt>
            <dd>{formatTime(source.created_at)}</dd>
          </dl>
        </Card>
      </div>
      <Card title={t('sources.integrationTitle')} subtitle={t('sources.integrationSubtitle')}>
        <IntegrationTabs prompts={source.integration ?? []} />
      </Card>
      {lifecycle.dialogs}
      <EditSourceDialog
        source={source}
        app={app}
        open={editing}
        onClose={() => setEditing(false)}
        onSaved={(saved) => {
          setEditing(false);
          toast.success(t('sources.saved', { name: saved.name }));
          reload();
        }}
      />
      {app ? (
        <RenameAppDialog app={app} open={renaming} onClose={() => setRenaming(false)} onSaved={reloadApps} />
      ) : null}
    </>
  );
}

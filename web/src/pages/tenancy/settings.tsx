import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../../api/client.ts';
import type { Project, Workspace } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { timeZones } from '../../time-zones.ts';
import { useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Alert, Badge, Card, EmptyState, PageHeader, Tabs } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { SelectField, Switch, TextField } from '../../ui/field.tsx';
import { IconEdit, IconLayers, IconPlus } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { AuditPage } from './audit.tsx';
import { IdTypeSettingsPage } from '../profiles/id-type-settings.tsx';
import { DeliveryRulesPage } from '../consent/delivery-rules.tsx';
import { TokensPage } from './tokens.tsx';

export type SettingsTab = 'general' | 'workspaces' | 'delivery-rules' | 'id-types' | 'tokens' | 'audit';

function GeneralSettings() {
  const { t } = useI18n();
  const { project } = useProject();
  if (!project)
    return (
      <Card title={t('settings.generalTitle')}>
        <span className="row">
          <span className="spinner" aria-hidden="true" /> {t('common.loading')}
        </span>
      </Card>
    );
  // Keyed by project: the form starts from the loaded values and is never reset under the user.
  return <GeneralSettingsForm key={project.id} project={project} />;
}

function GeneralSettingsForm({ project }: { project: Project }) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can, reload } = useProject();
  const [name, setName] = useState(project.name);
  const [timeZone, setTimeZone] = useState(project.time_zone);
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const zones = useMemo(timeZones, []);
  const editable = can('project.manage');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = t('validation.required');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await api.updateProject({ projectId }, { name: name.trim(), time_zone: timeZone });
      toast.success(t('settings.saved'));
      reload();
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const zoneOptions = (zones.includes(timeZone) ? zones : [timeZone, ...zones]).map((z) => ({
    value: z,
    label: z,
  }));
  const formError = formErrorOf(error, t, ['name', 'time_zone']);
  return (
    <Card title={t('settings.generalTitle')} subtitle={t('settings.generalSubtitle')}>
      <form
        className="form settings-form"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={t('settings.generalTitle')}
      >
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        {!editable ? <Alert tone="info">{t('settings.readOnly')}</Alert> : null}
        <div className="field">
          <span className="field-label">{t('settings.projectId')}</span>
          <div className="row">
            <code data-testid="project-id">{projectId}</code>
            <CopyButton value={String(projectId)} label={t('settings.copyProjectId')} />
          </div>
          <span className="field-hint">{t('settings.projectIdHint')}</span>
        </div>
        <TextField
          label={t('settings.name')}
          name="name"
          value={name}
          disabled={!editable}
          onChange={(e) => {
            setName(e.target.value);
            clearError('name');
          }}
          error={errors.name}
        />
        <SelectField
          label={t('settings.timeZone')}
          name="time_zone"
          value={timeZone}
          disabled={!editable}
          onChange={(e) => {
            setTimeZone(e.target.value);
            clearError('time_zone');
          }}
          error={errors.time_zone}
          hint={t('settings.timeZoneHint')}
          options={zoneOptions}
        />
        {editable ? (
          <div className="row">
            <Button type="submit" variant="primary" loading={busy}>
              {t('common.saveChanges')}
            </Button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}

function WorkspaceForm({
  workspace,
  onDone,
}: {
  workspace: Workspace | null;
  onDone: (saved: boolean) => void;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [name, setName] = useState(workspace?.name ?? '');
  const [requireApproval, setRequireApproval] = useState(workspace?.require_approval ?? false);
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setErrors({ name: t('validation.required') });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim(), require_approval: requireApproval };
      if (workspace) await api.updateWorkspace({ projectId, workspaceId: workspace.id }, body);
      else await api.createWorkspace({ projectId }, body);
      onDone(true);
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
      setBusy(false);
    }
  };
  const formError = formErrorOf(error, t, ['name', 'require_approval']);
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('workspaces.formLabel')}>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <TextField
        label={t('workspaces.name')}
        name="name"
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          clearError('name');
        }}
        error={errors.name}
      />
      <Switch
        label={t('workspaces.requireApproval')}
        checked={requireApproval}
        onChange={(e) => setRequireApproval(e.target.checked)}
      />
      <p className="field-hint">{t('workspaces.requireApprovalHint')}</p>
      <div className="row row-end">
        <Button onClick={() => onDone(false)} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" loading={busy}>
          {workspace ? t('common.save') : t('workspaces.create')}
        </Button>
      </div>
    </form>
  );
}

function WorkspaceSettings() {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, can, reload } = useProject();
  const [editing, setEditing] = useState<Workspace | 'new' | null>(null);
  const pages = useCursorPages((q) => api.listWorkspaces({ projectId }, q), `workspaces:${projectId}`);
  const manage = can('project.manage');
  const columns: Column<Workspace>[] = [
    {
      key: 'name',
      header: t('workspaces.name'),
      render: (w) => <span className="cell-primary">{w.name}</span>,
    },
    {
      key: 'approval',
      header: t('workspaces.approval'),
      render: (w) =>
        w.require_approval ? (
          <Badge tone="amber">{t('workspaces.approvalRequired')}</Badge>
        ) : (
          <Badge>{t('workspaces.approvalOff')}</Badge>
        ),
    },
    { key: 'id', header: 'ID', className: 'cell-muted', render: (w) => <code>{w.id}</code> },
    {
      key: 'created',
      header: t('common.created'),
      className: 'cell-muted',
      render: (w) => formatTime(w.created_at),
    },
  ];
  if (manage)
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (w) => (
        <Button
          variant="ghost"
          size="sm"
          icon={<IconEdit />}
          onClick={() => setEditing(w)}
          aria-label={t('workspaces.editOf', { name: w.name })}
        >
          {t('common.edit')}
        </Button>
      ),
    });
  return (
    <>
      <DataTable
        label={t('workspaces.title')}
        columns={columns}
        rows={pages.items}
        rowKey={(w) => w.id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            <span className="muted">{t('workspaces.subtitle')}</span>
            <span className="toolbar-spacer" />
            {manage ? (
              <Button variant="primary" size="sm" icon={<IconPlus />} onClick={() => setEditing('new')}>
                {t('workspaces.create')}
              </Button>
            ) : null}
          </>
        }
        empty={
          <EmptyState
            icon={<IconLayers />}
            title={t('workspaces.emptyTitle')}
            description={t('workspaces.emptyText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? t('workspaces.createTitle') : t('workspaces.editTitle')}
        icon={<IconLayers />}
      >
        {editing !== null ? (
          <WorkspaceForm
            workspace={editing === 'new' ? null : editing}
            onDone={(saved) => {
              setEditing(null);
              if (saved) {
                toast.success(t('workspaces.saved'));
                pages.reload();
                reload();
              }
            }}
          />
        ) : null}
      </Dialog>
    </>
  );
}

export function SettingsPage() {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { pathname } = useLocation();
  const base = `/projects/${projectId}/settings`;
  const tab = (pathname.split('/')[4] ?? 'general') as SettingsTab;
  const bodies: Record<SettingsTab, ReactNode> = {
    general: <GeneralSettings />,
    workspaces: <WorkspaceSettings />,
    'delivery-rules': <DeliveryRulesPage />,
    'id-types': <IdTypeSettingsPage />,
    tokens: <TokensPage />,
    audit: <AuditPage />,
  };
  return (
    <>
      <PageHeader title={t('settings.title')} description={t('settings.description')} />
      <Tabs
        label={t('settings.title')}
        current={tab === 'general' ? base : `${base}/${tab}`}
        items={[
          { to: base, label: t('settings.tabGeneral') },
          { to: `${base}/workspaces`, label: t('settings.tabWorkspaces') },
          { to: `${base}/delivery-rules`, label: t('settings.tabDeliveryRules') },
          { to: `${base}/id-types`, label: t('settings.tabIdTypes') },
          { to: `${base}/tokens`, label: t('settings.tabTokens') },
          { to: `${base}/audit`, label: t('settings.tabAudit') },
        ]}
      />
      {bodies[tab] ?? bodies.general}
    </>
  );
}

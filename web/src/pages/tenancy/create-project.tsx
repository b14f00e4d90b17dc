import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { navigate } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { timeZones } from '../../time-zones.ts';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Alert } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { SelectField, TextField } from '../../ui/field.tsx';
import { IconFolder } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';

function CreateProjectForm({ onClose, onCreated }: { onClose: () => void; onCreated?: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const { refresh, session } = useSession();
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState('');
  const [timeZone, setTimeZone] = useState('UTC');
  const [adminEmail, setAdminEmail] = useState('');
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
      const project = await api.createProject({
        name: name.trim(),
        time_zone: timeZone,
        ...(adminEmail.trim() ? { admin_email: adminEmail.trim() } : {}),
      });
      // The creator may now be a member (its first admin): the session lists its memberships.
      await refresh();
      onClose();
      onCreated?.();
      const admin = adminEmail.trim().toLowerCase();
      if (!admin || admin === session?.account.email) {
        toast.success(t('projects.created', { name: project.name }));
        navigate(`/projects/${project.id}/settings`);
      } else {
        // Someone else is its first admin: the instance admin cannot open it (decision 10).
        toast.success(t('projects.createdFor', { name: project.name, email: admin }));
      }
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
      setBusy(false);
    }
  };
  const formError = formErrorOf(error, t, ['name', 'time_zone', 'admin_email']);
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('projects.createTitle')}>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <TextField
        label={t('settings.name')}
        name="name"
        value={name}
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
        onChange={(e) => {
          setTimeZone(e.target.value);
          clearError('time_zone');
        }}
        error={errors.time_zone}
        hint={t('settings.timeZoneHint')}
        options={zones.map((z) => ({ value: z, label: z }))}
      />
      <TextField
        label={t('projects.adminEmail')}
        name="admin_email"
        type="email"
        optional={t('common.optional')}
        value={adminEmail}
        onChange={(e) => {
          setAdminEmail(e.target.value);
          clearError('admin_email');
        }}
        error={errors.admin_email}
        hint={t('projects.adminEmailHint')}
      />
      <div className="row row-end">
        <Button onClick={onClose} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" loading={busy}>
          {t('projects.create')}
        </Button>
      </div>
    </form>
  );
}

/** Instance admins create projects and name their first project admin. */
export function CreateProjectDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  /** After a project is created (e.g. to reload a list). */
  onCreated?: () => void;
}) {
  const { t } = useI18n();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={t('projects.createTitle')}
      description={t('projects.createDescription')}
      icon={<IconFolder />}
    >
      <CreateProjectForm onClose={onClose} onCreated={onCreated} />
    </Dialog>
  );
}

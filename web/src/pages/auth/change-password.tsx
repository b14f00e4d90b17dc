import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { AuthLayout } from '../../ui/auth-layout.tsx';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Alert } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { TextField } from '../../ui/field.tsx';
import { IconLock } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { NewPasswordFields, newPasswordErrors } from './new-password.tsx';

function ChangePasswordForm({
  onDone,
  onCancel,
  submitLabel,
}: {
  onDone: () => Promise<void> | void;
  onCancel?: () => void;
  submitLabel: string;
}) {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local = newPasswordErrors(next, confirm, t);
    if (!current) local.current_password = t('validation.required');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await api.changePassword({ current_password: current, new_password: next });
      await onDone();
    } catch (e) {
      // The server answers a wrong current password with 401 TP_ERR_AUTH_INVALID_CREDENTIALS
      // (details.field = current_password): the session is intact, the field is wrong.
      if (e instanceof ApiError && e.code === 'TP_ERR_AUTH_INVALID_CREDENTIALS') {
        setErrors({ current_password: t('password.currentWrong') });
        return;
      }
      setErrors(fieldErrorsOf(e, t));
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const formError = formErrorOf(error, t, ['current_password', 'new_password']);
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('password.changeTitle')}>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <TextField
        label={t('password.current')}
        name="current_password"
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(e) => {
          setCurrent(e.target.value);
          clearError('current_password');
        }}
        error={errors.current_password}
      />
      <NewPasswordFields
        name="new_password"
        password={next}
        confirm={confirm}
        onPassword={(value) => {
          setNext(value);
          clearError('new_password');
        }}
        onConfirm={(value) => {
          setConfirm(value);
          clearError('confirm');
        }}
        errors={errors}
      />
      <div className="row row-end">
        {onCancel ? (
          <Button onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </Button>
        ) : null}
        <Button type="submit" variant="primary" loading={busy}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/** Shown instead of everything else while the account must change its password (first login). */
export function ForcedPasswordChangePage() {
  const { t } = useI18n();
  const { refresh, session, logout } = useSession();
  const toast = useToast();
  return (
    <AuthLayout>
      <h1>{t('password.forcedTitle')}</h1>
      <p className="lead">{t('password.forcedLead', { email: session?.account.email ?? '' })}</p>
      <ChangePasswordForm
        submitLabel={t('password.forcedSubmit')}
        onDone={async () => {
          toast.success(t('password.changed'));
          await refresh();
        }}
      />
      <p className="auth-aside-action">
        <Button variant="ghost" size="sm" onClick={() => void logout()}>
          {t('user.logout')}
        </Button>
      </p>
    </AuthLayout>
  );
}

export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  return (
    <Dialog open={open} onClose={onClose} title={t('password.changeTitle')} icon={<IconLock />}>
      <ChangePasswordForm
        submitLabel={t('password.changeSubmit')}
        onCancel={onClose}
        onDone={() => {
          toast.success(t('password.changed'));
          onClose();
        }}
      />
    </Dialog>
  );
}

import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link, useLocation } from '../../router.tsx';
import { AuthLayout } from '../../ui/auth-layout.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert } from '../../ui/display.tsx';
import { describeError, fieldErrorsOf, useFieldErrors } from '../../ui/errors.ts';
import { NewPasswordFields, newPasswordErrors } from './new-password.tsx';

/** The public page behind a new member's one-time link: `/set-password?token=…`. */
export function SetPasswordPage() {
  const { t } = useI18n();
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local = newPasswordErrors(password, confirm, t, 'password');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await api.setPassword({ token, password });
      setDone(true);
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (!token)
    return (
      <AuthLayout>
        <h1>{t('setPassword.title')}</h1>
        <p className="lead">{t('setPassword.lead')}</p>
        <Alert tone="error">{t('setPassword.missingToken')}</Alert>
      </AuthLayout>
    );

  if (done)
    return (
      <AuthLayout>
        <h1>{t('setPassword.doneTitle')}</h1>
        <p className="lead">{t('setPassword.doneLead')}</p>
        <Link to="/login" className="btn btn-primary">
          {t('setPassword.toLogin')}
        </Link>
      </AuthLayout>
    );

  const tokenProblem =
    error instanceof ApiError && error.code !== 'TP_ERR_VALIDATION' ? describeError(error, t) : null;
  const bodyIssue = error instanceof ApiError && error.code === 'TP_ERR_VALIDATION' && !errors.password;
  return (
    <AuthLayout>
      <h1>{t('setPassword.title')}</h1>
      <p className="lead">{t('setPassword.lead')}</p>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('setPassword.title')}>
        {tokenProblem ? <Alert tone="error">{tokenProblem}</Alert> : null}
        {bodyIssue ? <Alert tone="error">{describeError(error, t)}</Alert> : null}
        <NewPasswordFields
          name="password"
          password={password}
          confirm={confirm}
          onPassword={(value) => {
            setPassword(value);
            clearError('password');
          }}
          onConfirm={(value) => {
            setConfirm(value);
            clearError('confirm');
          }}
          errors={errors}
          autoFocus
        />
        <Button type="submit" variant="primary" loading={busy}>
          {t('setPassword.submit')}
        </Button>
      </form>
    </AuthLayout>
  );
}

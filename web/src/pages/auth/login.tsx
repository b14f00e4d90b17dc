import { useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { navigate, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { AuthLayout } from '../../ui/auth-layout.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { TextField } from '../../ui/field.tsx';

/** Only same-origin console paths are followed after login (no open redirect). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export function LoginPage() {
  const { t } = useI18n();
  const { login } = useSession();
  const { search } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!email.trim()) local.email = t('validation.required');
    if (!password) local.password = t('validation.required');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await login(email.trim(), password);
      navigate(safeNext(search.get('next')), { replace: true });
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
      setBusy(false);
    }
  };

  const formError = formErrorOf(error, t, ['email', 'password']);
  return (
    <AuthLayout>
      <h1>{t('login.title')}</h1>
      <p className="lead">{t('login.lead')}</p>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('login.title')}>
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        <TextField
          label={t('login.email')}
          name="email"
          type="email"
          autoComplete="username"
          autoFocus
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            clearError('email');
          }}
          error={errors.email}
        />
        <TextField
          label={t('login.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            clearError('password');
          }}
          error={errors.password}
        />
        <Button type="submit" variant="primary" loading={busy}>
          {t('login.submit')}
        </Button>
        <p className="field-hint">{t('login.help')}</p>
      </form>
    </AuthLayout>
  );
}

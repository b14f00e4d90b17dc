import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import type { InvitationView } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link, navigate, useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { AuthLayout } from '../../ui/auth-layout.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { TextField } from '../../ui/field.tsx';
import { NewPasswordFields, newPasswordErrors } from './new-password.tsx';

const sameEmail = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/**
 * An invitation for an account that already exists: the set-password call answered
 * `TP_ERR_TENANCY_INVITATION_SIGN_IN` (or the invitee opened the link while signed in). The
 * invitee signs in here, unless already signed in as the invited e-mail, then accepts, and goes
 * to the project.
 */
function AcceptInvitation({ token, invitation }: { token: string; invitation: InvitationView }) {
  const { t } = useI18n();
  const { status, session, login, refresh } = useSession();
  const signedInAsInvitee = status === 'authenticated' && sameEmail(session?.account.email, invitation.email);
  const [email, setEmail] = useState(invitation.email);
  const [password, setPassword] = useState('');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const accept = async () => {
    const answer = await api.acceptInvitation(token);
    await refresh();
    navigate(`/projects/${answer.project_id}/connections`, { replace: true });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!signedInAsInvitee) {
      const local: Record<string, string> = {};
      if (!email.trim()) local.email = t('validation.required');
      if (!password) local.password = t('validation.required');
      setErrors(local);
      if (Object.keys(local).length > 0) return;
    }
    setBusy(true);
    try {
      if (!signedInAsInvitee) await login(email.trim(), password);
      await accept();
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
      setBusy(false);
    }
  };

  const formError = formErrorOf(error, t, ['email', 'password']);
  return (
    <AuthLayout>
      <h1>{t('invitation.title', { project: invitation.project_name })}</h1>
      <p className="lead">
        {signedInAsInvitee ? t('invitation.leadSignedIn') : t('invitation.lead', { email: invitation.email })}
      </p>
      <dl className="kv invitation-summary" data-testid="invitation">
        <dt>{t('invitation.project')}</dt>
        <dd>{invitation.project_name}</dd>
        <dt>{t('invitation.email')}</dt>
        <dd>{invitation.email}</dd>
        <dt>{t('invitation.role')}</dt>
        <dd>{t(`role.${invitation.role}`)}</dd>
      </dl>
      <form
        className="form"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={t('invitation.formLabel')}
      >
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        {status === 'authenticated' && !signedInAsInvitee ? (
          <Alert tone="info">{t('invitation.otherAccount', { email: session?.account.email ?? '' })}</Alert>
        ) : null}
        {signedInAsInvitee ? null : (
          <>
            <TextField
              label={t('login.email')}
              name="email"
              type="email"
              autoComplete="username"
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
              autoFocus
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                clearError('password');
              }}
              error={errors.password}
            />
          </>
        )}
        <Button type="submit" variant="primary" loading={busy}>
          {signedInAsInvitee ? t('invitation.accept') : t('invitation.signInAndAccept')}
        </Button>
      </form>
    </AuthLayout>
  );
}

/**
 * The public page behind a one-time link, `/set-password?token=…`: an invitation (a new account
 * chooses its password; an existing one signs in and accepts) or a member's set-password link.
 */
export function SetPasswordPage() {
  const { t } = useI18n();
  const { search } = useLocation();
  const { status, session } = useSession();
  const token = search.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [invitation, setInvitation] = useState<InvitationView | null>(null);

  // Opened while signed in as the invited account: offer to accept at once. Any other link
  // (a set-password link, someone else's invitation) shows the password form as before.
  const signedInEmail = status === 'authenticated' ? session?.account.email : undefined;
  useEffect(() => {
    if (!token || !signedInEmail) return;
    let current = true;
    api.getInvitation(token).then(
      (view) => current && sameEmail(signedInEmail, view.email) && setInvitation(view),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [token, signedInEmail]);

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
      if (e instanceof ApiError && e.code === 'TP_ERR_TENANCY_INVITATION_SIGN_IN') {
        // The invited e-mail has an account: its password stays; it signs in and accepts.
        try {
          setInvitation(await api.getInvitation(token));
          return;
        } catch (lookup) {
          setError(lookup);
          return;
        }
      }
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

  if (invitation) return <AcceptInvitation token={token} invitation={invitation} />;

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

  const formError = error ? formErrorOf(error, t, ['password']) : null;
  return (
    <AuthLayout>
      <h1>{t('setPassword.title')}</h1>
      <p className="lead">{t('setPassword.lead')}</p>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('setPassword.title')}>
        {formError ? <Alert tone="error">{formError}</Alert> : null}
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

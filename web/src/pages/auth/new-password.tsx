import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { TextField } from '../../ui/field.tsx';

// A new password and its confirmation: the change-password form and the set-password page ask for
// them the same way and check them the same way before the server does.

export const MIN_PASSWORD_LENGTH = 10;

/** Checks a new password the way the server will, so most mistakes show before a round trip. */
export function newPasswordErrors(
  password: string,
  confirm: string,
  t: Translate,
  field = 'new_password',
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (password.length < MIN_PASSWORD_LENGTH)
    errors[field] = t('password.tooShort', { min: MIN_PASSWORD_LENGTH });
  else if (password !== confirm) errors.confirm = t('password.mismatch');
  return errors;
}

/** The new password (named `name` for the server's field errors) and its confirmation. */
export function NewPasswordFields({
  name,
  password,
  confirm,
  onPassword,
  onConfirm,
  errors,
  autoFocus = false,
}: {
  name: string;
  password: string;
  confirm: string;
  /** Each gets the value typed; clear the field's error there. */
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  errors: Readonly<Record<string, string | undefined>>;
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        label={t('password.new')}
        name={name}
        type="password"
        autoComplete="new-password"
        autoFocus={autoFocus}
        value={password}
        onChange={(e) => onPassword(e.target.value)}
        error={errors[name]}
        hint={t('password.rule', { min: MIN_PASSWORD_LENGTH })}
      />
      <TextField
        label={t('password.confirm')}
        name="confirm"
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => onConfirm(e.target.value)}
        error={errors.confirm}
      />
    </>
  );
}

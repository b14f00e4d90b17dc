import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { Button } from './button.tsx';
import { CopyButton } from './copy-button.tsx';
import { IconEye, IconEyeOff } from './icons.tsx';

/** Masks all but the prefix and the last four characters: `tp_••••••••••3f9a`. */
export function maskSecret(value: string): string {
  const prefix = /^[a-z]+_/.exec(value)?.[0] ?? '';
  const tail = value.length - prefix.length > 8 ? value.slice(-4) : '';
  return `${prefix}${'•'.repeat(12)}${tail}`;
}

/** A secret shown masked, with Reveal/Hide and Copy (copy works without revealing). */
export function SecretField({
  value,
  label,
  initiallyRevealed = false,
}: {
  value: string;
  label: string;
  initiallyRevealed?: boolean;
}) {
  const { t } = useI18n();
  const [revealed, setRevealed] = useState(initiallyRevealed);
  return (
    <div className="field">
      <span className="field-label">{label}</span>
      <div className="secret" data-testid="secret-field">
        <span
          className={`secret-value${revealed ? '' : ' masked'}`}
          data-testid="secret-value"
          aria-label={revealed ? undefined : t('secret.masked', { label })}
        >
          {revealed ? value : maskSecret(value)}
        </span>
        <Button
          variant="ghost"
          size="sm"
          iconOnly
          icon={revealed ? <IconEyeOff /> : <IconEye />}
          aria-label={revealed ? t('secret.hide') : t('secret.reveal')}
          aria-pressed={revealed}
          title={revealed ? t('secret.hide') : t('secret.reveal')}
          onClick={() => setRevealed((r) => !r)}
        />
        <CopyButton value={value} label={t('secret.copy', { label })} />
      </div>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { Button } from './button.tsx';
import { IconCheck, IconCopy } from './icons.tsx';
import { useToast } from './toast.tsx';

/** Copies with the Clipboard API, falling back to a hidden textarea where it is refused. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // Clipboard API unavailable (plain-HTTP origin other than localhost) or permission refused.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy refused');
}

export function CopyButton({
  value,
  label,
  size = 'sm',
  withText = false,
}: {
  value: string;
  /** What is copied, for the accessible name: "Copy token". */
  label?: string;
  size?: 'sm' | 'md';
  withText?: boolean;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);
  const name = label ?? t('common.copy');
  return (
    <Button
      variant={withText ? 'secondary' : 'ghost'}
      size={size}
      iconOnly={!withText}
      icon={copied ? <IconCheck /> : <IconCopy />}
      aria-label={name}
      title={copied ? t('common.copied') : name}
      onClick={() =>
        copyText(value).then(
          () => {
            setCopied(true);
            toast.success(t('common.copiedToClipboard'));
          },
          () => toast.error(t('common.copyFailed')),
        )
      }
    >
      {copied ? t('common.copied') : t('common.copy')}
    </Button>
  );
}

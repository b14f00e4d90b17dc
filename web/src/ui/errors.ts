import { useCallback, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { isMessageKey, type Translate } from '../i18n/i18n.tsx';

/** A sentence for the user from whatever failed: the code's translation, else the server's text. */
export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.code === 'TP_ERR_AUTH_LOCKED' && error.retryAfterSeconds !== undefined)
      return t('errors.TP_ERR_AUTH_LOCKED_retry', {
        minutes: Math.max(1, Math.ceil(error.retryAfterSeconds / 60)),
      });
    const key = `errors.${error.code}`;
    const text = isMessageKey(key) ? t(key) : error.message;
    return error.requestId ? `${text} (${t('errors.requestId')} ${error.requestId})` : text;
  }
  return error instanceof Error ? error.message : String(error);
}

/** `must differ from the current password` → `Must differ from the current password.` */
function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  return `${text[0]?.toUpperCase()}${text.slice(1)}${/[.!?。]$/.test(text) ? '' : '.'}`;
}

/**
 * Inline field errors from a `TP_ERR_VALIDATION` answer: `details.issues[].path` `/email` →
 * `email`. Known rules read in the reader's language; anything else shows the server's message.
 */
export function fieldErrorsOf(error: unknown, t: Translate): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  for (const issue of error.issues) {
    if (issue.in !== 'body') continue;
    const field = issue.path.split('/').filter(Boolean)[0] ?? '';
    if (!field || out[field]) continue;
    const key = `validation.${issue.rule}`;
    out[field] = isMessageKey(key) ? t(key) : sentence(issue.message);
  }
  return out;
}

/** The error to show above the form: none when every issue found its field. */
export function formErrorOf(error: unknown, t: Translate, fields: readonly string[]): string | null {
  if (!error) return null;
  // A validation answer, or a coded refusal that names its field (a common password): shown
  // under the fields alone when every issue found one.
  if (error instanceof ApiError && error.issues.length > 0) {
    const errors = fieldErrorsOf(error, t);
    const placed = Object.keys(errors).filter((f) => fields.includes(f));
    if (placed.length > 0 && placed.length === Object.keys(errors).length) return null;
  }
  return describeError(error, t);
}

/**
 * Field errors of a form: set on submit, and each one cleared as soon as its field is edited, so
 * a message never outlives the mistake it describes.
 */
export function useFieldErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const clear = useCallback(
    (field: string) =>
      setErrors((current) => {
        if (!(field in current)) return current;
        const next = { ...current };
        delete next[field];
        return next;
      }),
    [],
  );
  return [errors, setErrors, clear] as const;
}

import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { Button } from './button.tsx';
import { Dialog, type DialogControl } from './dialog.tsx';
import { Alert } from './display.tsx';
import { describeError } from './errors.ts';
import { IconEdit } from './icons.tsx';

export interface FormDialogProps extends DialogControl {
  readonly title: string;
  readonly description?: ReactNode;
  /** The pencil unless the dialog does something other than edit (test send, create). */
  readonly icon?: ReactNode;
  readonly size?: 'md' | 'lg';
  /** A problem found before sending (or placed by the page); said right above the submit button. */
  readonly error?: ReactNode;
  /** "Save" unless the button does something else. */
  readonly submitLabel?: string;
  readonly submitIcon?: ReactNode;
  /** "Cancel" unless the dialog stays useful after a submit (test send: "Close"). */
  readonly cancelLabel?: string;
  /**
   * Runs the request. While it runs, fields and buttons are disabled and Escape does nothing;
   * what it throws is said above the submit button (a page that places field errors under
   * their fields catches those itself and rethrows the rest).
   */
  readonly onSubmit: () => void | Promise<void>;
  /** The form's accessible name; the title unless the title names something else. */
  readonly formLabel?: string;
  readonly className?: string;
  readonly children: ReactNode;
  /** Shown below the buttons, e.g. the answer of the request just sent. */
  readonly after?: ReactNode;
}

/**
 * A dialog that is one form: its fields, then the error no field could show, then Cancel and
 * the submit button. Every form dialog of the console is this component, so they all disable
 * their fields while busy, keep the error next to the button the user just pressed, and never
 * submit a form they are rendered inside of (the create-source page opens "New app" in one).
 */
export function FormDialog({
  open,
  onClose,
  title,
  description,
  icon = <IconEdit />,
  size,
  error,
  submitLabel,
  submitIcon,
  cancelLabel,
  onSubmit,
  formLabel,
  className,
  children,
  after,
}: FormDialogProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (open) setFailure(null);
  }, [open]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setFailure(null);
    setBusy(true);
    try {
      await onSubmit();
    } catch (e) {
      setFailure(describeError(e, t));
    } finally {
      setBusy(false);
    }
  };
  const shown = error ?? failure;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      busy={busy}
      size={size}
      icon={icon}
      title={title}
      description={description}
    >
      <form
        className={`form${className ? ` ${className}` : ''}`}
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={formLabel ?? title}
      >
        <fieldset className="plain-fieldset form" disabled={busy}>
          {children}
        </fieldset>
        {shown ? <Alert tone="error">{shown}</Alert> : null}
        <div className="row row-end">
          <Button onClick={onClose} disabled={busy}>
            {cancelLabel ?? t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" loading={busy} icon={submitIcon}>
            {submitLabel ?? t('common.save')}
          </Button>
        </div>
        {after}
      </form>
    </Dialog>
  );
}

import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { describeError } from './errors.ts';
import { Button } from './button.tsx';
import { Alert } from './display.tsx';
import { IconWarning, IconX } from './icons.tsx';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** What a page hands a dialog it owns: whether it is open, and how to close it. */
export interface DialogControl {
  readonly open: boolean;
  readonly onClose: () => void;
}

export interface DialogProps {
  readonly open: boolean;
  readonly onClose: () => void;
  readonly title: ReactNode;
  readonly description?: ReactNode;
  readonly icon?: ReactNode;
  readonly tone?: 'primary' | 'danger';
  readonly size?: 'md' | 'lg';
  readonly children?: ReactNode;
  readonly footer?: ReactNode;
  /** While busy, Escape and the close button do nothing (a request is in flight). */
  readonly busy?: boolean;
}

/**
 * A modal dialog on the native `<dialog>` (the rest of the page is inert while it is open):
 * focus moves to the first field (or the element marked `data-autofocus`), Tab cycles inside,
 * Escape closes, and focus returns to whatever opened it.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  icon,
  tone = 'primary',
  size = 'md',
  children,
  footer,
  busy = false,
}: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      const preferred = dialog.querySelector<HTMLElement>('[data-autofocus]');
      const inBody = FOCUSABLE.split(', ')
        .map((selector) => `.dialog-body ${selector}`)
        .join(', ');
      const first = dialog.querySelector<HTMLElement>(inBody);
      (preferred ?? first ?? dialog.querySelector<HTMLElement>(FOCUSABLE))?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      opener.current?.focus();
    }
  }, [open]);

  useEffect(
    () => () => {
      if (ref.current?.open) opener.current?.focus();
    },
    [],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (el) => el.offsetParent !== null,
    );
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      className={`dialog${size === 'lg' ? ' dialog-lg' : ''}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
      onKeyDown={onKeyDown}
    >
      {open ? (
        <>
          <div className="dialog-header">
            {icon ? <div className={`dialog-header-icon tone-${tone}`}>{icon}</div> : null}
            <div>
              <h2 className="dialog-title" id={titleId}>
                {title}
              </h2>
              {description ? (
                <p className="dialog-description" id={descriptionId}>
                  {description}
                </p>
              ) : null}
            </div>
            <Button
              variant="ghost"
              iconOnly
              size="sm"
              className="dialog-close"
              icon={<IconX />}
              aria-label={t('common.close')}
              title={t('common.close')}
              onClick={() => (busy ? undefined : onClose())}
            />
          </div>
          {children ? <div className="dialog-body">{children}</div> : null}
          {footer ? <div className="dialog-footer">{footer}</div> : null}
        </>
      ) : null}
    </dialog>
  );
}

export interface ConfirmDialogProps {
  readonly open: boolean;
  readonly onClose: () => void;
  readonly title: ReactNode;
  readonly message?: ReactNode;
  /** What stops when the user confirms, one sentence each; shown as a list. */
  readonly consequences: readonly ReactNode[];
  readonly confirmLabel: string;
  /** Resolves `'stay'` to keep the dialog open (it changed what it asks, e.g. to "Force"). */
  readonly onConfirm: () => Promise<void | 'stay'>;
  /** Shown under the consequences, e.g. why the first confirmation was refused. */
  readonly notice?: ReactNode;
}

/** Asks before a destructive action and says exactly what will stop. Focus starts on Cancel. */
export function ConfirmDialog({
  open,
  onClose,
  title,
  message,
  consequences,
  confirmLabel,
  onConfirm,
  notice,
}: ConfirmDialogProps) {
  const i18n = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) setError(null);
  }, [open]);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      if ((await onConfirm()) !== 'stay') onClose();
    } catch (e) {
      setError(describeError(e, i18n.t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      icon={<IconWarning />}
      tone="danger"
      busy={busy}
      footer={
        <>
          <Button onClick={onClose} disabled={busy} data-autofocus>
            {i18n.t('common.cancel')}
          </Button>
          <Button variant="danger" onClick={() => void confirm()} loading={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="stack">
        {message ? <p>{message}</p> : null}
        <div>
          <strong>{i18n.t('confirm.whatStops')}</strong>
          <ul className="consequence">
            {consequences.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        </div>
        {notice}
        {error ? <Alert tone="error">{error}</Alert> : null}
      </div>
    </Dialog>
  );
}

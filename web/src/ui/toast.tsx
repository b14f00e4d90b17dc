import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { IconAlert, IconCheckCircle, IconX } from './icons.tsx';

interface ToastItem {
  readonly id: number;
  readonly tone: 'success' | 'error';
  readonly message: string;
}

interface Toasts {
  success(message: string): void;
  error(message: string): void;
}

const ToastContext = createContext<Toasts | null>(null);

/** Short confirmations in a polite live region; each one dismisses itself after a few seconds. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setItems((list) => list.filter((i) => i.id !== id)), []);
  const push = useCallback(
    (tone: ToastItem['tone'], message: string) => {
      const id = next.current++;
      setItems((list) => [...list.slice(-3), { id, tone, message }]);
      window.setTimeout(() => dismiss(id), tone === 'error' ? 8000 : 4500);
    },
    [dismiss],
  );
  const api = useMemo<Toasts>(
    () => ({ success: (m) => push('success', m), error: (m) => push('error', m) }),
    [push],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {items.map((item) => (
          <div key={item.id} className={`toast toast-${item.tone}`} data-testid="toast">
            {item.tone === 'success' ? <IconCheckCircle /> : <IconAlert />}
            <span className="toast-message">{item.message}</span>
            <button type="button" aria-label={t('common.dismiss')} onClick={() => dismiss(item.id)}>
              <IconX width={16} height={16} />
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToast(): Toasts {
  const value = useContext(ToastContext);
  if (!value) throw new Error('useToast outside ToastProvider');
  return value;
}

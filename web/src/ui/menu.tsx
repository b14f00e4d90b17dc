import {
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { IconCheck } from './icons.tsx';

const ITEM = '[role="menuitem"], [role="menuitemradio"]';
const GAP = 6;
const EDGE = 8;
const MAX_HEIGHT = 360;

/**
 * Where the popover goes: below the trigger, or above it when it does not fit below and there is
 * more room above (a row near the bottom of the window); aligned to the trigger's start or end,
 * kept inside the window. Fixed positioning, so a table or card that clips its overflow does
 * not cut the menu off.
 */
function placement(trigger: DOMRect, popover: { width: number; height: number }, align: 'start' | 'end') {
  const below = window.innerHeight - trigger.bottom - GAP - EDGE;
  const above = trigger.top - GAP - EDGE;
  const wanted = Math.min(popover.height, MAX_HEIGHT);
  const up = wanted > below && above > below;
  const style: CSSProperties = up
    ? { bottom: window.innerHeight - trigger.top + GAP, maxHeight: Math.min(MAX_HEIGHT, above) }
    : { top: trigger.bottom + GAP, maxHeight: Math.min(MAX_HEIGHT, below) };
  const width = Math.min(popover.width, window.innerWidth - 2 * EDGE);
  const left = align === 'start' ? trigger.left : trigger.right - width;
  style.left = Math.max(EDGE, Math.min(left, window.innerWidth - EDGE - width));
  return { style, up };
}

export interface MenuProps {
  /** Accessible name of the trigger button. */
  readonly label: string;
  readonly trigger: ReactNode;
  readonly triggerClassName?: string;
  readonly align?: 'start' | 'end';
  readonly children: (close: () => void) => ReactNode;
  readonly testId?: string;
}

/**
 * A menu button: Enter/Space/ArrowDown open it with focus on the first item, arrows move,
 * Escape closes and returns focus to the trigger, a click outside or Tab closes it.
 */
export function Menu({ label, trigger, triggerClassName, align = 'end', children, testId }: MenuProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const popover = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const [place, setPlace] = useState<{ style: CSSProperties; up: boolean } | null>(null);

  // Placed before paint (transparent, not hidden, until then: the first item takes focus at
  // once), and again when anything scrolls or the window resizes while open.
  useLayoutEffect(() => {
    if (!open) {
      setPlace(null);
      return;
    }
    const update = () => {
      const trigger = button.current?.getBoundingClientRect();
      const menu = popover.current;
      if (!trigger || !menu) return;
      setPlace(placement(trigger, { width: menu.offsetWidth, height: menu.scrollHeight }, align));
    };
    update();
    window.addEventListener('scroll', update, true);
    window.addEventListener('resize', update);
    return () => {
      window.removeEventListener('scroll', update, true);
      window.removeEventListener('resize', update);
    };
  }, [open, align]);

  useEffect(() => {
    if (!open) return;
    const first = root.current?.querySelector<HTMLElement>(`${ITEM}[aria-checked="true"]`);
    (first ?? root.current?.querySelector<HTMLElement>(ITEM))?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!open) {
      if (event.key === 'ArrowDown' && event.target === button.current) {
        event.preventDefault();
        setOpen(true);
      }
      return;
    }
    const items = [...(root.current?.querySelectorAll<HTMLElement>(ITEM) ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      items[(index + step + items.length) % items.length]?.focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      (event.key === 'Home' ? items[0] : items[items.length - 1])?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className="menu" ref={root} onKeyDown={onKeyDown} data-testid={testId}>
      <button
        ref={button}
        type="button"
        className={`menu-trigger ${triggerClassName ?? ''}`}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {trigger}
      </button>
      {open ? (
        <div
          ref={popover}
          className={`menu-popover${place?.up ? ' is-up' : ''}`}
          style={place?.style ?? { opacity: 0 }}
          role="menu"
          id={menuId}
          aria-label={label}
        >
          {children(close)}
        </div>
      ) : null}
    </div>
  );
}

export function MenuItem({
  onSelect,
  icon,
  checked,
  children,
}: {
  onSelect: () => void;
  icon?: ReactNode;
  /** Set for a choice among several (language, project): rendered as menuitemradio. */
  checked?: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="menu-item"
      role={checked === undefined ? 'menuitem' : 'menuitemradio'}
      aria-checked={checked}
      tabIndex={-1}
      onClick={onSelect}
    >
      {icon}
      <span>{children}</span>
      {checked ? <IconCheck className="menu-check" /> : null}
    </button>
  );
}

export function MenuHeading({ children }: { children: ReactNode }) {
  return (
    <div className="menu-heading" role="presentation">
      {children}
    </div>
  );
}

export function MenuSeparator() {
  return <div className="menu-separator" role="separator" />;
}

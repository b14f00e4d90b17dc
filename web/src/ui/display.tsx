import { useId, type ReactNode } from 'react';
import { Link } from '../router.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { IconAlert, IconCheckCircle, IconInfo, IconWarning } from './icons.tsx';

export type Tone = 'neutral' | 'blue' | 'green' | 'red' | 'amber' | 'violet';

export function Badge({
  tone = 'neutral',
  dot = false,
  children,
}: {
  tone?: Tone;
  dot?: boolean;
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}${dot ? ' badge-dot' : ''}`}>{children}</span>;
}

export function Alert({
  tone,
  children,
}: {
  tone: 'error' | 'warning' | 'info' | 'success';
  children: ReactNode;
}) {
  const icon = {
    error: <IconAlert />,
    warning: <IconWarning />,
    info: <IconInfo />,
    success: <IconCheckCircle />,
  }[tone];
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {icon}
      <div>{children}</div>
    </div>
  );
}

export interface CardProps {
  readonly title?: ReactNode;
  readonly subtitle?: ReactNode;
  readonly actions?: ReactNode;
  readonly children: ReactNode;
  readonly flush?: boolean;
  readonly className?: string;
}

export function Card({ title, subtitle, actions, children, flush = false, className }: CardProps) {
  const titleId = useId();
  // A titled card is a named region, so assistive technology (and tests) can find it by title.
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={title ? titleId : undefined}>
      {title || actions ? (
        <header className="card-header">
          <div>
            {title ? (
              <h2 className="card-title" id={titleId}>
                {title}
              </h2>
            ) : null}
            {subtitle ? <p className="card-subtitle">{subtitle}</p> : null}
          </div>
          {actions ? <div className="row">{actions}</div> : null}
        </header>
      ) : null}
      {flush ? children : <div className="card-body">{children}</div>}
    </section>
  );
}

export function EmptyState({
  icon,
  title,
  description,
  action,
}: {
  icon: ReactNode;
  title: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty">
      <div className="empty-icon">{icon}</div>
      <h3 className="empty-title">{title}</h3>
      {description ? <p className="empty-description">{description}</p> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function PageHeader({
  title,
  description,
  actions,
  breadcrumb,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  breadcrumb?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        {breadcrumb ? <div className="breadcrumb">{breadcrumb}</div> : null}
        <h1 className="page-title">{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

export interface TabItem {
  readonly to: string;
  readonly label: ReactNode;
}

/** Route tabs: each tab is a link, the current one marked with aria-current. */
export function Tabs({
  items,
  current,
  label,
}: {
  items: readonly TabItem[];
  current: string;
  label: string;
}) {
  return (
    <nav className="tabs" aria-label={label}>
      {items.map((item) => (
        <Link key={item.to} to={item.to} aria-current={item.to === current ? 'page' : undefined}>
          {item.label}
        </Link>
      ))}
    </nav>
  );
}

/** "Loading…" with a spinner, announced politely; `className` places it (default: a row). */
export function Loading({ className = 'row' }: { className?: string }) {
  const { t } = useI18n();
  return (
    <div className={className} role="status">
      <span className="spinner" aria-hidden="true" /> {t('common.loading')}
    </div>
  );
}

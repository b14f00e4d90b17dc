import { useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Alert, Badge, Card, EmptyState, Loading, PageHeader } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconEdit, IconKey, IconSearch } from '../../ui/icons.tsx';
import { SecretField } from '../../ui/secret-field.tsx';
import {
  LifecycleButtons,
  StatusBadge,
  connectionText,
  connectionsPath,
  type Connection,
  type ConnectionArea,
  type ConnectionSpec,
  leaveDeleted,
  useLifecycle,
  type Lifecycle,
} from './lifecycle.tsx';

// The details page of a data source or a reach channel: loading it, the breadcrumb, "not found",
// the header with the lifecycle buttons, and the credential pieces both show (a copyable value, a
// masked secret that is only said to be set, a new secret shown once).

/** What a details page works with; hand it whole to {@link ConnectionHeader}. */
export interface ConnectionDetails<T extends Connection> {
  readonly item: T | null;
  readonly setItem: (item: T) => void;
  readonly reload: () => void;
  readonly breadcrumb: ReactNode;
  readonly fallback: ReactNode;
  /** Disable, enable, delete: deleting leaves for the list, anything else loads the item again. */
  readonly lifecycle: Lifecycle<T>;
}

/**
 * Loads one item for its details page. Render `fallback` while it is not null (loading, or the
 * item could not be loaded); `reload` loads it again, `setItem` takes an answer that has it.
 */
export function useConnectionDetails<T extends Connection>(
  spec: ConnectionSpec<T>,
  id: string,
): ConnectionDetails<T> {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [item, setItem] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const { area } = spec;
  useEffect(() => {
    let current = true;
    spec.get(projectId, id).then(
      (answer) => {
        if (!current) return;
        setItem(answer);
        setError(null);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [spec, projectId, id, tick]);

  const list = connectionsPath(projectId, area);
  const breadcrumb = (
    <>
      <Link to={`/projects/${projectId}/connections`}>{t('connections.title')}</Link> /{' '}
      <Link to={list}>{t(connectionText[area].tab)}</Link> /
    </>
  );
  const fallback = error ? (
    <>
      <PageHeader breadcrumb={breadcrumb} title={t(`${area}.detailsTitle`)} />
      <Card flush>
        <EmptyState
          icon={<IconSearch />}
          title={t(`${area}.notFoundTitle`)}
          description={describeError(error, t)}
          action={<Link to={list}>{t(`${area}.backToList`)}</Link>}
        />
      </Card>
    </>
  ) : item ? null : (
    <Loading />
  );
  const reload = () => setTick((n) => n + 1);
  const lifecycle = useLifecycle(spec, (action) =>
    action === 'delete' ? leaveDeleted(projectId, area) : reload(),
  );
  return { item, setItem, reload, breadcrumb, fallback, lifecycle };
}

/**
 * The header of a details page: name and badges, then `actions`, then (with the permission) Edit
 * and the lifecycle buttons; a banner says when the item is disabled.
 */
export function ConnectionHeader<T extends Connection>({
  details,
  item,
  badge,
  description,
  actions,
  onEdit,
}: {
  details: ConnectionDetails<T>;
  /** The loaded item (`details.item` once `details.fallback` is null). */
  item: T;
  /** Shown after the status badge. */
  badge: ReactNode;
  description: string | undefined;
  actions: ReactNode;
  onEdit: () => void;
}) {
  const { t } = useI18n();
  const { lifecycle, breadcrumb } = details;
  return (
    <>
      <PageHeader
        breadcrumb={breadcrumb}
        title={
          <span className="row">
            {item.name}
            <StatusBadge area={lifecycle.spec.area} item={item} />
            {badge}
          </span>
        }
        description={description}
        actions={
          <>
            {actions}
            {lifecycle.manage ? (
              <>
                <Button icon={<IconEdit />} onClick={onEdit}>
                  {t('common.edit')}
                </Button>
                <LifecycleButtons lifecycle={lifecycle} item={item} variant="header" />
              </>
            ) : null}
          </>
        }
      />
      {item.status === 'disabled' ? (
        <Alert tone="warning">{t(`${lifecycle.spec.area}.disabledBanner`)}</Alert>
      ) : null}
    </>
  );
}

/** A value shown as code, with Copy. */
export function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <span className="copy-value">
      <code>{value}</code>
      <CopyButton value={value} label={label} />
    </span>
  );
}

/** A secret the API never answers: masked, with whether it is set. */
export function MaskedSecret({
  set,
  setLabel,
  notSetLabel,
}: {
  set: boolean;
  setLabel: string;
  notSetLabel: string;
}) {
  return (
    <>
      <span className="secret-value masked">{set ? '••••••••••••' : ''}</span>
      <Badge tone={set ? 'green' : 'amber'}>{set ? setLabel : notSetLabel}</Badge>
    </>
  );
}

/** A freshly generated secret, shown this once (revealed, with Copy) until Done. */
export function SecretOnceDialog({
  value,
  onClose,
  title,
  done,
  children,
}: {
  value: string | null;
  onClose: () => void;
  title: string;
  done: string;
  /** The dialog's body while `value` is not null. */
  children: (value: string) => ReactNode;
}) {
  return (
    <Dialog
      open={value !== null}
      onClose={onClose}
      title={title}
      icon={<IconKey />}
      size="lg"
      footer={
        <Button variant="primary" onClick={onClose}>
          {done}
        </Button>
      }
    >
      {value !== null ? children(value) : null}
    </Dialog>
  );
}

/** The body of a `SecretOnceDialog`: the warning, the secret, and a hint. */
export function SecretOnce({
  warning,
  label,
  value,
  hint,
}: {
  warning: string;
  label: string;
  value: string;
  hint?: string;
}) {
  return (
    <div className="stack">
      <Alert tone="warning">{warning}</Alert>
      <SecretField label={label} value={value} initiallyRevealed />
      {hint ? <p className="field-hint">{hint}</p> : null}
    </div>
  );
}

/** The aside of a create or edit form: how the area's pieces fit, in four steps. */
export function HowToCard({ area, children }: { area: ConnectionArea; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Card title={t(`${area}.howTitle`)} className="aside-card">
      <ol className="how-list">
        {([1, 2, 3, 4] as const).map((n) => (
          <li key={n}>{t(`${area}.how${n}`)}</li>
        ))}
      </ol>
      {children}
    </Card>
  );
}

import { useId, type ReactNode } from 'react';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { LifecycleMenu, StatusBadge, connectionPath, type Connection, type Lifecycle } from './lifecycle.tsx';

/** A labelled value; `mono` ones are identifiers, shown in full in their tooltip. */
export interface Param {
  readonly label: string;
  readonly value: ReactNode;
  readonly mono?: boolean;
}

/** A link button on a card or in a list row: `to` is relative to the item's details page. */
export interface ItemLink {
  readonly to: string;
  readonly icon: ReactNode;
  readonly label: string;
}

/** The item's details page with `link.to` appended (`/events`, `?test=1`, or ''). */
export const linkTarget = (details: string, link: ItemLink) => `${details}${link.to}`;

/**
 * One data source or reach channel on the Data Channel Connection overview. Its parameters appear
 * over the card on hover and whenever focus is inside it, so keyboard users get them too; screen
 * readers get them as the card's description. More → details and the lifecycle actions.
 */
export function ConnectionCard<T extends Connection>({
  item,
  lifecycle,
  testId,
  icon,
  subtitle,
  badge,
  chips,
  params,
  links,
  editable,
}: {
  item: T;
  lifecycle: Lifecycle<T>;
  /** `data-testid` of the card; its parameters get `${…}-params` with `-card` dropped. */
  testId: 'source-card' | 'channel-card';
  icon: ReactNode;
  subtitle: ReactNode;
  /** Shown after the status badge. */
  badge: ReactNode;
  chips: ReactNode;
  params: readonly Param[];
  links: readonly ItemLink[];
  editable?: boolean;
}) {
  const { projectId } = useProject();
  const titleId = useId();
  const paramsId = useId();
  const details = connectionPath(projectId, lifecycle.spec.area, item.id);
  return (
    <article
      className={`conn-card${item.status === 'disabled' ? ' is-disabled' : ''}`}
      tabIndex={0}
      aria-labelledby={titleId}
      aria-describedby={paramsId}
      data-testid={testId}
    >
      <header className="conn-card-head">
        <span className="conn-card-icon">{icon}</span>
        <div className="conn-card-title">
          <h3 id={titleId}>
            <Link to={details}>{item.name}</Link>
          </h3>
          <span className="cell-sub">{subtitle}</span>
        </div>
      </header>
      <div className="conn-card-body">
        <div className="badge-list">
          <StatusBadge area={lifecycle.spec.area} item={item} />
          {badge}
        </div>
        {chips}
      </div>
      <dl className="conn-card-params" id={paramsId} data-testid={testId.replace('-card', '-params')}>
        <ParamList params={params} />
      </dl>
      <footer className="conn-card-foot">
        {links.map((link) => (
          <Link key={link.to} className="btn btn-ghost btn-sm" to={linkTarget(details, link)}>
            {link.icon}
            {link.label}
          </Link>
        ))}
        <span className="toolbar-spacer" />
        <LifecycleMenu lifecycle={lifecycle} item={item} details={details} editable={editable} />
      </footer>
    </article>
  );
}

/** The `<dt>`/`<dd>` pairs of a parameter list. */
export function ParamList({ params }: { params: readonly Param[] }) {
  return params.map((p) => [
    <dt key={`${p.label}-dt`}>{p.label}</dt>,
    p.mono ? (
      <dd key={`${p.label}-dd`} className="mono" title={typeof p.value === 'string' ? p.value : undefined}>
        {p.value}
      </dd>
    ) : (
      <dd key={`${p.label}-dd`}>{p.value}</dd>
    ),
  ]);
}

/** The links of a list row, each named after the item for screen readers. */
export function RowLinks<T extends Connection>({
  item,
  area,
  links,
}: {
  item: T;
  area: Lifecycle<T>['spec']['area'];
  links: readonly ItemLink[];
}) {
  const { projectId } = useProject();
  const details = connectionPath(projectId, area, item.id);
  return links.map((link) => (
    <Link
      key={link.to}
      className="btn btn-ghost btn-sm"
      to={linkTarget(details, link)}
      aria-label={`${link.label} ${item.name}`}
    >
      {link.icon}
      {link.label}
    </Link>
  ));
}

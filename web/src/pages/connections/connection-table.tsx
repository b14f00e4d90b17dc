import type { ReactNode } from 'react';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link, navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { EmptyState } from '../../ui/display.tsx';
import { IconPlus } from '../../ui/icons.tsx';
import { DataTable, Pager, type Column, type CursorPages } from '../../ui/table.tsx';
import { RowLinks, type ItemLink } from './connection-card.tsx';
import {
  LifecycleMenu,
  StatusBadge,
  connectionPath,
  connectionText,
  connectionsPath,
  type Connection,
  type ConnectionArea,
  type Lifecycle,
} from './lifecycle.tsx';

/** One filter select of a list; '' is "all". */
export interface Filter {
  /** The select's accessible name. */
  readonly label: string;
  /** The text of the '' option. */
  readonly all: string;
  readonly value: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly onChange: (value: string) => void;
}

/** A filter over a fixed list of values; '' is "all". */
export function choiceFilter<V extends string>(
  value: V | '',
  onChange: (value: V | '') => void,
  values: readonly V[],
  text: { readonly label: string; readonly all: string; readonly option: (value: V) => string },
): Filter {
  return {
    label: text.label,
    all: text.all,
    value,
    options: values.map((v) => ({ value: v, label: text.option(v) })),
    // The select only offers `values` and ''.
    onChange: (v) => onChange(v as V | ''),
  };
}

/** The enabled/disabled filter both lists have (the API filters by it). */
export function statusFilter(
  t: Translate,
  area: ConnectionArea,
  value: Connection['status'] | '',
  onChange: (value: Connection['status'] | '') => void,
): Filter {
  return choiceFilter(value, onChange, ['enabled', 'disabled'], {
    label: t(`${area}.filterStatus`),
    all: t(`${area}.allStatuses`),
    option: (s) => t(`${area}.status.${s}`),
  });
}

/** The Status column both lists have. */
export function statusColumn<T extends Connection>(t: Translate, area: ConnectionArea): Column<T> {
  return {
    key: 'status',
    header: t(`${area}.statusLabel`),
    render: (item) => <StatusBadge area={area} item={item} />,
  };
}

/**
 * The list of data sources or reach channels: filter selects with Clear, Create, cursor paging,
 * an empty state that tells "nothing yet" from "nothing matches", and per row the item's name,
 * the area's `columns`, Created, then its links, Details and the lifecycle buttons.
 */
export function ConnectionTable<T extends Connection & { readonly created_at: string }>({
  lifecycle,
  label,
  subtitle,
  columns,
  rows,
  pages,
  filters,
  links = [],
  editable = false,
  emptyIcon,
  offerCreate = false,
}: {
  lifecycle: Lifecycle<T>;
  label: string;
  /** Under the name in the first column. */
  subtitle: (item: T) => ReactNode;
  /** The area's columns after the name. */
  columns: readonly Column<T>[];
  /** The rows shown: the page, or the part of it a filter the API lacks lets through. */
  rows: readonly T[];
  pages: CursorPages<T>;
  filters: readonly Filter[];
  links?: readonly ItemLink[];
  /** More offers Edit (`…/edit`), where the area has an edit page. */
  editable?: boolean;
  emptyIcon: ReactNode;
  /** Offer Create in the empty state too. */
  offerCreate?: boolean;
}) {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const { area } = lifecycle.spec;
  const text = connectionText[area];
  const create = t(text.create);
  const filtered = filters.some((f) => f.value !== '');
  const createNew = () => navigate(`${connectionsPath(projectId, area)}/new`);
  const all: Column<T>[] = [
    {
      key: 'name',
      header: t(`${area}.name`),
      render: (item) => (
        <>
          <Link className="cell-primary" to={connectionPath(projectId, area, item.id)}>
            {item.name}
          </Link>
          <div className="cell-sub">{subtitle(item)}</div>
        </>
      ),
    },
    ...columns,
    {
      key: 'created',
      header: t('common.created'),
      className: 'cell-muted',
      render: (item) => formatTime(item.created_at),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (item) => (
        <span className="row row-end">
          <RowLinks item={item} area={area} links={links} />
          {/* Details, Edit, Disable/Enable and Delete behind More, as on the overview's cards:
              five buttons a row made the table wider than a laptop window. */}
          <LifecycleMenu
            lifecycle={lifecycle}
            item={item}
            details={connectionPath(projectId, area, item.id)}
            editable={editable}
          />
        </span>
      ),
    },
  ];

  return (
    <>
      <DataTable
        label={label}
        columns={all}
        rows={rows}
        rowKey={(item) => item.id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            {filters.map((f) => (
              <select
                key={f.label}
                className="select"
                aria-label={f.label}
                value={f.value}
                onChange={(e) => f.onChange(e.target.value)}
              >
                <option value="">{f.all}</option>
                {f.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ))}
            {filtered ? (
              <Button variant="ghost" size="sm" onClick={() => filters.forEach((f) => f.onChange(''))}>
                {t(`${area}.clearFilters`)}
              </Button>
            ) : null}
            <span className="toolbar-spacer" />
            {lifecycle.manage ? (
              <Button variant="primary" size="sm" icon={<IconPlus />} onClick={createNew}>
                {create}
              </Button>
            ) : null}
          </>
        }
        empty={
          <EmptyState
            icon={emptyIcon}
            title={t(filtered ? 'common.noMatches' : text.emptyTitle)}
            description={t(filtered ? 'common.noMatchesText' : text.emptyText)}
            action={
              offerCreate && !filtered && lifecycle.manage ? (
                <Button variant="primary" icon={<IconPlus />} onClick={createNew}>
                  {create}
                </Button>
              ) : undefined
            }
          />
        }
        pager={<Pager pages={pages} shown={rows.length} />}
      />
      {lifecycle.dialogs}
    </>
  );
}

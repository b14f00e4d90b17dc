import type { ReactNode } from 'react';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { EmptyState } from '../../ui/display.tsx';
import { IconPlus } from '../../ui/icons.tsx';
import { DataTable, Pager, type Column, type CursorPages } from '../../ui/table.tsx';
import { RowLinks, type ItemLink } from './connection-card.tsx';
import {
  LifecycleButtons,
  connectionPath,
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

/** The enabled/disabled filter both lists have (the API filters by it). */
export function statusFilter(
  t: Translate,
  area: ConnectionArea,
  value: Connection['status'] | '',
  onChange: (value: Connection['status'] | '') => void,
): Filter {
  return {
    label: t(`${area}.filterStatus`),
    all: t(`${area}.allStatuses`),
    value,
    options: (['enabled', 'disabled'] as const).map((s) => ({ value: s, label: t(`${area}.status.${s}`) })),
    onChange: (v) => onChange(v as Connection['status'] | ''),
  };
}

/**
 * The list of data sources or reach channels: filter selects with Clear, Create, cursor paging,
 * an empty state that tells "nothing yet" from "nothing matches", and per row the item's links,
 * Details and the lifecycle buttons. `columns` are the area's own; Created and the actions follow.
 */
export function ConnectionTable<T extends Connection & { readonly created_at: string }>({
  lifecycle,
  label,
  columns,
  rows,
  pages,
  filters,
  links = [],
  create,
  empty,
}: {
  lifecycle: Lifecycle<T>;
  label: string;
  columns: readonly Column<T>[];
  /** The rows shown: the page, or the part of it a filter the API lacks lets through. */
  rows: readonly T[];
  pages: CursorPages<T>;
  filters: readonly Filter[];
  links?: readonly ItemLink[];
  /** The Create button's text. */
  create: string;
  empty: {
    readonly icon: ReactNode;
    readonly title: string;
    readonly description: string;
    /** Offer Create in the empty state too. */
    readonly offerCreate?: boolean;
  };
}) {
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const { area } = lifecycle.spec;
  const filtered = filters.some((f) => f.value !== '');
  const createNew = () => navigate(`${connectionsPath(projectId, area)}/new`);
  const all: Column<T>[] = [
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
          <Button
            variant="ghost"
            size="sm"
            onClick={() => navigate(connectionPath(projectId, area, item.id))}
            aria-label={t(`${area}.detailsOf`, { name: item.name })}
          >
            {t(`${area}.details`)}
          </Button>
          <LifecycleButtons lifecycle={lifecycle} item={item} variant="row" />
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
            icon={empty.icon}
            title={filtered ? t('common.noMatches') : empty.title}
            description={filtered ? t('common.noMatchesText') : empty.description}
            action={
              empty.offerCreate && !filtered && lifecycle.manage ? (
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

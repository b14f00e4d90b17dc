import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Page, PageQuery } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Button } from './button.tsx';
import { Alert } from './display.tsx';
import { describeError } from './errors.ts';

export interface Column<T> {
  readonly key: string;
  readonly header: ReactNode;
  readonly render: (row: T) => ReactNode;
  readonly className?: string;
}

export interface DataTableProps<T> {
  readonly label: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string;
  readonly loading?: boolean;
  readonly error?: unknown;
  /** A title (and subtitle) for a table that is a section of a page: shown as the card's header. */
  readonly heading?: { readonly title: ReactNode; readonly subtitle?: ReactNode };
  /** Filters and actions above the table. */
  readonly toolbar?: ReactNode;
  /** Shown instead of the table body when there are no rows. */
  readonly empty: ReactNode;
  readonly pager?: ReactNode;
}

export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  loading,
  error,
  heading,
  toolbar,
  empty,
  pager,
}: DataTableProps<T>) {
  const { t } = useI18n();
  return (
    <section className="card table-card" aria-label={label}>
      {heading ? (
        <header className="card-header">
          <div>
            <h2 className="card-title">{heading.title}</h2>
            {heading.subtitle ? <p className="card-subtitle">{heading.subtitle}</p> : null}
          </div>
        </header>
      ) : null}
      {toolbar ? <div className="toolbar">{toolbar}</div> : null}
      {error ? (
        <div className="card-body">
          <Alert tone="error">{describeError(error, t)}</Alert>
        </div>
      ) : !loading && rows.length === 0 ? (
        empty
      ) : (
        <div className="table-wrap">
          <table className="table" aria-busy={loading}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key} scope="col" className={c.className}>
                    {c.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {loading && rows.length === 0 ? (
                <tr className="table-loading">
                  <td colSpan={columns.length}>
                    <span className="row row-center">
                      <span className="spinner" aria-hidden="true" /> {t('common.loading')}
                    </span>
                  </td>
                </tr>
              ) : (
                rows.map((row) => (
                  <tr key={rowKey(row)} data-key={rowKey(row)}>
                    {columns.map((c) => (
                      <td key={c.key} className={c.className}>
                        {c.render(row)}
                      </td>
                    ))}
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
      {pager}
    </section>
  );
}

export interface CursorPages<T> {
  readonly items: readonly T[];
  readonly loading: boolean;
  readonly error: unknown;
  readonly pageIndex: number;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
  next(): void;
  previous(): void;
  reload(): void;
}

/**
 * Cursor paging over a list endpoint: keeps the cursors of the pages visited so Previous works
 * (the API only hands out `next_cursor`); `key` changes (filters, project) go back to page one.
 */
export function useCursorPages<T>(
  fetchPage: (query: PageQuery) => Promise<Page<T>>,
  key: string,
  pageSize = 25,
): CursorPages<T> {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // `index` is the page the shown rows belong to: while the next page loads, the pager keeps
  // naming the rows on screen rather than the page being fetched.
  const [page, setPage] = useState<{ items: readonly T[]; next: string | null; index: number }>({
    items: [],
    next: null,
    index: 0,
  });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;

  useEffect(() => {
    setCursors([null]);
  }, [key]);

  const cursor = cursors[cursors.length - 1] ?? null;
  const requestedIndex = cursors.length - 1;
  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(null);
    fetchRef.current({ limit: pageSize, cursor }).then(
      (answer) => {
        if (!current) return;
        setPage({ items: answer.items, next: answer.next_cursor, index: requestedIndex });
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(e);
        setPage({ items: [], next: null, index: requestedIndex });
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [cursor, key, tick, pageSize]);

  const next = useCallback(() => {
    if (page.next) setCursors((list) => [...list, page.next]);
  }, [page.next]);
  const previous = useCallback(() => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)), []);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  return {
    items: page.items,
    loading,
    error,
    pageIndex: page.index,
    hasPrevious: cursors.length > 1,
    hasNext: page.next !== null,
    next,
    previous,
    reload,
  };
}

export function Pager({ pages, shown }: { pages: CursorPages<unknown>; shown: number }) {
  const { t } = useI18n();
  if (!pages.hasPrevious && !pages.hasNext && shown === 0) return null;
  return (
    <nav className="pager" aria-label={t('pager.label')}>
      <span className="pager-info">{t('pager.info', { page: pages.pageIndex + 1, count: shown })}</span>
      <Button size="sm" onClick={pages.previous} disabled={!pages.hasPrevious || pages.loading}>
        {t('pager.previous')}
      </Button>
      <Button size="sm" onClick={pages.next} disabled={!pages.hasNext || pages.loading}>
        {t('pager.next')}
      </Button>
    </nav>
  );
}

/** A column heading of a `StaticTable`: its text, or its content and class. */
export type Heading = string | { readonly label: ReactNode; readonly className?: string };

/**
 * A table whose rows the page writes itself (DataTable builds them from columns): the scrolling
 * wrapper, the accessible name and the head row.
 */
export function StaticTable({
  label,
  className,
  headings,
  children,
}: {
  label: string;
  /** Added to `table`. */
  className?: string;
  headings: readonly Heading[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : 'table'} aria-label={label}>
        <thead>
          <tr>
            {headings.map((h, i) =>
              typeof h === 'string' ? (
                <th scope="col" key={i}>
                  {h}
                </th>
              ) : (
                <th scope="col" key={i} className={h.className}>
                  {h.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

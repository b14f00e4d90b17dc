/** Keyset position for paging: the sort key of the last row seen. */
export type PageKey = readonly (string | number)[];

export interface PageRequest {
  readonly after?: PageKey;
  /** Rows to fetch; callers ask one more than the page size to know whether more exist. */
  readonly limit: number;
}

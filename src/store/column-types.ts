/** Column types used by migrations, chosen per database by the dialect. */
export interface ColumnTypes {
  /** JSON document: `jsonb` or `text`. Read it back with `fromJson` (src/store/json.ts). */
  readonly json: 'jsonb' | 'text';
}

import type { RawBuilder } from 'kysely';

/**
 * A JSON document column: `text` holds JSON as text (profiles), `json` is the dialect's JSON
 * column type (`jsonb` on PostgreSQL, text on SQLite; events).
 */
export interface JsonDocument {
  readonly column: string;
  readonly storage: 'text' | 'json';
}

/**
 * Reading one top-level key of a JSON document in SQL, per dialect (SQLite `json_extract` /
 * `json_type`, PostgreSQL `->` / `->>` / `jsonb_typeof` with casts). Every reader answers NULL
 * when the key is missing or holds another JSON type, so conditions never see a coerced value.
 */
export interface JsonSql {
  /** `string`, `number`, `boolean`, `array`, `object`, `null`, or NULL when missing. */
  type(doc: JsonDocument, key: string): RawBuilder<string | null>;
  string(doc: JsonDocument, key: string): RawBuilder<string | null>;
  number(doc: JsonDocument, key: string): RawBuilder<number | null>;
  /** 1 for true, 0 for false. */
  boolean(doc: JsonDocument, key: string): RawBuilder<number | null>;
  /**
   * Epoch ms of a date: a number as is, or an ISO 8601 string (`YYYY-MM-DD`, with an optional
   * time and zone; no zone means UTC).
   */
  dateMs(doc: JsonDocument, key: string): RawBuilder<number | null>;
  /** Whether the key holds an array with the string `value` among its elements. */
  arrayHasString(doc: JsonDocument, key: string, value: string): RawBuilder<boolean>;
  /** Case-sensitive substring test. */
  containsText(haystack: RawBuilder<string | null>, needle: string): RawBuilder<boolean>;
  /**
   * How audience queries over `profiles AS p` read the properties document: `column` names it and
   * `join` (when not null) is joined first to produce it once per row (PostgreSQL parses the text
   * column into jsonb once instead of at every condition).
   */
  readonly profileDocument: { readonly join: RawBuilder<unknown> | null; readonly doc: JsonDocument };
  /**
   * The distinct (key, type) pairs of the current profiles' properties in one project, with the
   * number of profiles holding each.
   */
  profilePropertyTypes(projectId: number): RawBuilder<{ key: string; type: string; n: number }>;
}

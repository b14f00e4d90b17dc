import { sql } from 'kysely';
import type { JsonDocument, JsonSql } from '../../json-sql.ts';

const path = (key: string) => `$."${key}"`;
const doc = (d: JsonDocument) => sql.ref(d.column);

/** SQLite: the JSON1 functions; `json_type` tells text from numbers and true/false apart. */
export const sqliteJsonSql: JsonSql = {
  type: (d, key) =>
    sql`(CASE json_type(${doc(d)}, ${path(key)}) WHEN 'text' THEN 'string' WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' ELSE json_type(${doc(d)}, ${path(key)}) END)`,
  string: (d, key) =>
    sql`(CASE WHEN json_type(${doc(d)}, ${path(key)}) = 'text' THEN json_extract(${doc(d)}, ${path(key)}) END)`,
  number: (d, key) =>
    sql`(CASE WHEN json_type(${doc(d)}, ${path(key)}) IN ('integer', 'real') THEN json_extract(${doc(d)}, ${path(key)}) END)`,
  boolean: (d, key) =>
    sql`(CASE json_type(${doc(d)}, ${path(key)}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)`,
  // julianday() reads bare numbers as Julian days: only strings shaped like a date reach it.
  dateMs: (d, key) =>
    sql`(CASE json_type(${doc(d)}, ${path(key)}) WHEN 'integer' THEN json_extract(${doc(d)}, ${path(key)}) WHEN 'real' THEN json_extract(${doc(d)}, ${path(key)}) WHEN 'text' THEN (CASE WHEN json_extract(${doc(d)}, ${path(key)}) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*' THEN CAST(ROUND((julianday(json_extract(${doc(d)}, ${path(key)})) - 2440587.5) * 86400000) AS INTEGER) END) END)`,
  arrayHasString: (d, key, value) =>
    sql`(json_type(${doc(d)}, ${path(key)}) = 'array' AND EXISTS (SELECT 1 FROM json_each(${doc(d)}, ${path(key)}) AS je WHERE je.type = 'text' AND je.value = ${value}))`,
  containsText: (haystack, needle) => sql`(instr(${haystack}, ${needle}) > 0)`,
  // SQLite keeps recently parsed JSON per statement, so the text column is read as is.
  profileDocument: { join: null, doc: { column: 'p.properties', storage: 'text' } },
  profilePropertyTypes: (projectId) =>
    sql`SELECT je.key AS key, (CASE je.type WHEN 'text' THEN 'string' WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' ELSE je.type END) AS type, count(*) AS n FROM profiles AS p, json_each(p.properties) AS je WHERE p.project_id = ${projectId} AND p.merged_into IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
};

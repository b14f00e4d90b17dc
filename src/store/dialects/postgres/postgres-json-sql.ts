import { sql, type RawBuilder } from 'kysely';
import type { JsonDocument, JsonSql } from '../../json-sql.ts';

/** The document as jsonb: text columns (profiles) are cast, jsonb columns (events) are not. */
const doc = (d: JsonDocument): RawBuilder<unknown> =>
  d.storage === 'text' ? sql`(${sql.ref(d.column)})::jsonb` : sql`${sql.ref(d.column)}`;
const value = (d: JsonDocument, key: string) => sql`(${doc(d)} -> ${key}::text)`;
const textOf = (d: JsonDocument, key: string) => sql`(${doc(d)} ->> ${key}::text)`;

// ISO 8601 dates with an optional time and zone. Every branch is a nested CASE, so a cast only
// runs on strings already checked (PostgreSQL may evaluate AND operands in any order).
const ISO_DATE =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])([T ]([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,6})?)?)?(Z|[+-]\\d\\d:\\d\\d)?$';
const HAS_ZONE = '(Z|[+-]\\d\\d:\\d\\d)$';

function dateMs(d: JsonDocument, key: string): RawBuilder<number | null> {
  const t = textOf(d, key);
  const dayFits = sql`(substr(${t}, 9, 2)::int <= extract(day from (make_date(substr(${t}, 1, 4)::int, substr(${t}, 6, 2)::int, 1) + interval '1 month - 1 day')))`;
  const parsed = sql`(CASE WHEN ${t} ~ ${HAS_ZONE} THEN (${t})::timestamptz ELSE ((${t})::timestamp AT TIME ZONE 'UTC') END)`;
  return sql`(CASE jsonb_typeof(${value(d, key)}) WHEN 'number' THEN (${t})::double precision WHEN 'string' THEN (CASE WHEN ${t} ~ ${ISO_DATE} AND substr(${t}, 1, 4) <> '0000' THEN (CASE WHEN ${dayFits} THEN round(extract(epoch from ${parsed}) * 1000)::double precision END) END) END)`;
}

/** PostgreSQL: jsonb operators; `jsonb_typeof` keeps types apart. */
export const postgresJsonSql: JsonSql = {
  type: (d, key) => sql`jsonb_typeof(${value(d, key)})`,
  string: (d, key) => sql`(CASE WHEN jsonb_typeof(${value(d, key)}) = 'string' THEN ${textOf(d, key)} END)`,
  number: (d, key) =>
    sql`(CASE WHEN jsonb_typeof(${value(d, key)}) = 'number' THEN (${textOf(d, key)})::double precision END)`,
  boolean: (d, key) =>
    sql`(CASE WHEN jsonb_typeof(${value(d, key)}) = 'boolean' THEN (CASE WHEN ${textOf(d, key)} = 'true' THEN 1 ELSE 0 END) END)`,
  dateMs,
  arrayHasString: (d, key, v) =>
    sql`(jsonb_typeof(${value(d, key)}) = 'array' AND ${value(d, key)} @> jsonb_build_array(${v}::text))`,
  containsText: (haystack, needle) => sql`(strpos(${haystack}, ${needle}::text) > 0)`,
  // One cast per row: `OFFSET 0` keeps the planner from inlining the lateral subquery (which
  // would repeat the cast at every reference), while the keyset and project predicates on `p`
  // still drive the index scan.
  profileDocument: {
    join: sql`LATERAL (SELECT (p.properties)::jsonb AS doc OFFSET 0)`,
    doc: { column: 'pd.doc', storage: 'json' },
  },
  profilePropertyTypes: (projectId) =>
    sql`SELECT je.key AS key, jsonb_typeof(je.value) AS type, count(*) AS n FROM profiles AS p, jsonb_each((p.properties)::jsonb) AS je WHERE p.project_id = ${projectId} AND p.merged_into IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
};

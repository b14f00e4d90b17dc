import { Issues } from '../issues.ts';
import type { TemplateColumn, TemplateField } from './model.ts';
import type { MessageValue } from './message.ts';

/** At most this many rows in one `array_row` value. */
export const maxArrayRows = 100;
/** At most this many characters in one text value. */
export const maxTextChars = 10_000;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/;

/** Enum codes of a field: from its manual list, or fetched from its options URL. */
export type EnumCodes = (field: TemplateField) => Promise<ReadonlySet<string>>;

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

function validDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * One scalar value against its type; undefined (with an issue) when it does not fit. Dates are
 * `yyyy-MM-dd[ HH:mm:ss]`, read as the project's local time and sent as written, or ISO-8601
 * with a zone (converted to the project's zone by the wire format).
 */
function scalar(
  type: 'text' | 'dynamic_text' | 'number' | 'date' | 'enum',
  value: unknown,
  path: string,
  issues: Issues,
  codes: ReadonlySet<string> | undefined,
): MessageValue {
  switch (type) {
    case 'text':
    case 'dynamic_text':
      if (typeof value !== 'string') return issues.add(path, 'type', 'must be text');
      if ([...value].length > maxTextChars)
        return issues.add(path, 'max_length', `must be at most ${maxTextChars} characters`);
      return value;
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value.trim());
      return issues.add(path, 'type', 'must be a number');
    case 'date': {
      if (typeof value !== 'string') return issues.add(path, 'type', 'must be a date yyyy-MM-dd HH:mm:ss');
      const local = LOCAL_DATE.exec(value.trim());
      if (local) {
        const [, y, mo, d, h = '00', mi = '00', s = '00'] = local;
        if (
          !validDate(Number(y), Number(mo), Number(d)) ||
          Number(h) > 23 ||
          Number(mi) > 59 ||
          Number(s) > 59
        )
          return issues.add(path, 'format', 'is not a calendar date and time');
        return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
      }
      if (ISO_ZONED.test(value.trim()) && !Number.isNaN(Date.parse(value))) return new Date(value);
      return issues.add(path, 'format', 'must be a date yyyy-MM-dd HH:mm:ss (or ISO-8601 with a zone)');
    }
    case 'enum':
      if (typeof value !== 'string') return issues.add(path, 'type', 'must be an option code');
      if (codes && !codes.has(value))
        return issues.add(path, 'enum', `"${value}" is not one of the field's option codes`);
      return value;
  }
}

function arrayRows(field: TemplateField, value: unknown, path: string, issues: Issues): MessageValue {
  if (!Array.isArray(value)) return issues.add(path, 'type', 'must be a list of rows');
  if (value.length > maxArrayRows)
    return issues.add(path, 'max_items', `must hold at most ${maxArrayRows} rows`);
  const columns = field.columns ?? [];
  return value.map((row: unknown, i) => {
    const at = `${path}/${i}`;
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      return issues.add(at, 'type', 'must be an object of column values');
    const cells: Record<string, MessageValue> = {};
    for (const key of Object.keys(row)) {
      if (!columns.some((c) => c.key === key))
        issues.add(`${at}/${key}`, 'unknown', 'is not a column of this field');
    }
    for (const column of columns)
      cells[column.key] = cell(
        column,
        (row as Record<string, unknown>)[column.key],
        `${at}/${column.key}`,
        issues,
      );
    return cells;
  });
}

function cell(column: TemplateColumn, value: unknown, path: string, issues: Issues): MessageValue {
  if (isEmpty(value)) {
    if (column.required) issues.add(path, 'required', 'is required');
    return null;
  }
  const codes = column.type === 'enum' ? new Set((column.options ?? []).map((o) => o.code)) : undefined;
  return scalar(column.type, value, path, issues, codes);
}

/**
 * Checks template values against the channel's fields (SPEC §3.1) and returns them ready for the
 * wire format: numbers as numbers, dates as local `yyyy-MM-dd HH:mm:ss` or `Date`, `array_row`
 * rows with their cells. Unknown keys, missing required values, wrong types and enum codes that
 * are not among the field's options are all reported together as `TP_ERR_VALIDATION` issues
 * under `pathPrefix` (e.g. `/params/title`). Campaigns call it when a campaign is saved and again
 * at render.
 *
 * @example
 *   const params = await checkTemplateValues(channel.config.template, body.params, codesOf, '/params');
 */
export async function checkTemplateValues(
  fields: readonly TemplateField[],
  values: Readonly<Record<string, unknown>>,
  codesOf: EnumCodes,
  pathPrefix = '/params',
): Promise<Record<string, MessageValue>> {
  const issues = new Issues();
  const out: Record<string, MessageValue> = {};
  for (const key of Object.keys(values)) {
    if (!fields.some((f) => f.key === key))
      issues.add(`${pathPrefix}/${key}`, 'unknown', 'is not a field of the channel template');
  }
  for (const field of fields) {
    const path = `${pathPrefix}/${field.key}`;
    const value = values[field.key];
    if (isEmpty(value) || (Array.isArray(value) && value.length === 0)) {
      if (field.required) issues.add(path, 'required', 'is required');
      continue;
    }
    if (field.type === 'array_row') out[field.key] = arrayRows(field, value, path, issues);
    else
      out[field.key] = scalar(
        field.type,
        value,
        path,
        issues,
        field.type === 'enum' ? await codesOf(field) : undefined,
      );
  }
  issues.throwIfAny();
  return out;
}

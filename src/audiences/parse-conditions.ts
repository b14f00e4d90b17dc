import { TouchpointError, type ErrorCode } from '../errors.ts';
import {
  audienceLimits as limits,
  countOperators,
  propertyOperators,
  valueTypes,
  type AudienceCatalog,
  type AudienceQuery,
  type BehaviorPredicate,
  type ConditionGroupJson,
  type PropertyOperator,
  type PropertyPredicate,
  type TypeCatalog,
  type ValueTest,
  type ValueType,
} from './model.ts';
import { parseDateValue, startOfLastDays } from './zoned-day.ts';

export interface ParseContext {
  /** Checks names and types; without it (a saved audience being evaluated) names are trusted. */
  readonly catalog?: AudienceCatalog;
  /** The project's time zone: calendar dates and "last N days" are days there. */
  readonly timeZone: string;
  readonly now: number;
}

export interface ParsedConditions {
  readonly query: AudienceQuery;
  /** Profile properties the conditions read, in order of first use (the preview's columns). */
  readonly properties: readonly string[];
}

type Json = Record<string, unknown>;

function fail(code: ErrorCode, path: string, details: Record<string, unknown> = {}): never {
  throw new TouchpointError(code, { path, ...details });
}

const invalid = (path: string, reason: string): never => fail('TP_ERR_AUDIENCE_INVALID', path, { reason });
const badValue = (path: string, reason: string): never =>
  fail('TP_ERR_AUDIENCE_VALUE_INVALID', path, { reason });

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(node: Json, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(node)) if (!allowed.includes(key)) invalid(`${path}/${key}`, 'unknown_field');
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') return badValue(path, 'expected_string');
  if (value.length > limits.maxStringLength) return badValue(path, 'too_long');
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    return badValue(path, `expected_integer_${min}_to_${max}`);
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return badValue(path, 'expected_number');
  return value;
}

/** Which operators apply to which value type. */
const operatorsOf: Record<ValueType, readonly PropertyOperator[]> = {
  string: [
    'equals',
    'not_equals',
    'in',
    'not_in',
    'contains',
    'not_contains',
    'starts_with',
    'is_set',
    'is_not_set',
  ],
  number: [
    'equals',
    'not_equals',
    'in',
    'not_in',
    'greater_than',
    'less_than',
    'between',
    'is_set',
    'is_not_set',
  ],
  date: [
    'greater_than',
    'less_than',
    'between',
    'before',
    'after',
    'within_last_days',
    'is_set',
    'is_not_set',
  ],
  boolean: ['is_true', 'is_false', 'is_set', 'is_not_set'],
};

/** The JSON types (as observed by discovery) a value type can be read from. */
const storedAs: Record<ValueType, readonly string[]> = {
  string: ['string', 'array'],
  number: ['number'],
  date: ['string', 'number'],
  boolean: ['boolean'],
};

function inferType(operator: PropertyOperator, node: Json): ValueType | null {
  switch (operator) {
    case 'before':
    case 'after':
    case 'within_last_days':
      return 'date';
    case 'is_true':
    case 'is_false':
      return 'boolean';
    case 'contains':
    case 'not_contains':
    case 'starts_with':
      return 'string';
    case 'is_set':
    case 'is_not_set':
      return null;
    case 'greater_than':
    case 'less_than':
      return typeof node.value === 'string' ? 'date' : 'number';
    case 'between': {
      const first = Array.isArray(node.values) ? (node.values as unknown[])[0] : undefined;
      return typeof first === 'string' ? 'date' : 'number';
    }
    default: {
      const sample = node.value ?? (Array.isArray(node.values) ? (node.values as unknown[])[0] : undefined);
      return typeof sample === 'number' ? 'number' : 'string';
    }
  }
}

class Parser {
  readonly #ctx: ParseContext;
  readonly properties: string[] = [];
  #conditions = 0;

  constructor(ctx: ParseContext) {
    this.#ctx = ctx;
  }

  group(node: unknown, path: string, depth: number): AudienceQuery {
    if (!isObject(node) || node.type !== 'group') return invalid(path, 'expected_group');
    onlyKeys(node, path, ['type', 'combinator', 'conditions']);
    if (depth > limits.maxDepth) fail('TP_ERR_AUDIENCE_TOO_COMPLEX', path, { max_depth: limits.maxDepth });
    if (node.combinator !== 'and' && node.combinator !== 'or')
      invalid(`${path}/combinator`, 'expected_and_or');
    if (!Array.isArray(node.conditions)) return invalid(`${path}/conditions`, 'expected_array');
    const items = (node.conditions as unknown[]).map((c, i) =>
      this.condition(c, `${path}/conditions/${i}`, depth),
    );
    return { kind: 'group', combinator: node.combinator as 'and' | 'or', items };
  }

  condition(node: unknown, path: string, depth: number): AudienceQuery {
    if (!isObject(node)) return invalid(path, 'expected_object');
    if (node.type === 'group') return this.group(node, path, depth + 1);
    if (++this.#conditions > limits.maxConditions)
      fail('TP_ERR_AUDIENCE_TOO_COMPLEX', path, { max_conditions: limits.maxConditions });
    if (node.type === 'property') {
      const predicate = this.property(node, path, this.#ctx.catalog?.profileProperties, true);
      if (!this.properties.includes(predicate.property)) this.properties.push(predicate.property);
      return predicate;
    }
    if (node.type === 'behavior') return this.behavior(node, path);
    return invalid(`${path}/type`, 'expected_group_property_or_behavior');
  }

  property(node: Json, path: string, catalog: TypeCatalog | undefined, profile: boolean): PropertyPredicate {
    onlyKeys(node, path, ['type', 'property', 'operator', 'value_type', 'value', 'values', 'days']);
    const property = text(node.property, `${path}/property`);
    if (property.length === 0) badValue(`${path}/property`, 'empty');
    if (/["\\]/.test(property)) badValue(`${path}/property`, 'unsupported_character');
    const operator = node.operator as PropertyOperator;
    if (!propertyOperators.includes(operator)) return invalid(`${path}/operator`, 'unknown_operator');
    if (node.value_type !== undefined && !valueTypes.includes(node.value_type as ValueType))
      invalid(`${path}/value_type`, 'unknown_value_type');
    const type = (node.value_type as ValueType | undefined) ?? inferType(operator, node);
    if (type && !operatorsOf[type].includes(operator))
      fail('TP_ERR_AUDIENCE_OPERATOR_MISMATCH', `${path}/operator`, { operator, value_type: type });
    if (catalog) {
      const observed = catalog.get(property);
      if (!observed)
        fail(
          profile ? 'TP_ERR_AUDIENCE_UNKNOWN_PROPERTY' : 'TP_ERR_AUDIENCE_UNKNOWN_EVENT_PROPERTY',
          `${path}/property`,
          {
            property,
          },
        );
      if (type && !storedAs[type].some((t) => observed.includes(t)))
        fail('TP_ERR_AUDIENCE_OPERATOR_MISMATCH', `${path}/operator`, {
          operator,
          value_type: type,
          property,
          observed_types: observed,
        });
    }
    const { test, negate } = this.#test(node, path, operator, type);
    return { kind: 'property', property, test, negate };
  }

  #test(
    node: Json,
    path: string,
    operator: PropertyOperator,
    type: ValueType | null,
  ): { test: ValueTest; negate: boolean } {
    const zone = this.#ctx.timeZone;
    const date = (value: unknown, at: string) => {
      const parsed = parseDateValue(text(value, at), zone);
      return parsed ?? badValue(at, 'expected_date_or_date_time');
    };
    const scalar = (at: string): string | number =>
      type === 'number' ? finite(node.value, at) : text(node.value, at);
    const list = (): unknown[] => {
      const values = node.values;
      if (!Array.isArray(values) || values.length === 0)
        return badValue(`${path}/values`, 'expected_non_empty_array');
      if (values.length > limits.maxListValues) return badValue(`${path}/values`, 'too_many_values');
      return values as unknown[];
    };
    const absent = (...keys: string[]) => {
      for (const key of keys)
        if (node[key] !== undefined) invalid(`${path}/${key}`, `not_used_by_${operator}`);
    };
    switch (operator) {
      case 'equals':
      case 'not_equals': {
        absent('values', 'days');
        const value = scalar(`${path}/value`);
        return {
          test:
            typeof value === 'number'
              ? { kind: 'number_in', values: [value] }
              : { kind: 'string_in', values: [value] },
          negate: operator === 'not_equals',
        };
      }
      case 'in':
      case 'not_in': {
        absent('value', 'days');
        const values = list().map((v, i) =>
          type === 'number' ? finite(v, `${path}/values/${i}`) : text(v, `${path}/values/${i}`),
        );
        return {
          test:
            type === 'number'
              ? { kind: 'number_in', values: values as number[] }
              : { kind: 'string_in', values: values as string[] },
          negate: operator === 'not_in',
        };
      }
      case 'contains':
      case 'not_contains':
      case 'starts_with': {
        absent('values', 'days');
        const value = text(node.value, `${path}/value`);
        if (value.length === 0) badValue(`${path}/value`, 'empty');
        return {
          test: operator === 'starts_with' ? { kind: 'starts_with', value } : { kind: 'contains', value },
          negate: operator === 'not_contains',
        };
      }
      case 'greater_than':
      case 'less_than':
      case 'before':
      case 'after': {
        absent('values', 'days');
        const upper = operator === 'less_than' || operator === 'before';
        if (type === 'date') {
          const d = date(node.value, `${path}/value`);
          return {
            test: upper
              ? { kind: 'date_range', from: null, to: d.start }
              : { kind: 'date_range', from: d.end, to: null },
            negate: false,
          };
        }
        const n = finite(node.value, `${path}/value`);
        return {
          test: upper
            ? { kind: 'number_range', min: null, max: n, minInclusive: false, maxInclusive: false }
            : { kind: 'number_range', min: n, max: null, minInclusive: false, maxInclusive: false },
          negate: false,
        };
      }
      case 'between': {
        absent('value', 'days');
        const values = list();
        if (values.length !== 2) badValue(`${path}/values`, 'expected_two_values');
        if (type === 'date') {
          const low = date(values[0], `${path}/values/0`);
          const high = date(values[1], `${path}/values/1`);
          if (high.end <= low.start) badValue(`${path}/values`, 'empty_range');
          return { test: { kind: 'date_range', from: low.start, to: high.end }, negate: false };
        }
        const low = finite(values[0], `${path}/values/0`);
        const high = finite(values[1], `${path}/values/1`);
        if (high < low) badValue(`${path}/values`, 'empty_range');
        return {
          test: { kind: 'number_range', min: low, max: high, minInclusive: true, maxInclusive: true },
          negate: false,
        };
      }
      case 'within_last_days': {
        absent('value', 'values');
        const days = integer(node.days, `${path}/days`, 1, limits.maxDays);
        return {
          test: {
            kind: 'date_range',
            from: startOfLastDays(this.#ctx.now, days, zone),
            to: this.#ctx.now + 1,
          },
          negate: false,
        };
      }
      case 'is_set':
      case 'is_not_set':
        absent('value', 'values', 'days');
        return { test: { kind: 'is_set' }, negate: operator === 'is_not_set' };
      case 'is_true':
      case 'is_false':
        absent('value', 'values', 'days');
        return { test: { kind: 'boolean', value: operator === 'is_true' }, negate: false };
    }
  }

  behavior(node: Json, path: string): BehaviorPredicate {
    onlyKeys(node, path, ['type', 'event', 'did', 'filters', 'count', 'window']);
    const event = text(node.event, `${path}/event`);
    const eventProperties = this.#ctx.catalog?.events.get(event);
    if (this.#ctx.catalog && !eventProperties)
      fail('TP_ERR_AUDIENCE_UNKNOWN_EVENT', `${path}/event`, { event });
    if (node.did !== undefined && typeof node.did !== 'boolean') invalid(`${path}/did`, 'expected_boolean');
    const did = node.did !== false;

    const filtersNode = node.filters ?? [];
    if (!Array.isArray(filtersNode)) return invalid(`${path}/filters`, 'expected_array');
    if (filtersNode.length > limits.maxFilters)
      fail('TP_ERR_AUDIENCE_TOO_COMPLEX', `${path}/filters`, { max_filters: limits.maxFilters });
    const filters = (filtersNode as unknown[]).map((f, i) => {
      const at = `${path}/filters/${i}`;
      if (!isObject(f)) return invalid(at, 'expected_object');
      if (f.type !== undefined && f.type !== 'property') invalid(`${at}/type`, 'expected_property');
      return this.property(f, at, eventProperties ?? (this.#ctx.catalog ? new Map() : undefined), false);
    });

    let count: BehaviorPredicate['count'] = did ? { op: '>=', n: 1 } : { op: '=', n: 0 };
    if (node.count !== undefined) {
      if (!did) invalid(`${path}/count`, 'not_used_by_did_not');
      if (!isObject(node.count)) return invalid(`${path}/count`, 'expected_object');
      onlyKeys(node.count, `${path}/count`, ['operator', 'value']);
      const op = node.count.operator;
      if (!countOperators.includes(op as never)) invalid(`${path}/count/operator`, 'unknown_operator');
      const n = integer(node.count.value, `${path}/count/value`, op === 'at_least' ? 1 : 0, limits.maxCount);
      count = { op: op === 'at_least' ? '>=' : op === 'at_most' ? '<=' : '=', n };
    }

    let from: number | null = null;
    let to: number | null = null;
    if (node.window !== undefined) {
      const w = node.window;
      if (!isObject(w)) return invalid(`${path}/window`, 'expected_object');
      onlyKeys(w, `${path}/window`, ['last_days', 'from', 'to']);
      if (w.last_days !== undefined) {
        if (w.from !== undefined || w.to !== undefined) invalid(`${path}/window`, 'last_days_or_from_to');
        const days = integer(w.last_days, `${path}/window/last_days`, 1, limits.maxDays);
        from = startOfLastDays(this.#ctx.now, days, this.#ctx.timeZone);
      } else {
        if (w.from === undefined && w.to === undefined)
          invalid(`${path}/window`, 'expected_last_days_or_from_to');
        const zone = this.#ctx.timeZone;
        if (w.from !== undefined)
          from = (
            parseDateValue(text(w.from, `${path}/window/from`), zone) ??
            badValue(`${path}/window/from`, 'expected_date_or_date_time')
          ).start;
        if (w.to !== undefined)
          to = (
            parseDateValue(text(w.to, `${path}/window/to`), zone) ??
            badValue(`${path}/window/to`, 'expected_date_or_date_time')
          ).end;
        if (from !== null && to !== null && to <= from) badValue(`${path}/window`, 'empty_range');
      }
    }
    return { kind: 'behavior', event, from, to, filters, count };
  }
}

/**
 * Validates audience conditions (the root must be a group) and resolves them into the query the
 * store runs. Every error is a `TP_ERR_AUDIENCE_*` whose `details.path` is the JSON pointer of
 * the offending part, below `pathPrefix` (e.g. `/conditions/conditions/1/value`).
 */
export function parseConditions(
  input: unknown,
  ctx: ParseContext,
  pathPrefix = '/conditions',
): ParsedConditions {
  const parser = new Parser(ctx);
  const query = parser.group(input, pathPrefix, 1);
  return { query, properties: parser.properties };
}

/**
 * Validates property conditions on an event (an event trigger's filters) and resolves them, as a
 * behavior condition's filters are. Errors name `${path}/{index}/…`.
 */
export function parseEventFilters(input: unknown, ctx: ParseContext, path: string): PropertyPredicate[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) return invalid(path, 'expected_array');
  if (input.length > limits.maxFilters)
    fail('TP_ERR_AUDIENCE_TOO_COMPLEX', path, { max_filters: limits.maxFilters });
  const parser = new Parser(ctx);
  return (input as unknown[]).map((f, i) => {
    const at = `${path}/${i}`;
    if (!isObject(f)) return invalid(at, 'expected_object');
    if (f.type !== undefined && f.type !== 'property') invalid(`${at}/type`, 'expected_property');
    return parser.property(f, at, undefined, false);
  });
}

/** The conditions as stored, after `parseConditions` accepted them. */
export function asGroup(input: unknown): ConditionGroupJson {
  return input as ConditionGroupJson;
}

import type { AudienceCatalog, AudienceCondition, AudienceGroup } from '../../api/types.ts';

// The builder's editable state and its translation to and from the API's condition JSON. Values
// are kept as typed text while editing and converted by the property's observed type on the way
// out; the server validates (and names the bad part) either way.

export type ValueKind = 'number' | 'string' | 'boolean' | 'array' | 'date';

export interface PropertyRow {
  readonly kind: 'property';
  readonly key: string;
  readonly property: string;
  readonly operator: string;
  readonly value: string;
  readonly value2: string;
}

export interface BehaviorRow {
  readonly kind: 'behavior';
  readonly key: string;
  readonly event: string;
  readonly did: boolean;
  readonly countOp: '' | 'at_least' | 'at_most' | 'exactly';
  readonly count: string;
  readonly window: 'any' | 'last' | 'between';
  readonly lastDays: string;
  readonly from: string;
  readonly to: string;
  readonly filters: readonly PropertyRow[];
}

export interface GroupRow {
  readonly kind: 'group';
  readonly key: string;
  readonly combinator: 'and' | 'or';
  readonly items: readonly Row[];
}

export type Row = PropertyRow | BehaviorRow | GroupRow;

let counter = 0;
export const newKey = () => `c${++counter}`;

export const emptyProperty = (): PropertyRow => ({
  kind: 'property',
  key: newKey(),
  property: '',
  operator: '',
  value: '',
  value2: '',
});
export const emptyBehavior = (): BehaviorRow => ({
  kind: 'behavior',
  key: newKey(),
  event: '',
  did: true,
  countOp: '',
  count: '1',
  window: 'any',
  lastDays: '30',
  from: '',
  to: '',
  filters: [],
});
export const emptyGroup = (items: Row[] = []): GroupRow => ({
  kind: 'group',
  key: newKey(),
  combinator: 'and',
  items,
});

/** The main type a property is edited as, from its observed JSON types. */
export function kindOf(types: readonly string[] | undefined): ValueKind {
  if (!types) return 'string';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('number')) return 'number';
  if (types.includes('string')) return 'string';
  if (types.includes('array')) return 'array';
  return 'string';
}

export const operatorsFor: Record<ValueKind, readonly string[]> = {
  number: [
    'equals',
    'not_equals',
    'greater_than',
    'less_than',
    'between',
    'in',
    'not_in',
    'is_set',
    'is_not_set',
  ],
  string: [
    'equals',
    'not_equals',
    'contains',
    'not_contains',
    'starts_with',
    'in',
    'not_in',
    'before',
    'after',
    'within_last_days',
    'is_set',
    'is_not_set',
  ],
  boolean: ['is_true', 'is_false', 'is_set', 'is_not_set'],
  array: ['contains', 'not_contains', 'is_set', 'is_not_set'],
  date: ['before', 'after', 'between', 'within_last_days', 'is_set', 'is_not_set'],
};

/** What input an operator needs. */
export function inputOf(operator: string, kind: ValueKind): 'none' | 'one' | 'two' | 'list' | 'days' {
  if (['is_set', 'is_not_set', 'is_true', 'is_false', ''].includes(operator)) return 'none';
  if (operator === 'within_last_days') return 'days';
  if (operator === 'between') return 'two';
  if (operator === 'in' || operator === 'not_in') return 'list';
  return kind === 'boolean' ? 'none' : 'one';
}

export const isDateOperator = (operator: string) =>
  ['before', 'after', 'within_last_days'].includes(operator);

const num = (text: string): number | string =>
  text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;

export function propertyJson(
  row: PropertyRow,
  types: readonly string[] | undefined,
): Record<string, unknown> {
  const kind = kindOf(types);
  const out: Record<string, unknown> = { type: 'property', property: row.property, operator: row.operator };
  const typed = (text: string) => (kind === 'number' && !isDateOperator(row.operator) ? num(text) : text);
  switch (inputOf(row.operator, kind)) {
    case 'one':
      out.value = typed(row.value);
      break;
    case 'two':
      out.values = [typed(row.value), typed(row.value2)];
      break;
    case 'list':
      out.values = row.value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
        .map(typed);
      break;
    case 'days':
      out.days = Number(row.value);
      break;
    default:
      break;
  }
  return out;
}

export function toJson(group: GroupRow, catalog: AudienceCatalog | null): AudienceGroup {
  const profileTypes = new Map(catalog?.profile_properties.map((p) => [p.name, p.types]) ?? []);
  const eventTypes = new Map(
    catalog?.events.map((e) => [e.name, new Map(e.properties.map((p) => [p.name, p.types]))]) ?? [],
  );
  const convert = (row: Row): AudienceCondition => {
    if (row.kind === 'group')
      return { type: 'group', combinator: row.combinator, conditions: row.items.map(convert) };
    if (row.kind === 'property') return propertyJson(row, profileTypes.get(row.property));
    const filters = row.filters.map((f) => propertyJson(f, eventTypes.get(row.event)?.get(f.property)));
    return {
      type: 'behavior',
      event: row.event,
      did: row.did,
      ...(filters.length ? { filters } : {}),
      ...(row.did && row.countOp ? { count: { operator: row.countOp, value: Number(row.count) } } : {}),
      ...(row.window === 'last' ? { window: { last_days: Number(row.lastDays) } } : {}),
      ...(row.window === 'between'
        ? { window: { ...(row.from ? { from: row.from } : {}), ...(row.to ? { to: row.to } : {}) } }
        : {}),
    };
  };
  return convert(group) as AudienceGroup;
}

export function propertyRow(c: Record<string, unknown>): PropertyRow {
  const values = Array.isArray(c.values) ? (c.values as unknown[]) : [];
  const list = c.operator === 'in' || c.operator === 'not_in';
  return {
    kind: 'property',
    key: newKey(),
    property: String(c.property ?? ''),
    operator: String(c.operator ?? ''),
    value:
      c.days !== undefined ? String(c.days) : list ? values.join(', ') : String(c.value ?? values[0] ?? ''),
    value2: list ? '' : String(values[1] ?? ''),
  };
}

export function fromJson(group: AudienceGroup): GroupRow {
  const convert = (c: AudienceCondition): Row => {
    const node = c as Record<string, unknown>;
    if (node.type === 'group') {
      const g = c as AudienceGroup;
      return { kind: 'group', key: newKey(), combinator: g.combinator, items: g.conditions.map(convert) };
    }
    if (node.type === 'behavior') {
      const count = node.count as { operator: BehaviorRow['countOp']; value: number } | undefined;
      const window = (node.window ?? {}) as { last_days?: number; from?: string; to?: string };
      return {
        kind: 'behavior',
        key: newKey(),
        event: String(node.event ?? ''),
        did: node.did !== false,
        countOp: count?.operator ?? '',
        count: String(count?.value ?? 1),
        window: window.last_days !== undefined ? 'last' : window.from || window.to ? 'between' : 'any',
        lastDays: String(window.last_days ?? 30),
        from: window.from ?? '',
        to: window.to ?? '',
        filters: ((node.filters ?? []) as Record<string, unknown>[]).map(propertyRow),
      };
    }
    return propertyRow(node);
  };
  return convert(group) as GroupRow;
}

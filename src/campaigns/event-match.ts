import type { PropertyPredicate, ValueTest } from '../audiences/model.ts';

/**
 * Property conditions tested on one event's properties in memory, with the meaning the SQL
 * compiler gives them (src/store/sql/audience-query.ts): a reader sees a value only when the key
 * holds the JSON type it reads (no coercion), a missing or mistyped value fails every positive
 * test, and a negation is the complement (a missing value matches it). The event-trigger tests
 * compare both on the same conditions.
 */

const string = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const number = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const DATE = /^\d{4}-\d{2}-\d{2}/;
const ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch ms of a date value: a number as is, or an ISO 8601 text (no zone means UTC). */
export function dateMs(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || !DATE.test(v)) return null;
  const text = v.length === 10 || ZONE.test(v) ? v : `${v.replace(' ', 'T')}Z`;
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isFinite(ms) ? ms : null;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function test(v: unknown, t: ValueTest): boolean {
  switch (t.kind) {
    case 'string_in': {
      const s = string(v);
      return s !== null && t.values.includes(s);
    }
    case 'number_in': {
      const n = number(v);
      return n !== null && t.values.includes(n);
    }
    case 'contains': {
      const s = string(v);
      if (s !== null) return s.includes(t.value);
      return Array.isArray(v) && v.some((item) => item === t.value);
    }
    case 'starts_with': {
      const s = string(v);
      return s !== null && s.startsWith(t.value);
    }
    case 'number_range': {
      const n = number(v);
      if (n === null) return false;
      if (t.min !== null && (t.minInclusive ? n < t.min : n <= t.min)) return false;
      if (t.max !== null && (t.maxInclusive ? n > t.max : n >= t.max)) return false;
      return true;
    }
    case 'date_range': {
      const ms = dateMs(v);
      if (ms === null) return false;
      return (t.from === null || ms >= t.from) && (t.to === null || ms < t.to);
    }
    case 'is_set':
      return isSet(v);
    case 'boolean':
      return typeof v === 'boolean' && v === t.value;
  }
}

/** Whether `properties` pass every predicate. */
export function matchesAll(
  properties: Readonly<Record<string, unknown>>,
  predicates: readonly PropertyPredicate[],
): boolean {
  for (const p of predicates) {
    const value = Object.hasOwn(properties, p.property) ? properties[p.property] : undefined;
    if (test(value, p.test) === p.negate) return false;
  }
  return true;
}

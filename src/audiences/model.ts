/**
 * Audiences (SPEC §5): who a campaign reaches, as conditions on profile properties and on
 * behavior (events), combined with AND / OR groups. Two shapes live here:
 * - the conditions as the API and the console write them (`*Json`, snake_case, validated by
 *   `parseConditions`), and
 * - the resolved query the store compiles to SQL (`AudienceQuery`): every date already turned
 *   into epoch-millisecond bounds in the project's time zone, every operator into a value test,
 *   so the store needs neither the time zone nor the clock.
 */

export const propertyOperators = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'contains',
  'not_contains',
  'starts_with',
  'greater_than',
  'less_than',
  'between',
  'before',
  'after',
  'within_last_days',
  'is_set',
  'is_not_set',
  'is_true',
  'is_false',
] as const;
export type PropertyOperator = (typeof propertyOperators)[number];

export const valueTypes = ['string', 'number', 'boolean', 'date'] as const;
export type ValueType = (typeof valueTypes)[number];

export const countOperators = ['at_least', 'at_most', 'exactly'] as const;
export type CountOperator = (typeof countOperators)[number];

/** A property condition, on the profile (`type: property`) or as a filter on an event. */
export interface PropertyConditionJson {
  readonly type?: 'property';
  readonly property: string;
  readonly operator: PropertyOperator;
  /** Which JSON type to compare; inferred from the operator and the value when absent. */
  readonly value_type?: ValueType;
  readonly value?: string | number | boolean;
  /** `in` / `not_in`: the list; `between`: `[low, high]`, both included. */
  readonly values?: readonly (string | number)[];
  /** `within_last_days`. */
  readonly days?: number;
}

export interface BehaviorConditionJson {
  readonly type: 'behavior';
  readonly event: string;
  /** `false`: did not do it (in the window, with the filters). Default `true`. */
  readonly did?: boolean;
  readonly filters?: readonly PropertyConditionJson[];
  /** How often (`did: true` only); default at least once. */
  readonly count?: { readonly operator: CountOperator; readonly value: number };
  /** `last_days`, or `from` / `to` (dates or date-times; a date `to` includes that whole day). */
  readonly window?: { readonly last_days?: number; readonly from?: string; readonly to?: string };
}

export interface ConditionGroupJson {
  readonly type: 'group';
  readonly combinator: 'and' | 'or';
  readonly conditions: readonly ConditionJson[];
}

export type ConditionJson = PropertyConditionJson | BehaviorConditionJson | ConditionGroupJson;

/** How a JSON value is tested; bounds are epoch ms (dates) or numbers. */
export type ValueTest =
  | { readonly kind: 'string_in'; readonly values: readonly string[] }
  | { readonly kind: 'number_in'; readonly values: readonly number[] }
  | { readonly kind: 'contains'; readonly value: string }
  | { readonly kind: 'starts_with'; readonly value: string }
  | {
      readonly kind: 'number_range';
      readonly min: number | null;
      readonly max: number | null;
      readonly minInclusive: boolean;
      readonly maxInclusive: boolean;
    }
  /** `from` included, `to` excluded. */
  | { readonly kind: 'date_range'; readonly from: number | null; readonly to: number | null }
  | { readonly kind: 'is_set' }
  | { readonly kind: 'boolean'; readonly value: boolean };

export interface PropertyPredicate {
  readonly kind: 'property';
  readonly property: string;
  readonly test: ValueTest;
  /** Matches exactly the current profiles the positive test does not (missing values included). */
  readonly negate: boolean;
}

export interface BehaviorPredicate {
  readonly kind: 'behavior';
  readonly event: string;
  /** Event time bounds, epoch ms: `from` included, `to` excluded. */
  readonly from: number | null;
  readonly to: number | null;
  readonly filters: readonly PropertyPredicate[];
  /** The number of matching events compared with `n`. */
  readonly count: { readonly op: '>=' | '<=' | '='; readonly n: number };
}

export interface GroupPredicate {
  readonly kind: 'group';
  readonly combinator: 'and' | 'or';
  readonly items: readonly AudienceQuery[];
}

/** What the store compiles into one SQL query over the project's current profiles. */
export type AudienceQuery = PropertyPredicate | BehaviorPredicate | GroupPredicate;

/** Observed JSON types (`string`, `number`, `boolean`, `array`, `object`, `null`) per name. */
export type TypeCatalog = ReadonlyMap<string, readonly string[]>;

/** What conditions are validated against: the project's profile properties and events. */
export interface AudienceCatalog {
  readonly profileProperties: TypeCatalog;
  /** Event name → its properties' observed types. */
  readonly events: ReadonlyMap<string, TypeCatalog>;
}

/** A saved audience of a workspace. */
export interface Audience {
  readonly id: string;
  readonly projectId: number;
  readonly workspaceId: string;
  readonly name: string;
  readonly description: string | null;
  readonly conditions: ConditionGroupJson;
  readonly createdBy: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AudienceEstimate {
  readonly size: number;
  /** Members holding the channel's send ID type (when a channel was given). */
  readonly reachable: number | null;
  readonly sendIdType: string | null;
}

/** Limits that keep one audience query a reasonable size. */
export const audienceLimits = {
  maxDepth: 5,
  maxConditions: 50,
  maxFilters: 10,
  maxListValues: 1000,
  maxStringLength: 1024,
  maxDays: 3660,
  maxCount: 1_000_000,
} as const;

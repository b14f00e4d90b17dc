import type { ProfileEvent } from '../store/repositories/profiles-repository.ts';
import { builtinPropertyIdTypes, type IdentitySettings, type PropertyOperation } from './model.ts';

export interface EventIdentity {
  readonly type: string;
  readonly value: string;
  readonly unique: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** User properties an event sets: Segment identify traits, `context.traits`, TE `user_set*`. */
function userProperties(event: ProfileEvent): Record<string, unknown> {
  const fromContext = isObject(event.context.traits) ? event.context.traits : {};
  if (event.format === 'segment')
    return event.type === 'identify' ? { ...fromContext, ...event.traits } : { ...fromContext };
  if (event.type === 'user_set' || event.type === 'user_setOnce') return { ...event.properties };
  return {};
}

/**
 * The identities an event names, unique types first (SPEC §2.2): `userId`, `#account_id`
 * (as `user_id` when the project says so), declared unique types, then `anonymousId`,
 * `#distinct_id`, built-in and declared ID types found in user properties.
 */
export function eventIdentities(event: ProfileEvent, settings: IdentitySettings): EventIdentity[] {
  const unique = new Set([
    'user_id',
    'account_id',
    ...settings.declared.filter((d) => d.unique).map((d) => d.name),
  ]);
  const found = new Map<string, Set<string>>();
  const add = (type: string, value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const text = String(value).trim();
    if (text === '' || text.length > 255) return;
    if (!found.has(type)) found.set(type, new Set());
    found.get(type)?.add(text);
  };
  add('user_id', event.userId);
  add(settings.accountIdIsUserId ? 'user_id' : 'account_id', event.accountId);
  add('anonymous_id', event.anonymousId);
  add('distinct_id', event.distinctId);
  const props = userProperties(event);
  const typeNames = [...builtinPropertyIdTypes, ...settings.declared.map((d) => d.name)];
  for (const name of typeNames) {
    add(name, props[name]);
    add(name, event.identities[name]);
  }
  const all: EventIdentity[] = [];
  for (const [type, values] of found)
    for (const value of values) all.push({ type, value, unique: unique.has(type) });
  const rank = (i: EventIdentity) =>
    i.type === 'user_id'
      ? 0
      : i.type === 'account_id'
        ? 1
        : i.unique
          ? 2
          : i.type === 'anonymous_id' || i.type === 'distinct_id'
            ? 3
            : 4;
  return all.sort(
    (a, b) => rank(a) - rank(b) || a.type.localeCompare(b.type) || a.value.localeCompare(b.value),
  );
}

const withoutReserved = (values: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith('#')));

/** The property operations an event performs on its profile, in order. */
export function eventOperations(event: ProfileEvent): PropertyOperation[] {
  if (event.format === 'segment') {
    const values = withoutReserved(userProperties(event));
    return Object.keys(values).length > 0 ? [{ op: 'set', values }] : [];
  }
  const values = withoutReserved(event.properties);
  switch (event.type) {
    case 'user_set':
      return [{ op: 'set', values }];
    case 'user_setOnce':
      return [{ op: 'set_once', values }];
    case 'user_add':
      return [{ op: 'add', values }];
    case 'user_append':
      return [{ op: 'append', values }];
    case 'user_uniq_append':
      return [{ op: 'uniq_append', values }];
    case 'user_unset':
      return [{ op: 'unset', keys: Object.keys(values) }];
    case 'user_del':
      return [{ op: 'delete' }];
    default:
      return [];
  }
}

/** The JSON type names of a value, for event management. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

import type { ProfileState, PropertyMeta, PropertyOperation } from './model.ts';

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Applies one property operation at event time `t` (pure). `set` overwrites; `set_once` fills
 * only an absent property; `add` sums numbers (absent = 0, non-numbers are left alone);
 * `append` concatenates; `uniq_append` adds values not yet present; `unset` removes keys;
 * `delete` clears every property.
 */
export function applyOperation(state: ProfileState, operation: PropertyOperation, t: number): ProfileState {
  const properties: Record<string, unknown> = { ...state.properties };
  const meta: Record<string, PropertyMeta> = { ...state.meta };
  switch (operation.op) {
    case 'set':
      for (const [key, value] of Object.entries(operation.values)) {
        properties[key] = value;
        meta[key] = { op: 'set', t };
      }
      break;
    case 'set_once':
      for (const [key, value] of Object.entries(operation.values)) {
        if (key in properties) continue;
        properties[key] = value;
        meta[key] = { op: 'set_once', t };
      }
      break;
    case 'add':
      for (const [key, value] of Object.entries(operation.values)) {
        if (!isNumber(value)) continue;
        const current = properties[key] ?? 0;
        if (!isNumber(current)) continue;
        properties[key] = current + value;
        meta[key] = { op: 'add', t };
      }
      break;
    case 'append':
    case 'uniq_append':
      for (const [key, value] of Object.entries(operation.values)) {
        const list = asList(properties[key]);
        const added = asList(value);
        properties[key] =
          operation.op === 'append'
            ? [...list, ...added]
            : [
                ...list,
                ...added.filter(
                  (v, i) => !list.some((x) => same(x, v)) && added.findIndex((y) => same(y, v)) === i,
                ),
              ];
        meta[key] = { op: 'list', t };
      }
      break;
    case 'unset':
      for (const key of operation.keys) {
        delete properties[key];
        delete meta[key];
      }
      break;
    case 'delete':
      return { properties: {}, meta: {} };
  }
  return { properties, meta };
}

/**
 * Merges the properties of two profiles (SPEC §2.2): the latest `set` wins, `set_once` keeps the
 * oldest, `add` sums, lists unite. `winner` keeps its value where the rules do not decide.
 */
export function mergeStates(winner: ProfileState, loser: ProfileState): ProfileState {
  const properties: Record<string, unknown> = { ...winner.properties };
  const meta: Record<string, PropertyMeta> = { ...winner.meta };
  for (const [key, value] of Object.entries(loser.properties)) {
    const lm = loser.meta[key] ?? { op: 'set', t: 0 };
    const wm = meta[key];
    if (!(key in properties) || wm === undefined) {
      properties[key] = value;
      meta[key] = lm;
      continue;
    }
    const wv = properties[key];
    if (wm.op === 'add' && lm.op === 'add' && isNumber(wv) && isNumber(value)) {
      properties[key] = wv + value;
      meta[key] = { op: 'add', t: Math.max(wm.t, lm.t) };
    } else if (wm.op === 'list' || lm.op === 'list') {
      const list = asList(wv);
      properties[key] = [...list, ...asList(value).filter((v) => !list.some((x) => same(x, v)))];
      meta[key] = { op: 'list', t: Math.max(wm.t, lm.t) };
    } else if (wm.op === 'set_once' && lm.op === 'set_once') {
      if (lm.t < wm.t) {
        properties[key] = value;
        meta[key] = lm;
      }
    } else if (lm.op !== 'set_once' && (wm.op === 'set_once' || lm.t > wm.t)) {
      // A set beats a set-once; between two sets (or adds) the later one wins.
      properties[key] = value;
      meta[key] = lm;
    }
  }
  return { properties, meta };
}

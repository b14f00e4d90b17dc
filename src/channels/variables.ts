import type { Issues } from '../issues.ts';
import type { TemplateField } from './model.ts';

/**
 * A variable of SPEC §4.1 and §5, written `${name}` inside `dynamic_text` values: its value is
 * the user's property (`user.<property>`) or, in event-triggered flows, the triggering event's
 * property (`event.<property>`). When the property is missing or empty, `defaultValue` is used,
 * or empty text without one.
 */
export interface Variable {
  readonly name: string;
  readonly source: { readonly from: 'user' | 'event'; readonly property: string };
  readonly defaultValue: string | null;
}

/** A variable as the API carries it: `{"name":"name","source":"user.nickname","default":"Player"}`. */
export interface VariableJson {
  readonly name: string;
  readonly source: string;
  readonly default?: string | null;
}

export const variableLimits = { count: 50, nameMaxChars: 64, propertyMaxChars: 255 } as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `${name}`: the only placeholder form; anything else (`$name`, `${ x }`) is literal text. */
export const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The variable names a text refers to, in order of first use. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * Checks variables and the `${name}` references of the template values: names are identifiers
 * and unique, sources are `user.<property>` (and `event.<property>` only where the flow has a
 * triggering event), and every `${name}` in a `dynamic_text` value names a declared variable.
 * Problems go to `issues` under `pathPrefix` (e.g. `/variables/0/source`).
 *
 * @example
 *   const variables = checkVariables(body.variables, fields, values, { eventSource: false }, issues);
 */
export function checkVariables(
  input: readonly VariableJson[],
  fields: readonly TemplateField[],
  values: Readonly<Record<string, unknown>>,
  options: { readonly eventSource: boolean; readonly pathPrefix?: string; readonly valuesPrefix?: string },
  issues: Issues,
): Variable[] {
  const prefix = options.pathPrefix ?? '/variables';
  const out: Variable[] = [];
  const seen = new Set<string>();
  if (input.length > variableLimits.count)
    issues.add(prefix, 'max_items', `must hold at most ${variableLimits.count} variables`);
  input.slice(0, variableLimits.count).forEach((v, i) => {
    const at = `${prefix}/${i}`;
    if (!NAME.test(v.name) || v.name.length > variableLimits.nameMaxChars)
      issues.add(`${at}/name`, 'pattern', 'must be a name such as nickname (letters, digits, _)');
    else if (seen.has(v.name)) issues.add(`${at}/name`, 'unique', `"${v.name}" is declared twice`);
    seen.add(v.name);
    const dot = v.source.indexOf('.');
    const from = v.source.slice(0, dot);
    const property = v.source.slice(dot + 1);
    if (dot < 0 || (from !== 'user' && from !== 'event') || property.trim() === '')
      issues.add(`${at}/source`, 'pattern', 'must be user.<property> or event.<property>');
    else if (from === 'event' && !options.eventSource)
      issues.add(
        `${at}/source`,
        'event_source',
        'event.<property> needs an event-triggered flow; use user.<property>',
      );
    else if (property.length > variableLimits.propertyMaxChars)
      issues.add(
        `${at}/source`,
        'max_length',
        `the property name is longer than ${variableLimits.propertyMaxChars}`,
      );
    if (v.default !== undefined && v.default !== null && typeof v.default !== 'string')
      issues.add(`${at}/default`, 'type', 'must be text or null');
    out.push({
      name: v.name,
      source: { from: from === 'event' ? 'event' : 'user', property },
      defaultValue: typeof v.default === 'string' ? v.default : null,
    });
  });
  const valuesPrefix = options.valuesPrefix ?? '/template_values';
  for (const field of fields) {
    const value = values[field.key];
    if (field.type !== 'dynamic_text' || typeof value !== 'string') continue;
    for (const name of placeholdersOf(value))
      if (!seen.has(name))
        issues.add(
          `${valuesPrefix}/${field.key}`,
          'unknown_variable',
          `uses \${${name}}, which is not among the variables`,
        );
  }
  return out;
}

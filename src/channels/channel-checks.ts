import type { Cidr } from '../config/cidr.ts';
import { TouchpointError } from '../errors.ts';
import type { Issues } from '../issues.ts';
import { checkTargetUrl } from '../net/check-target-url.ts';
import {
  KEY_PATTERN,
  type CustomParam,
  type EnumOption,
  type ReceiptStep,
  type TemplateColumn,
  type TemplateField,
} from './model.ts';

// Checks every channel kind shares: the name, target URLs, and the content template (fields,
// custom params, receipt funnel) of SPEC §3.1. A kind's own settings are checked in its folder.

/** SPEC §3.1 limits, and the bounds Touchpoint adds where SPEC names none. */
export const channelLimits = {
  nameMaxChars: 15,
  templateFields: 50,
  arrayRowColumns: 20,
  customParams: 50,
  receiptSteps: 10,
  /** The enum-options URL CONTRACT: at most 1,000 options (the console warns above 100). */
  enumOptions: 1000,
  enumOptionsWarn: 100,
  rateLimitMax: 10_000,
  timeoutMaxS: 3600,
} as const;

/** A channel name per SPEC §3.1: 1–15 Unicode characters (code points) after trimming. */
export function checkChannelName(name: string, issues: Issues): string {
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length === 0) issues.add('/name', 'min_length', 'must not be empty');
  else if (length > channelLimits.nameMaxChars)
    issues.add(
      '/name',
      'max_length',
      `must be at most ${channelLimits.nameMaxChars} characters after trimming`,
    );
  return trimmed;
}

/**
 * The save-time check of a customer URL (SSRF-01/03/10/11/13): http(s), a public or allow-listed
 * target, and no credentials in the URL (the channel token is the place for a secret, and a URL
 * is shown in every answer). Host names are judged again, resolved, at every send.
 */
export function checkChannelUrl(url: string, path: string, allowTargets: readonly Cidr[]): string {
  try {
    const target = checkTargetUrl(url, { allowTargets });
    if (target.url.username !== '' || target.url.password !== '')
      throw new TouchpointError('TP_ERR_CHANNEL_URL_CREDENTIALS', { field: path });
    return target.url.href;
  } catch (error) {
    if (error instanceof TouchpointError && error.code !== 'TP_ERR_CHANNEL_URL_CREDENTIALS')
      throw new TouchpointError(error.code, { ...error.details, field: path }, { message: error.message });
    throw error;
  }
}

function checkKey(key: string, path: string, issues: Issues, seen: Set<string>): void {
  if (!KEY_PATTERN.test(key))
    issues.add(
      path,
      'pattern',
      'must match ^[A-Za-z_][A-Za-z0-9_]*$ (a letter or _, then letters, digits, _)',
    );
  else if (seen.has(key)) issues.add(path, 'unique', `"${key}" is used twice`);
  seen.add(key);
}

function checkText(value: string, path: string, issues: Issues, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') issues.add(path, 'min_length', 'must not be empty');
  else if ([...trimmed].length > max) issues.add(path, 'max_length', `must be at most ${max} characters`);
  return trimmed;
}

function checkOptions(options: readonly EnumOption[], path: string, issues: Issues): EnumOption[] {
  if (options.length === 0) issues.add(path, 'min_items', 'must list at least one option');
  if (options.length > channelLimits.enumOptions)
    issues.add(path, 'max_items', `must list at most ${channelLimits.enumOptions} options`);
  const codes = new Set<string>();
  return options.map((o, i) => {
    const code = o.code.trim();
    if (code === '') issues.add(`${path}/${i}/code`, 'min_length', 'must not be empty');
    else if (codes.has(code)) issues.add(`${path}/${i}/code`, 'unique', `code "${code}" is listed twice`);
    codes.add(code);
    return { code, name: checkText(o.name, `${path}/${i}/name`, issues, 100) };
  });
}

function checkColumns(columns: readonly TemplateColumn[], path: string, issues: Issues): TemplateColumn[] {
  if (columns.length === 0) issues.add(path, 'min_items', 'an array_row field needs at least one column');
  if (columns.length > channelLimits.arrayRowColumns)
    issues.add(path, 'max_items', `must list at most ${channelLimits.arrayRowColumns} columns`);
  const keys = new Set<string>();
  return columns.map((c, i) => {
    const at = `${path}/${i}`;
    checkKey(c.key, `${at}/key`, issues, keys);
    const label = checkText(c.label, `${at}/label`, issues, 50);
    if (c.type === 'enum') {
      if (!c.options) issues.add(`${at}/options`, 'required', 'an enum column needs a manual option list');
      return {
        key: c.key,
        label,
        type: c.type,
        required: c.required,
        options: checkOptions(c.options ?? [], `${at}/options`, issues),
      };
    }
    if (c.options !== undefined) issues.add(`${at}/options`, 'not_allowed', 'only enum columns take options');
    return { key: c.key, label, type: c.type, required: c.required };
  });
}

export function checkTemplate(
  fields: readonly TemplateField[],
  issues: Issues,
  allowTargets: readonly Cidr[],
): TemplateField[] {
  if (fields.length > channelLimits.templateFields)
    issues.add('/template', 'max_items', `must list at most ${channelLimits.templateFields} fields`);
  const keys = new Set<string>();
  return fields.map((f, i) => {
    const at = `/template/${i}`;
    checkKey(f.key, `${at}/key`, issues, keys);
    const label = checkText(f.label, `${at}/label`, issues, 50);
    const prompt = f.prompt === null || f.prompt.trim() === '' ? null : f.prompt.trim();
    const base = { key: f.key, label, type: f.type, prompt, required: f.required };
    if (f.type !== 'enum' && (f.options !== undefined || f.optionsUrl !== undefined))
      issues.add(`${at}/options`, 'not_allowed', 'only enum fields take options or an options_url');
    if (f.type !== 'array_row' && f.columns !== undefined)
      issues.add(`${at}/columns`, 'not_allowed', 'only array_row fields take columns');
    if (f.type === 'enum') {
      if ((f.options === undefined) === (f.optionsUrl === undefined)) {
        issues.add(
          `${at}/options`,
          'one_of',
          'an enum field takes either options (a manual list) or options_url',
        );
        return base;
      }
      if (f.options) return { ...base, options: checkOptions(f.options, `${at}/options`, issues) };
      return {
        ...base,
        optionsUrl: checkChannelUrl(f.optionsUrl as string, `${at}/options_url`, allowTargets),
      };
    }
    if (f.type === 'array_row')
      return { ...base, columns: checkColumns(f.columns ?? [], `${at}/columns`, issues) };
    return base;
  });
}

export function checkCustomParams(params: readonly CustomParam[], issues: Issues): CustomParam[] {
  if (params.length > channelLimits.customParams)
    issues.add('/custom_params', 'max_items', `must list at most ${channelLimits.customParams} params`);
  const keys = new Set<string>();
  return params.map((p, i) => {
    checkKey(p.key, `/custom_params/${i}/key`, issues, keys);
    const property = p.property.trim();
    if (property === '')
      issues.add(`/custom_params/${i}/property`, 'min_length', 'must name a user property');
    return { key: p.key, property, defaultValue: p.defaultValue };
  });
}

export function checkReceiptFunnel(steps: readonly ReceiptStep[], issues: Issues): ReceiptStep[] {
  if (steps.length > channelLimits.receiptSteps)
    issues.add('/receipt_funnel', 'max_items', `must list at most ${channelLimits.receiptSteps} steps`);
  const events = new Set<string>();
  return steps.map((s, i) => {
    const label = checkText(s.label, `/receipt_funnel/${i}/label`, issues, 50);
    const event = s.event.trim();
    if (!/^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/.test(event))
      issues.add(`/receipt_funnel/${i}/event`, 'pattern', 'must be an event name such as ops_push_open');
    else if (events.has(event))
      issues.add(`/receipt_funnel/${i}/event`, 'unique', `event "${event}" is used by two steps`);
    events.add(event);
    return { label, event };
  });
}

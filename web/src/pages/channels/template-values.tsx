import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../../api/client.ts';
import type { Channel, EnumOption, TemplateColumn, TemplateField, ValidationIssue } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { Badge } from '../../ui/display.tsx';
import { FieldMessage } from '../../ui/field.tsx';
import { IconPlus, IconX } from '../../ui/icons.tsx';
import { issueText } from './channel-form.tsx';

// What test send and Send now share: a channel's template values typed per field (array rows
// included) and the Variables editor of SPEC §4.1, with the server's issues shown under their
// field. Test send names values `/params/…`, the send API `/template_values/…`: the caller says
// which (`valuesPath`); variables are `/variables/{i}/…` in both.

type Row = Record<string, string>;
/** The values as typed: text per field, rows of text per array field. */
export type TemplateValues = Record<string, string | Row[]>;
/** A variable of SPEC §4.1 as typed: `${name}` in a dynamic text takes `user.<property>`. */
export interface VariableDraft {
  name: string;
  source: string;
  default: string;
}
/** Issue path → words, as the form shows them under each field. */
export type FieldErrors = Record<string, string>;

const SOURCE_PREFIX = 'user.';

/** The variables to send: rows left as they were added (no name, no property) are dropped. */
export function variablesOf(drafts: readonly VariableDraft[]) {
  return drafts
    .filter((v) => v.name.trim() || (v.source.trim() && v.source.trim() !== SOURCE_PREFIX) || v.default)
    .map((v) => ({
      name: v.name.trim(),
      source: v.source.trim(),
      ...(v.default ? { default: v.default } : {}),
    }));
}

/** The `${name}`s a dynamic text uses (the server's placeholder form). */
const placeholdersIn = (text: string) =>
  [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]);

/** `2026-05-01T09:30` (datetime-local) → `2026-05-01 09:30:00`, the template's local date form. */
const localDate = (value: string) => {
  if (!value) return '';
  const [date = '', time = ''] = value.split('T');
  const [h = '00', m = '00', s = '00'] = time.split(':');
  return `${date} ${h}:${m}:${s}`;
};

function valueFor(type: TemplateField['type'] | TemplateColumn['type'], raw: string): unknown {
  if (raw === '') return undefined;
  if (type === 'number') return Number(raw);
  if (type === 'date') return localDate(raw);
  return raw;
}

/** The typed values as the API takes them (empty fields left out, numbers as numbers). */
export function templateValuesOf(
  fields: readonly TemplateField[],
  values: TemplateValues,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.key];
    if (f.type === 'array_row') {
      const rows = ((v as Row[] | undefined) ?? []).map((row) => {
        const cells: Record<string, unknown> = {};
        for (const c of f.columns ?? []) {
          const cell = valueFor(c.type, row[c.key] ?? '');
          if (cell !== undefined) cells[c.key] = cell;
        }
        return cells;
      });
      if (rows.length > 0) out[f.key] = rows;
    } else {
      const value = valueFor(f.type, (v as string | undefined) ?? '');
      if (value !== undefined) out[f.key] = value;
    }
  }
  return out;
}

/** A value as the API holds it → as typed (the inverse of `valueFor`): dates back to datetime-local. */
function typedOf(type: TemplateField['type'] | TemplateColumn['type'], value: unknown): string {
  if (value === undefined || value === null) return '';
  if (type === 'date' && typeof value === 'string') return value.replace(' ', 'T');
  return typeof value === 'string' ? value : String(value);
}

/** Saved values (a campaign's) → the form's typed values; values of fields it no longer has are left out. */
export function draftValuesOf(
  fields: readonly TemplateField[],
  values: Record<string, unknown>,
): TemplateValues {
  const out: TemplateValues = {};
  for (const f of fields) {
    const v = values[f.key];
    if (v === undefined) continue;
    if (f.type === 'array_row')
      out[f.key] = (Array.isArray(v) ? v : []).map((row: unknown) => {
        const cells: Row = {};
        for (const c of f.columns ?? [])
          cells[c.key] = typedOf(c.type, (row as Record<string, unknown>)[c.key]);
        return cells;
      });
    else out[f.key] = typedOf(f.type, v);
  }
  return out;
}

/** A value or variable issue in words: an undeclared `${name}` names it; a variable's source its form. */
export function valueIssueText(issue: ValidationIssue, t: Translate): string {
  if (issue.rule === 'unknown_variable') {
    const name = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(issue.message)?.[1] ?? '';
    return t('channels.rule.unknown_variable', { name });
  }
  if (/^\/variables\/\d+\/source$/.test(issue.path)) return t('channels.rule.variableSource');
  return issueText(issue, t);
}

/** Whether an issue path has a place in these forms (under a value or a variable row). */
export const isPlacedIssue = (path: string, valuesPath: string) =>
  path.startsWith(`${valuesPath}/`) || /^\/variables\/\d+\/(name|source|default)$/.test(path);

/** Errors without those under `prefix` (a field edited clears its own messages). */
export const withoutErrors = (errors: FieldErrors, prefix: string): FieldErrors =>
  Object.fromEntries(Object.entries(errors).filter(([k]) => !k.startsWith(prefix)));

/** The options of the channel's enum fields that take them from a URL, loaded while `open`. */
export function useUrlOptions(channel: Channel, open: boolean): Record<string, readonly EnumOption[]> {
  const { projectId } = useProject();
  const [options, setOptions] = useState<Record<string, readonly EnumOption[]>>({});
  const fields = channel.template
    .filter((f) => f.type === 'enum' && f.options_url !== undefined)
    .map((f) => f.key)
    .join('\n');
  useEffect(() => {
    if (!open || !fields) return;
    let current = true;
    for (const key of fields.split('\n'))
      api.channelFieldOptions({ projectId, channelId: channel.id, fieldKey: key }).then(
        (list) => current && setOptions((o) => ({ ...o, [key]: list.options })),
        () => undefined,
      );
    return () => {
      current = false;
    };
  }, [open, projectId, channel.id, fields]);
  return options;
}

function ValueInput({
  type,
  options,
  value,
  onChange,
  label,
  invalid,
  prompt,
}: {
  type: TemplateField['type'] | TemplateColumn['type'];
  options: readonly EnumOption[] | undefined;
  value: string;
  onChange: (value: string) => void;
  label: string;
  invalid: boolean;
  prompt?: string | null | undefined;
}) {
  const { t } = useI18n();
  const common = {
    'aria-label': label,
    'aria-invalid': invalid ? true : undefined,
    value,
  } as const;
  if (type === 'enum')
    return (
      <select className="select select-sm" {...common} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('channels.chooseOption')}</option>
        {(options ?? []).map((o) => (
          <option key={o.code} value={o.code}>
            {o.name} ({o.code})
          </option>
        ))}
      </select>
    );
  if (type === 'dynamic_text')
    return (
      <textarea
        className="input textarea"
        rows={2}
        placeholder={prompt ?? ''}
        {...common}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  return (
    <input
      className={`input input-sm${type === 'number' ? ' mono' : ''}`}
      type={type === 'number' ? 'number' : type === 'date' ? 'datetime-local' : 'text'}
      step={type === 'date' ? 1 : type === 'number' ? 'any' : undefined}
      placeholder={prompt ?? ''}
      {...common}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/**
 * The channel's template fields with an input each (array fields as rows), and the server's
 * issue under each field. `onChange` gets one field's new value.
 */
export function TemplateValuesFields({
  channel,
  values,
  onChange,
  errors,
  valuesPath,
  urlOptions,
}: {
  channel: Channel;
  values: TemplateValues;
  onChange: (key: string, value: string | Row[]) => void;
  errors: FieldErrors;
  valuesPath: string;
  urlOptions: Record<string, readonly EnumOption[]>;
}) {
  const { t } = useI18n();
  if (channel.template.length === 0) return null;
  const fieldError = (key: string) =>
    Object.entries(errors).find(
      ([k]) => k === `${valuesPath}/${key}` || k.startsWith(`${valuesPath}/${key}/`),
    )?.[1];

  const fieldInput = (f: TemplateField): ReactNode => {
    const options = f.options ?? urlOptions[f.key];
    if (f.type !== 'array_row')
      return (
        <ValueInput
          type={f.type}
          options={options}
          value={(values[f.key] as string | undefined) ?? ''}
          onChange={(v) => onChange(f.key, v)}
          label={f.label}
          invalid={fieldError(f.key) !== undefined}
          prompt={f.prompt}
        />
      );
    const rows = (values[f.key] as Row[] | undefined) ?? [];
    const columns = f.columns ?? [];
    return (
      <div className="array-rows" role="group" aria-label={f.label}>
        {rows.length > 0 ? (
          <div
            className="array-row array-row-head"
            style={{ gridTemplateColumns: `repeat(${columns.length}, 1fr) 32px` }}
          >
            {columns.map((c) => (
              <span key={c.key}>{c.label}</span>
            ))}
            <span />
          </div>
        ) : null}
        {rows.map((row, r) => (
          <div
            className="array-row"
            key={r}
            style={{ gridTemplateColumns: `repeat(${columns.length}, 1fr) 32px` }}
          >
            {columns.map((c) => (
              <ValueInput
                key={c.key}
                type={c.type}
                options={c.options}
                value={row[c.key] ?? ''}
                onChange={(v) =>
                  onChange(
                    f.key,
                    rows.map((x, j) => (j === r ? { ...x, [c.key]: v } : x)),
                  )
                }
                label={t('channels.cellOf', { field: f.label, row: r + 1, column: c.label })}
                invalid={errors[`${valuesPath}/${f.key}/${r}/${c.key}`] !== undefined}
              />
            ))}
            <Button
              variant="ghost"
              size="sm"
              iconOnly
              icon={<IconX />}
              aria-label={t('channels.removeRowOf', { field: f.label, n: r + 1 })}
              onClick={() =>
                onChange(
                  f.key,
                  rows.filter((_, j) => j !== r),
                )
              }
            />
          </div>
        ))}
        <div>
          <Button
            size="sm"
            variant="ghost"
            icon={<IconPlus />}
            onClick={() => onChange(f.key, [...rows, {}])}
          >
            {t('channels.addRowTo', { field: f.label })}
          </Button>
        </div>
      </div>
    );
  };

  return (
    <div className="field">
      <span className="field-label">{t('channels.templateValues')}</span>
      <div className="test-values">
        {channel.template.map((f) => (
          <div className="test-value" key={f.key}>
            <div className="test-value-label">
              <span>{f.label}</span>
              <span className="mono muted">{f.key}</span>
              <Badge>{t(`channels.fieldType.${f.type}`)}</Badge>
              {f.required !== false ? <span className="muted">{t('channels.required')}</span> : null}
            </div>
            {fieldInput(f)}
            <FieldMessage error={fieldError(f.key)} />
          </div>
        ))}
      </div>
    </div>
  );
}

/**
 * The Variables editor (SPEC §4.1), shown when the channel has a dynamic text: name, source
 * (`user.<property>`) and default per row; "declare" adds the `${name}`s the values use that no
 * row declares yet. `id` makes its label unique on the page.
 */
export function VariablesEditor({
  id,
  channel,
  values,
  variables,
  onChange,
  errors,
  hint,
  sources = [],
  sourceHeading,
}: {
  id: string;
  channel: Channel;
  values: TemplateValues;
  variables: VariableDraft[];
  /** The new rows, and the prefix of the errors they make stale (none when rows are added). */
  onChange: (variables: VariableDraft[], stale?: string) => void;
  errors: FieldErrors;
  /** What fills a variable here (the test user's property unless said otherwise). */
  hint?: string;
  /** Sources to suggest while typing one (`user.<property>` of the profiles there are). */
  sources?: readonly string[];
  /** The source column's heading, when more than `user.<property>` is allowed. */
  sourceHeading?: string;
}) {
  const { t } = useI18n();
  if (!channel.template.some((f) => f.type === 'dynamic_text')) return null;
  const declared = new Set(variables.map((v) => v.name.trim()));
  const undeclared = [
    ...new Set(
      channel.template
        .filter((f) => f.type === 'dynamic_text')
        .flatMap((f) => placeholdersIn((values[f.key] as string | undefined) ?? '')),
    ),
  ].filter((name): name is string => name !== undefined && !declared.has(name));
  const setVariable = (i: number, change: Partial<VariableDraft>) =>
    onChange(
      variables.map((v, j) => (j === i ? { ...v, ...change } : v)),
      `/variables/${i}/`,
    );
  const labelId = `${id}-label`;
  return (
    <div className="field">
      <span className="field-label" id={labelId}>
        {t('channels.variables')}
      </span>
      <div className="pair-list pair-list-vars" role="group" aria-labelledby={labelId}>
        {variables.length > 0 ? (
          <div className="pair-head" aria-hidden="true">
            <span>{t('channels.variableName')}</span>
            <span>{sourceHeading ?? t('channels.variableSource')}</span>
            <span>{t('channels.variableDefault')}</span>
            <span />
          </div>
        ) : null}
        {variables.map((v, i) => {
          const at = `/variables/${i}`;
          const rowError = errors[`${at}/name`] ?? errors[`${at}/source`] ?? errors[`${at}/default`];
          return (
            <div className="pair-row" key={i}>
              <input
                className="input input-sm mono"
                aria-label={t('channels.variableNameN', { n: i + 1 })}
                aria-invalid={errors[`${at}/name`] ? true : undefined}
                value={v.name}
                placeholder="nickname"
                onChange={(e) => setVariable(i, { name: e.target.value })}
              />
              <input
                className="input input-sm mono"
                aria-label={t('channels.variableSourceN', { n: i + 1 })}
                aria-invalid={errors[`${at}/source`] ? true : undefined}
                value={v.source}
                placeholder="user.nickname"
                list={sources.length > 0 ? `${id}-sources` : undefined}
                onChange={(e) => setVariable(i, { source: e.target.value })}
              />
              <input
                className="input input-sm"
                aria-label={t('channels.variableDefaultN', { n: i + 1 })}
                aria-invalid={errors[`${at}/default`] ? true : undefined}
                value={v.default}
                placeholder={t('channels.variableDefaultPlaceholder')}
                onChange={(e) => setVariable(i, { default: e.target.value })}
              />
              <Button
                variant="ghost"
                size="sm"
                iconOnly
                icon={<IconX />}
                aria-label={t('channels.removeVariableN', { n: i + 1 })}
                onClick={() =>
                  onChange(
                    variables.filter((_, j) => j !== i),
                    '/variables/',
                  )
                }
              />
              {rowError ? <FieldMessage error={rowError} /> : null}
            </div>
          );
        })}
        <div className="row">
          <Button
            size="sm"
            variant="ghost"
            icon={<IconPlus />}
            onClick={() => onChange([...variables, { name: '', source: SOURCE_PREFIX, default: '' }])}
          >
            {t('channels.addVariable')}
          </Button>
          {undeclared.length > 0 ? (
            <Button
              size="sm"
              variant="ghost"
              onClick={() =>
                onChange([
                  ...variables,
                  ...undeclared.map((name) => ({ name, source: `${SOURCE_PREFIX}${name}`, default: '' })),
                ])
              }
            >
              {t('channels.declareUsed', { names: undeclared.map((n) => `\${${n}}`).join(', ') })}
            </Button>
          ) : null}
        </div>
      </div>
      {sources.length > 0 ? (
        <datalist id={`${id}-sources`}>
          {sources.map((source) => (
            <option key={source} value={source} />
          ))}
        </datalist>
      ) : null}
      <FieldMessage hint={hint ?? t('channels.variablesHint')} />
    </div>
  );
}

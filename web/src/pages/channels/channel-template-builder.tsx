import { useState, type ReactNode } from 'react';
import { api } from '../../api/client.ts';
import {
  columnTypes,
  templateFieldTypes,
  type ColumnType,
  type EnumOptionList,
  type TemplateField,
  type TemplateFieldType,
} from '../../api/types.ts';
import { FieldMessage } from '../../ui/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Badge } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { IconChevronDown, IconEye, IconPlus, IconTrash, IconX } from '../../ui/icons.tsx';

// The template-field builder of the channel form (SPEC §3.1 "content template"): typed fields an
// operator fills per campaign, each with a key, label, prompt and required flag; enum options by
// hand (code/name rows) or from a URL with a preview; array_row fields with typed columns.

export interface OptionDraft {
  readonly uid: number;
  readonly code: string;
  readonly name: string;
}

export interface ColumnDraft {
  readonly uid: number;
  readonly key: string;
  readonly label: string;
  readonly type: ColumnType;
  readonly required: boolean;
  readonly options: readonly OptionDraft[];
}

export interface FieldDraft {
  readonly uid: number;
  readonly key: string;
  readonly label: string;
  readonly type: TemplateFieldType;
  readonly prompt: string;
  readonly required: boolean;
  readonly optionsFrom: 'manual' | 'url';
  readonly options: readonly OptionDraft[];
  readonly optionsUrl: string;
  readonly columns: readonly ColumnDraft[];
}

let nextUid = 1;
export const uid = () => nextUid++;

export const newOption = (code = '', name = ''): OptionDraft => ({ uid: uid(), code, name });
export const newColumn = (): ColumnDraft => ({
  uid: uid(),
  key: '',
  label: '',
  type: 'text',
  required: true,
  options: [],
});
export const newField = (): FieldDraft => ({
  uid: uid(),
  key: '',
  label: '',
  type: 'text',
  prompt: '',
  required: true,
  optionsFrom: 'manual',
  options: [],
  optionsUrl: '',
  columns: [],
});

export function fieldDraftOf(f: TemplateField): FieldDraft {
  return {
    uid: uid(),
    key: f.key,
    label: f.label,
    type: f.type,
    prompt: f.prompt ?? '',
    required: f.required ?? true,
    optionsFrom: f.options_url !== undefined ? 'url' : 'manual',
    options: (f.options ?? []).map((o) => newOption(o.code, o.name)),
    optionsUrl: f.options_url ?? '',
    columns: (f.columns ?? []).map((c) => ({
      uid: uid(),
      key: c.key,
      label: c.label,
      type: c.type,
      required: c.required ?? true,
      options: (c.options ?? []).map((o) => newOption(o.code, o.name)),
    })),
  };
}

const optionsOf = (rows: readonly OptionDraft[]) =>
  rows.map((o) => ({ code: o.code.trim(), name: o.name.trim() }));

/** The API form of the builder's fields, in order. */
export function templateOf(fields: readonly FieldDraft[]): TemplateField[] {
  return fields.map((f) => ({
    key: f.key.trim(),
    label: f.label.trim(),
    type: f.type,
    prompt: f.prompt.trim() || null,
    required: f.required,
    ...(f.type === 'enum'
      ? f.optionsFrom === 'url'
        ? { options_url: f.optionsUrl.trim() }
        : { options: optionsOf(f.options) }
      : {}),
    ...(f.type === 'array_row'
      ? {
          columns: f.columns.map((c) => ({
            key: c.key.trim(),
            label: c.label.trim(),
            type: c.type,
            required: c.required,
            ...(c.type === 'enum' ? { options: optionsOf(c.options) } : {}),
          })),
        }
      : {}),
  }));
}

/** Manual enum options: code/name rows with add and remove. */
function OptionRows({
  rows,
  onChange,
  path,
  errors,
  clearErrors,
  owner,
}: {
  rows: readonly OptionDraft[];
  onChange: (rows: OptionDraft[]) => void;
  path: string;
  errors: Record<string, string>;
  clearErrors: (prefix: string) => void;
  /** Accessible name prefix, e.g. "Field 2". */
  owner: string;
}) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<OptionDraft>) => {
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    clearErrors(`${path}/${i}`);
  };
  return (
    <div className="tpl-options">
      {rows.length > 0 ? (
        <div className="tpl-options-head" aria-hidden="true">
          <span>{t('channels.optionCode')}</span>
          <span>{t('channels.optionName')}</span>
        </div>
      ) : null}
      {rows.map((r, i) => (
        <div className="tpl-option" key={r.uid}>
          <input
            className="input input-sm mono"
            aria-label={t('channels.optionCodeOf', { owner, n: i + 1 })}
            value={r.code}
            placeholder="coupon_10"
            aria-invalid={errors[`${path}/${i}/code`] ? true : undefined}
            onChange={(e) => set(i, { code: e.target.value })}
          />
          <input
            className="input input-sm"
            aria-label={t('channels.optionNameOf', { owner, n: i + 1 })}
            value={r.name}
            placeholder={t('channels.optionNamePlaceholder')}
            aria-invalid={errors[`${path}/${i}/name`] ? true : undefined}
            onChange={(e) => set(i, { name: e.target.value })}
          />
          <Button
            variant="ghost"
            size="sm"
            iconOnly
            icon={<IconX />}
            aria-label={t('channels.removeOptionOf', { owner, n: i + 1 })}
            title={t('common.remove')}
            onClick={() => {
              onChange(rows.filter((_, j) => j !== i));
              clearErrors(path);
            }}
          />
          <FieldMessage error={errors[`${path}/${i}/code`] ?? errors[`${path}/${i}/name`]} />
        </div>
      ))}
      <FieldMessage error={errors[path]} />
      <div>
        <Button
          size="sm"
          variant="ghost"
          icon={<IconPlus />}
          onClick={() => {
            onChange([...rows, newOption()]);
            clearErrors(path);
          }}
        >
          {t('channels.addOption')}
        </Button>
      </div>
    </div>
  );
}

/** Options from a URL: the address and a Preview that fetches it now through the API. */
function OptionsUrl({
  field,
  onChange,
  path,
  errors,
  clearErrors,
  owner,
  token,
}: {
  field: FieldDraft;
  onChange: (url: string) => void;
  path: string;
  errors: Record<string, string>;
  clearErrors: (prefix: string) => void;
  owner: string;
  token: string | undefined;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [preview, setPreview] = useState<EnumOptionList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    setPreview(null);
    try {
      setPreview(
        await api.previewEnumOptions(
          { projectId },
          { url: field.optionsUrl.trim(), ...(token ? { token } : {}) },
        ),
      );
    } catch (e) {
      setError(describeError(e, t));
    } finally {
      setBusy(false);
    }
  };
  const urlError = errors[`${path}/options_url`] ?? errors[`${path}/options`];
  return (
    <div className="tpl-url">
      <div className="tpl-url-row">
        <input
          className="input input-sm mono"
          aria-label={t('channels.optionsUrlOf', { owner })}
          placeholder="https://cms.example.com/api/coupons"
          value={field.optionsUrl}
          aria-invalid={urlError ? true : undefined}
          onChange={(e) => {
            onChange(e.target.value);
            clearErrors(`${path}/options`);
            setPreview(null);
          }}
        />
        <Button
          size="sm"
          icon={<IconEye />}
          loading={busy}
          disabled={!field.optionsUrl.trim()}
          onClick={() => void run()}
          aria-label={t('channels.previewOf', { owner })}
        >
          {t('channels.preview')}
        </Button>
      </div>
      <FieldMessage error={urlError} />
      {!urlError ? <div className="field-hint">{t('channels.optionsUrlHint')}</div> : null}
      {error ? <Alert tone="error">{error}</Alert> : null}
      {preview ? (
        <div className="tpl-preview" data-testid="options-preview">
          <div className="row">
            <strong>{t('channels.previewCount', { n: preview.options.length })}</strong>
            {preview.stale ? <Badge tone="amber">{t('channels.stale')}</Badge> : null}
          </div>
          {preview.warning ? <Alert tone="warning">{t('channels.tooManyOptions')}</Alert> : null}
          <div className="badge-list">
            {preview.options.slice(0, 30).map((o) => (
              <span className="platform-chip" key={o.code}>
                <span className="mono">{o.code}</span>&nbsp;· {o.name}
              </span>
            ))}
            {preview.options.length > 30 ? (
              <span className="muted">{t('channels.andMore', { n: preview.options.length - 30 })}</span>
            ) : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** The typed columns of an array_row field; enum columns take a manual option list. */
function ColumnRows({
  field,
  onChange,
  path,
  errors,
  clearErrors,
  owner,
}: {
  field: FieldDraft;
  onChange: (columns: ColumnDraft[]) => void;
  path: string;
  errors: Record<string, string>;
  clearErrors: (prefix: string) => void;
  owner: string;
}) {
  const { t } = useI18n();
  const columns = field.columns;
  const set = (i: number, patch: Partial<ColumnDraft>) => {
    onChange(columns.map((c, j) => (j === i ? { ...c, ...patch } : c)));
    clearErrors(`${path}/${i}`);
  };
  return (
    <div className="tpl-columns">
      <div className="tpl-sub-title">{t('channels.columns')}</div>
      {columns.map((c, i) => {
        const colOwner = t('channels.columnOf', { owner, n: i + 1 });
        const at = `${path}/${i}`;
        return (
          <div className="tpl-column" key={c.uid}>
            <div className="tpl-column-row">
              <input
                className="input input-sm mono"
                aria-label={t('channels.keyOf', { owner: colOwner })}
                placeholder="item_id"
                value={c.key}
                aria-invalid={errors[`${at}/key`] ? true : undefined}
                onChange={(e) => set(i, { key: e.target.value })}
              />
              <input
                className="input input-sm"
                aria-label={t('channels.labelOf', { owner: colOwner })}
                placeholder={t('channels.columnLabelPlaceholder')}
                value={c.label}
                aria-invalid={errors[`${at}/label`] ? true : undefined}
                onChange={(e) => set(i, { label: e.target.value })}
              />
              <select
                className="select select-sm"
                aria-label={t('channels.typeOf', { owner: colOwner })}
                value={c.type}
                onChange={(e) => set(i, { type: e.target.value as ColumnType })}
              >
                {columnTypes.map((type) => (
                  <option key={type} value={type}>
                    {t(`channels.fieldType.${type}`)}
                  </option>
                ))}
              </select>
              <label className="check tpl-required">
                <input
                  type="checkbox"
                  checked={c.required}
                  aria-label={t('channels.requiredOf', { owner: colOwner })}
                  onChange={(e) => set(i, { required: e.target.checked })}
                />
                <span aria-hidden="true">{t('channels.required')}</span>
              </label>
              <Button
                variant="ghost"
                size="sm"
                iconOnly
                icon={<IconX />}
                aria-label={t('channels.removeOf', { owner: colOwner })}
                title={t('common.remove')}
                onClick={() => {
                  onChange(columns.filter((_, j) => j !== i));
                  clearErrors(path);
                }}
              />
            </div>
            <FieldMessage error={errors[`${at}/key`] ?? errors[`${at}/label`] ?? errors[`${at}/type`]} />
            {c.type === 'enum' ? (
              <OptionRows
                rows={c.options}
                onChange={(options) => set(i, { options })}
                path={`${at}/options`}
                errors={errors}
                clearErrors={clearErrors}
                owner={colOwner}
              />
            ) : null}
          </div>
        );
      })}
      <FieldMessage error={errors[path]} />
      <div>
        <Button
          size="sm"
          variant="ghost"
          icon={<IconPlus />}
          onClick={() => {
            onChange([...columns, newColumn()]);
            clearErrors(path);
          }}
          aria-label={t('channels.addColumnTo', { owner })}
        >
          {t('channels.addColumn')}
        </Button>
      </div>
    </div>
  );
}

/**
 * The builder: one card per field with its order, key, label, type, required flag and prompt,
 * and the type's own settings below. Fields move up and down; errors stay under the part named
 * by the API's issue path (`/template/2/options/0/code`).
 */
export function TemplateBuilder({
  fields,
  onChange,
  errors,
  clearErrors,
  token,
}: {
  fields: readonly FieldDraft[];
  onChange: (fields: FieldDraft[]) => void;
  errors: Record<string, string>;
  /** Clears every error whose path starts with the prefix. */
  clearErrors: (prefix: string) => void;
  /** The token typed in the form, so a preview signs like the saved channel will. */
  token: string | undefined;
}) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<FieldDraft>) => {
    onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
    clearErrors(`/template/${i}`);
  };
  const move = (i: number, step: -1 | 1) => {
    const next = [...fields];
    const [item] = next.splice(i, 1);
    if (!item) return;
    next.splice(i + step, 0, item);
    onChange(next);
    clearErrors('/template');
  };
  return (
    <div className="tpl" data-testid="template-builder">
      {fields.length === 0 ? <p className="muted tpl-empty">{t('channels.templateEmpty')}</p> : null}
      <ol className="tpl-list">
        {fields.map((f, i) => {
          const owner = t('channels.fieldN', { n: i + 1 });
          const at = `/template/${i}`;
          const extra: ReactNode =
            f.type === 'enum' ? (
              <div className="tpl-extra">
                <div
                  className="segmented segmented-sm"
                  role="radiogroup"
                  aria-label={t('channels.optionsFromOf', { owner })}
                >
                  {(['manual', 'url'] as const).map((from) => (
                    <button
                      key={from}
                      type="button"
                      role="radio"
                      aria-checked={f.optionsFrom === from}
                      onClick={() => {
                        set(i, { optionsFrom: from });
                      }}
                    >
                      {t(`channels.optionsFrom.${from}`)}
                    </button>
                  ))}
                </div>
                {f.optionsFrom === 'manual' ? (
                  <OptionRows
                    rows={f.options}
                    onChange={(options) => set(i, { options })}
                    path={`${at}/options`}
                    errors={errors}
                    clearErrors={clearErrors}
                    owner={owner}
                  />
                ) : (
                  <OptionsUrl
                    field={f}
                    onChange={(optionsUrl) => set(i, { optionsUrl })}
                    path={at}
                    errors={errors}
                    clearErrors={clearErrors}
                    owner={owner}
                    token={token}
                  />
                )}
              </div>
            ) : f.type === 'array_row' ? (
              <div className="tpl-extra">
                <ColumnRows
                  field={f}
                  onChange={(columns) => set(i, { columns })}
                  path={`${at}/columns`}
                  errors={errors}
                  clearErrors={clearErrors}
                  owner={owner}
                />
              </div>
            ) : null;
          return (
            <li className="tpl-field" key={f.uid} aria-label={owner} data-testid="template-field">
              <div className="tpl-field-head">
                <span className="tpl-index" aria-hidden="true">
                  {i + 1}
                </span>
                <div className="tpl-field-grid">
                  <label className="tpl-cell">
                    <span className="tpl-cell-label">{t('channels.fieldKey')}</span>
                    <input
                      className="input input-sm mono"
                      aria-label={t('channels.keyOf', { owner })}
                      placeholder="title"
                      value={f.key}
                      aria-invalid={errors[`${at}/key`] ? true : undefined}
                      onChange={(e) => set(i, { key: e.target.value })}
                    />
                  </label>
                  <label className="tpl-cell">
                    <span className="tpl-cell-label">{t('channels.fieldLabel')}</span>
                    <input
                      className="input input-sm"
                      aria-label={t('channels.labelOf', { owner })}
                      placeholder={t('channels.fieldLabelPlaceholder')}
                      value={f.label}
                      aria-invalid={errors[`${at}/label`] ? true : undefined}
                      onChange={(e) => set(i, { label: e.target.value })}
                    />
                  </label>
                  <label className="tpl-cell">
                    <span className="tpl-cell-label">{t('channels.fieldType')}</span>
                    <select
                      className="select select-sm"
                      aria-label={t('channels.typeOf', { owner })}
                      value={f.type}
                      onChange={(e) => set(i, { type: e.target.value as TemplateFieldType })}
                    >
                      {templateFieldTypes.map((type) => (
                        <option key={type} value={type}>
                          {t(`channels.fieldType.${type}`)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="check tpl-required">
                    <input
                      type="checkbox"
                      checked={f.required}
                      aria-label={t('channels.requiredOf', { owner })}
                      onChange={(e) => set(i, { required: e.target.checked })}
                    />
                    <span aria-hidden="true">{t('channels.required')}</span>
                  </label>
                </div>
                <div className="tpl-field-actions">
                  <Button
                    variant="ghost"
                    size="sm"
                    iconOnly
                    icon={<IconChevronDown className="icon-flip" />}
                    disabled={i === 0}
                    aria-label={t('channels.moveUpOf', { owner })}
                    title={t('channels.moveUp')}
                    onClick={() => move(i, -1)}
                  />
                  <Button
                    variant="ghost"
                    size="sm"
                    iconOnly
                    icon={<IconChevronDown />}
                    disabled={i === fields.length - 1}
                    aria-label={t('channels.moveDownOf', { owner })}
                    title={t('channels.moveDown')}
                    onClick={() => move(i, 1)}
                  />
                  <Button
                    variant="ghost-danger"
                    size="sm"
                    iconOnly
                    icon={<IconTrash />}
                    aria-label={t('channels.removeOf', { owner })}
                    title={t('common.remove')}
                    onClick={() => {
                      onChange(fields.filter((_, j) => j !== i));
                      clearErrors('/template');
                    }}
                  />
                </div>
              </div>
              <FieldMessage error={errors[`${at}/key`] ?? errors[`${at}/label`] ?? errors[`${at}/type`]} />
              <div className="tpl-field-body">
                <label className="tpl-cell">
                  <span className="tpl-cell-label">
                    {t('channels.fieldPrompt')} <span className="optional">{t('common.optional')}</span>
                  </span>
                  <input
                    className="input input-sm"
                    aria-label={t('channels.promptOf', { owner })}
                    placeholder={t('channels.fieldPromptPlaceholder')}
                    value={f.prompt}
                    onChange={(e) => set(i, { prompt: e.target.value })}
                  />
                </label>
                <p className="field-hint">{t(`channels.fieldTypeHint.${f.type}`)}</p>
                {extra}
              </div>
            </li>
          );
        })}
      </ol>
      <FieldMessage error={errors['/template']} />
      <div>
        <Button
          icon={<IconPlus />}
          onClick={() => {
            onChange([...fields, newField()]);
            clearErrors('/template');
          }}
        >
          {t('channels.addField')}
        </Button>
      </div>
    </div>
  );
}

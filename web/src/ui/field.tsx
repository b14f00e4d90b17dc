import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { IconAlert, IconSearch } from './icons.tsx';

interface FieldFrameProps {
  readonly id: string;
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  readonly optional?: string | undefined;
  readonly children: ReactNode;
}

/** Under a control: its error (announced), else its hint; with `id`, `${id}-error`/`-hint`. */
export function FieldMessage({ id, error, hint }: { id?: string; error?: string | null; hint?: ReactNode }) {
  if (error)
    return (
      <div className="field-error" id={id ? `${id}-error` : undefined} role="alert">
        <IconAlert width={14} height={14} />
        {error}
      </div>
    );
  return hint ? (
    <div className="field-hint" id={id ? `${id}-hint` : undefined}>
      {hint}
    </div>
  ) : null;
}

function FieldFrame({ id, label, hint, error, optional, children }: FieldFrameProps) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
        {optional ? <span className="optional">{optional}</span> : null}
      </label>
      {children}
      <FieldMessage id={id} error={error} hint={hint} />
    </div>
  );
}

function describedBy(id: string, error: string | undefined, hint: ReactNode): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  /** Text shown after the label for optional fields, e.g. "(optional)". */
  readonly optional?: string | undefined;
}

export function TextField({ label, hint, error, optional, className, ...input }: TextFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional}>
      <input
        id={id}
        className={`input ${className ?? ''}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...input}
      />
    </FieldFrame>
  );
}

export interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  readonly optional?: string | undefined;
}

/** Several lines of text, e.g. one web origin per line. */
export function TextAreaField({ label, hint, error, optional, className, ...area }: TextAreaFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error} optional={optional}>
      <textarea
        id={id}
        className={`input textarea ${className ?? ''}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...area}
      />
    </FieldFrame>
  );
}

export interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  readonly options: readonly { readonly value: string; readonly label: string }[];
}

export function SelectField({ label, hint, error, options, ...select }: SelectFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <select
        id={id}
        className="select"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, hint)}
        {...select}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export interface CheckboxGroupProps {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  readonly options: readonly {
    readonly value: string;
    readonly label: string;
    readonly disabled?: boolean;
  }[];
  readonly value: readonly string[];
  readonly onChange: (value: string[]) => void;
  readonly name: string;
}

/** A set of checkboxes in a fieldset, e.g. workspaces of a member or permissions of a token. */
export function CheckboxGroup({ label, hint, error, options, value, onChange, name }: CheckboxGroupProps) {
  const id = useId();
  return (
    <fieldset className="field fieldset" aria-describedby={describedBy(id, error, hint)}>
      <legend className="field-label">{label}</legend>
      <div className="check-grid" aria-invalid={error ? true : undefined}>
        {options.map((o) => (
          <label className="check" key={o.value}>
            <input
              type="checkbox"
              name={name}
              value={o.value}
              disabled={o.disabled}
              checked={value.includes(o.value)}
              onChange={(e) =>
                onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))
              }
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      <FieldMessage id={id} error={error} hint={hint} />
    </fieldset>
  );
}

export interface SwitchProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> {
  readonly label: ReactNode;
}

export function Switch({ label, ...input }: SwitchProps) {
  return (
    <label className="switch">
      <input type="checkbox" role="switch" {...input} />
      <span>{label}</span>
    </label>
  );
}

export interface SearchInputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> {
  readonly label: string;
}

/** A filter box for toolbars; `label` is its accessible name and placeholder. */
export function SearchInput({ label, ...input }: SearchInputProps) {
  return (
    <div className="input-with-icon">
      <IconSearch />
      <input type="search" className="input input-sm" aria-label={label} placeholder={label} {...input} />
    </div>
  );
}

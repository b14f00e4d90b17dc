import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { Button } from '../../ui/button.tsx';
import { IconX } from '../../ui/icons.tsx';
import { inputOf, isDateOperator, kindOf, operatorsFor, type PropertyRow } from './audience-model.ts';
import './audiences.css';

// One property condition (property, operator, value or values) over a map of property names to
// their observed JSON types: a profile property in the audience builder, an event property in a
// behavior condition's filters and in an event-triggered campaign's filters (same rows, same JSON).

/** Property names → their observed JSON types. */
export type TypeMap = ReadonlyMap<string, readonly string[]>;

export function PropertyConditionRow({
  row,
  onChange,
  onRemove,
  properties,
  label,
}: {
  row: PropertyRow;
  onChange: (next: PropertyRow) => void;
  onRemove: () => void;
  properties: TypeMap;
  label: string;
}) {
  const { t } = useI18n();
  const kind = kindOf(properties.get(row.property));
  const input = inputOf(row.operator, kind);
  const dateInput = isDateOperator(row.operator) || (row.operator === 'between' && kind === 'string');
  const valueType =
    row.operator === 'within_last_days'
      ? 'number'
      : dateInput
        ? 'date'
        : kind === 'number'
          ? 'number'
          : 'text';
  return (
    <div className="audience-row" role="group" aria-label={label}>
      <select
        className="select"
        aria-label={t('audiences.property')}
        value={row.property}
        onChange={(e) => onChange({ ...row, property: e.target.value, operator: '', value: '', value2: '' })}
      >
        <option value="">{t('audiences.choose')}</option>
        {[...properties.keys()].map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <select
        className="select"
        aria-label={t('audiences.operator')}
        value={row.operator}
        disabled={!row.property}
        onChange={(e) => onChange({ ...row, operator: e.target.value })}
      >
        <option value="">{t('audiences.choose')}</option>
        {operatorsFor[kind].map((op) => (
          <option key={op} value={op}>
            {t(`audiences.op.${op}` as MessageKey)}
          </option>
        ))}
      </select>
      {input === 'one' || input === 'two' || input === 'list' || input === 'days' ? (
        <input
          className="input"
          aria-label={input === 'days' ? t('audiences.days') : t('audiences.value')}
          type={input === 'list' ? 'text' : valueType}
          title={input === 'list' ? t('audiences.listHint') : undefined}
          placeholder={input === 'list' ? t('audiences.listHint') : undefined}
          value={row.value}
          onChange={(e) => onChange({ ...row, value: e.target.value })}
        />
      ) : null}
      {input === 'two' ? (
        <>
          <span className="muted">{t('audiences.valueTo')}</span>
          <input
            className="input"
            aria-label={`${t('audiences.value')} 2`}
            type={valueType}
            value={row.value2}
            onChange={(e) => onChange({ ...row, value2: e.target.value })}
          />
        </>
      ) : null}
      <Button
        variant="ghost-danger"
        aria-label={t('audiences.remove')}
        title={t('audiences.remove')}
        onClick={onRemove}
      >
        <IconX />
      </Button>
    </div>
  );
}

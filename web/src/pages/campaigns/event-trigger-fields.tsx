import { useId } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { Button } from '../../ui/button.tsx';
import { CheckboxGroup, FieldMessage, SelectField, Switch, TextField } from '../../ui/field.tsx';
import { IconPlus } from '../../ui/icons.tsx';
import type { FieldErrors } from '../channels/template-values.tsx';
import { emptyProperty, type PropertyRow } from '../audiences/audience-model.ts';
import { PropertyConditionRow, type TypeMap } from '../audiences/property-condition.tsx';
import type { DurationUnit, ScheduleDraft } from './campaign-schedule.ts';

// The schedule step's parts for an event-triggered campaign (decision 128): the event with its
// property filters (the audience builder's condition rows over the event's properties), the
// delay, the listening window, and "unless the user does … within …, with the same …"; and, for
// every campaign, its own frequency cap and what the project's quiet hours do to it.

/** The first error whose path starts with `prefix`. */
export const errorAt = (errors: FieldErrors, prefix: string) =>
  Object.entries(errors).find(([k]) => k.startsWith(prefix))?.[1];

/** A number and its unit (minutes or hours), under one label. */
function DurationField({
  label,
  value,
  unit,
  onChange,
  error,
  hint,
  min,
  name,
}: {
  label: string;
  value: string;
  unit: DurationUnit;
  onChange: (value: string, unit: DurationUnit) => void;
  error: string | undefined;
  hint?: string;
  min: number;
  name: string;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="row duration-input">
        <input
          id={id}
          className="input"
          type="number"
          name={name}
          min={min}
          step={1}
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
          onChange={(e) => onChange(e.target.value, unit)}
        />
        <select
          className="select"
          aria-label={t('campaigns.unitOf', { field: label })}
          value={unit}
          onChange={(e) => onChange(value, e.target.value as DurationUnit)}
        >
          <option value="minutes">{t('campaigns.unit.minutes')}</option>
          <option value="hours">{t('campaigns.unit.hours')}</option>
        </select>
      </div>
      <FieldMessage id={id} error={error} hint={hint} />
    </div>
  );
}

/** Property conditions on an event's properties: one row each, and a button to add one. */
function PropertyFilterList({
  id,
  label,
  rowLabel,
  addLabel,
  rows,
  properties,
  disabled,
  onChange,
  error,
  hint,
}: {
  id: string;
  label: string;
  rowLabel: (n: number) => string;
  addLabel: string;
  rows: readonly PropertyRow[];
  properties: TypeMap;
  disabled: boolean;
  onChange: (rows: PropertyRow[]) => void;
  error: string | undefined;
  hint?: string;
}) {
  return (
    <div className="field">
      <span className="field-label" id={id}>
        {label}
      </span>
      <div className="stack event-filters" role="group" aria-labelledby={id}>
        {rows.map((f, i) => (
          <PropertyConditionRow
            key={f.key}
            row={f}
            label={rowLabel(i + 1)}
            properties={properties}
            onChange={(next) => onChange(rows.map((x) => (x.key === f.key ? next : x)))}
            onRemove={() => onChange(rows.filter((x) => x.key !== f.key))}
          />
        ))}
        <div>
          <Button
            size="sm"
            icon={<IconPlus />}
            disabled={disabled}
            onClick={() => onChange([...rows, emptyProperty()])}
          >
            {addLabel}
          </Button>
        </div>
      </div>
      <FieldMessage error={error} hint={hint} />
    </div>
  );
}

export function EventTriggerFields({
  schedule: s,
  setSchedule,
  errors,
  eventTypes,
  timeZone,
}: {
  schedule: ScheduleDraft;
  setSchedule: (change: Partial<ScheduleDraft>) => void;
  errors: FieldErrors;
  eventTypes: ReadonlyMap<string, TypeMap>;
  timeZone: string;
}) {
  const { t } = useI18n();
  const properties: TypeMap = eventTypes.get(s.event) ?? new Map();
  const events = [...eventTypes.keys()];
  // A saved name the catalog no longer lists stays choosable rather than vanishing.
  const options = (current: string) => [
    { value: '', label: t('campaigns.chooseEvent') },
    ...(current && !eventTypes.has(current) ? [current] : []).map((e) => ({ value: e, label: e })),
    ...events.map((e) => ({ value: e, label: e })),
  ];
  const unlessProperties: TypeMap = eventTypes.get(s.unlessEvent) ?? new Map();
  return (
    <div className="form event-trigger" data-testid="event-trigger">
      <SelectField
        label={t('campaigns.triggerEvent')}
        name="trigger_event"
        value={s.event}
        error={errorAt(errors, '/trigger/event')}
        hint={events.length === 0 ? t('campaigns.noEvents') : t('campaigns.triggerEventHint')}
        onChange={(e) => setSchedule({ event: e.target.value, filters: [], same: [] })}
        options={options(s.event)}
      />
      <PropertyFilterList
        id="campaign-event-filters"
        label={t('campaigns.eventFilters')}
        rowLabel={(n) => t('campaigns.eventFilterN', { n })}
        addLabel={t('campaigns.addEventFilter')}
        rows={s.filters}
        properties={properties}
        disabled={!s.event}
        onChange={(filters) => setSchedule({ filters })}
        error={errorAt(errors, '/trigger/filters')}
        hint={t('campaigns.eventFiltersHint')}
      />
      <DurationField
        label={t('campaigns.delay')}
        name="delay"
        min={0}
        value={s.delay}
        unit={s.delayUnit}
        error={errorAt(errors, '/trigger/delay_minutes')}
        hint={t('campaigns.delayHint')}
        onChange={(delay, delayUnit) => setSchedule({ delay, delayUnit })}
      />
      <div className="form-row">
        <TextField
          label={t('campaigns.startAt')}
          optional={t('common.optional')}
          name="start_at"
          type="datetime-local"
          value={s.startAt}
          error={errorAt(errors, '/trigger/start_at')}
          hint={t('campaigns.startAtHint', { zone: timeZone })}
          onChange={(e) => setSchedule({ startAt: e.target.value })}
        />
        <TextField
          label={t('campaigns.listenUntil')}
          optional={t('common.optional')}
          name="end_at"
          type="datetime-local"
          value={s.endAt}
          error={errorAt(errors, '/trigger/end_at')}
          hint={t('campaigns.listenUntilHint', { zone: timeZone })}
          onChange={(e) => setSchedule({ endAt: e.target.value })}
        />
      </div>
      <div className="event-unless">
        <Switch
          label={t('campaigns.unlessToggle')}
          checked={s.unless}
          onChange={(e) => setSchedule({ unless: e.target.checked })}
        />
        {s.unless ? (
          <div className="form event-unless-fields">
            <div className="form-row">
              <SelectField
                label={t('campaigns.unlessEvent')}
                name="unless_event"
                value={s.unlessEvent}
                error={errorAt(errors, '/trigger/unless/event')}
                onChange={(e) => setSchedule({ unlessEvent: e.target.value, unlessFilters: [] })}
                options={options(s.unlessEvent)}
              />
              <DurationField
                label={t('campaigns.unlessWithin')}
                name="unless_within"
                min={1}
                value={s.unlessWithin}
                unit={s.unlessUnit}
                error={errorAt(errors, '/trigger/unless/within_minutes')}
                onChange={(unlessWithin, unlessUnit) => setSchedule({ unlessWithin, unlessUnit })}
              />
            </div>
            <PropertyFilterList
              id="campaign-unless-filters"
              label={t('campaigns.unlessFilters')}
              rowLabel={(n) => t('campaigns.unlessFilterN', { n })}
              addLabel={t('campaigns.addUnlessFilter')}
              rows={s.unlessFilters}
              properties={unlessProperties}
              disabled={!s.unlessEvent}
              onChange={(unlessFilters) => setSchedule({ unlessFilters })}
              error={errorAt(errors, '/trigger/unless/filters')}
            />
            {properties.size > 0 || s.same.length > 0 ? (
              <CheckboxGroup
                label={t('campaigns.same')}
                name="same"
                hint={t('campaigns.sameHint', { event: s.event || '…' })}
                error={errorAt(errors, '/trigger/unless/same')}
                value={s.same}
                onChange={(same) => setSchedule({ same })}
                options={[...new Set([...properties.keys(), ...s.same])].map((p) => ({ value: p, label: p }))}
              />
            ) : (
              <p className="field-hint">{t('campaigns.sameNone')}</p>
            )}
            <p className="field-hint">{t('campaigns.unlessHint')}</p>
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** What the campaign's own limits are as the editor holds them. */
export interface LimitsDraft {
  readonly capOn: boolean;
  readonly capCount: string;
  readonly capHours: string;
  readonly quietHours: 'delay' | 'drop';
}

/** The campaign's own frequency cap (count per N hours, or none) and its quiet-hours mode. */
export function CampaignLimitsFields({
  limits,
  set,
  errors,
}: {
  limits: LimitsDraft;
  set: (change: Partial<LimitsDraft>) => void;
  errors: FieldErrors;
}) {
  const { t } = useI18n();
  const quietId = useId();
  return (
    <fieldset className="campaign-limits">
      <legend className="send-subtitle">{t('campaigns.limits')}</legend>
      <Switch
        label={t('campaigns.capToggle')}
        checked={limits.capOn}
        onChange={(e) => set({ capOn: e.target.checked })}
      />
      {limits.capOn ? (
        <div className="form-row">
          <TextField
            label={t('campaigns.capCount')}
            name="cap_count"
            type="number"
            min={1}
            value={limits.capCount}
            error={errorAt(errors, '/frequency_cap/count') ?? errorAt(errors, '/frequency_cap')}
            onChange={(e) => set({ capCount: e.target.value })}
          />
          <TextField
            label={t('campaigns.capHours')}
            name="cap_hours"
            type="number"
            min={1}
            value={limits.capHours}
            error={errorAt(errors, '/frequency_cap/period_hours')}
            onChange={(e) => set({ capHours: e.target.value })}
          />
        </div>
      ) : null}
      <FieldMessage hint={t('campaigns.capHint')} />
      <div className="field">
        <span className="field-label" id={quietId}>
          {t('campaigns.quietHours')}
        </span>
        <div className="segmented" role="radiogroup" aria-labelledby={quietId}>
          {(['delay', 'drop'] as const).map((mode) => (
            <button
              key={mode}
              type="button"
              role="radio"
              aria-checked={limits.quietHours === mode}
              onClick={() => set({ quietHours: mode })}
            >
              {t(`campaigns.quiet.${mode}`)}
            </button>
          ))}
        </div>
        <FieldMessage error={errorAt(errors, '/quiet_hours')} hint={t('campaigns.quietHint')} />
      </div>
    </fieldset>
  );
}

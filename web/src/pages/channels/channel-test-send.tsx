import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type {
  Channel,
  EnumOption,
  TemplateColumn,
  TemplateField,
  TestSendResult,
  ValidationIssue,
} from '../../api/types.ts';
import { isMessageKey, useI18n, type Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { type DialogControl } from '../../ui/dialog.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { Badge, type Tone } from '../../ui/display.tsx';
import { FieldMessage } from '../../ui/field.tsx';
import { IconPlus, IconPulse, IconX } from '../../ui/icons.tsx';
import { useIdTypes } from './channel-common.tsx';
import { issueText } from './channel-form.tsx';

// Test send (SPEC §3.1): one real request to the channel's endpoint for a test user found by an
// ID (profile lookup) or typed by hand, with template values typed per field; the answer shows
// the request as sent (headers, body), the response, the timing and the verdict per message.

type Row = Record<string, string>;
type Values = Record<string, string | Row[]>;
/** A variable of SPEC §4.1 as typed: `${name}` in a dynamic text takes `user.<property>`. */
interface VariableDraft {
  name: string;
  source: string;
  default: string;
}

const SOURCE_PREFIX = 'user.';

/** The variables to send: rows left as they were added (no name, no property) are dropped. */
function variablesOf(drafts: readonly VariableDraft[]) {
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

function paramsOf(fields: readonly TemplateField[], values: Values): Record<string, unknown> {
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

/** A test-send issue in words: an undeclared `${name}` names it; a variable's source its form. */
function testIssueText(issue: ValidationIssue, t: Translate): string {
  if (issue.rule === 'unknown_variable') {
    const name = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(issue.message)?.[1] ?? '';
    return t('channels.rule.unknown_variable', { name });
  }
  if (/^\/variables\/\d+\/source$/.test(issue.path)) return t('channels.rule.variableSource');
  return issueText(issue, t);
}

const verdictTone: Record<TestSendResult['verdict']['result'], Tone> = {
  success: 'green',
  partial: 'amber',
  failure: 'red',
  sent: 'blue',
};

const pretty = (body: string) => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
};

function Headers({ headers }: { headers: Record<string, string> }) {
  return (
    <dl className="kv kv-headers">
      {Object.entries(headers).map(([k, v]) => (
        <div className="kv-pair" key={k}>
          <dt className="mono">{k}</dt>
          <dd className="mono">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The answer of a test send: verdict and outcome per message, timing, request, response. */
export function TestSendResultView({ result }: { result: TestSendResult }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<'request' | 'response'>('request');
  const v = result.verdict;
  const reasonKey = v.reason ? `channels.reason.${v.reason}` : '';
  return (
    <div className="test-result" data-testid="test-result">
      <div className={`verdict verdict-${v.result}`} role="status" aria-label={t('channels.verdict')}>
        <div className="row">
          <Badge tone={verdictTone[v.result]} dot>
            {t(`channels.verdict.${v.result}`)}
          </Badge>
          {v.status !== null ? <span className="mono">HTTP {v.status}</span> : null}
          <span className="toolbar-spacer" />
          <span className="muted">
            {t('channels.timing', {
              total: Math.round(result.timing.total_ms),
              first:
                result.timing.response_start_ms === null ? '—' : Math.round(result.timing.response_start_ms),
            })}
          </span>
        </div>
        <p className="verdict-detail">
          {v.reason && isMessageKey(reasonKey) ? `${t(reasonKey)} ` : ''}
          {v.detail}
        </p>
        {v.message_outcome ? (
          <div className="message-outcome" data-testid="message-outcome">
            <span className="muted">{t('channels.messageOutcome')}</span>{' '}
            <strong>{t('channels.messageN', { n: 1 })}</strong>{' '}
            <Badge tone={v.message_outcome.state === 'failed' ? 'red' : 'green'}>
              {isMessageKey(`channels.outcome.${v.message_outcome.state}`)
                ? t(`channels.outcome.${v.message_outcome.state}` as MessageKey)
                : v.message_outcome.state}
            </Badge>
            {v.message_outcome.reason ? <span className="mono"> {v.message_outcome.reason}</span> : null}
            {v.message_outcome.receiver_message ? <span> — {v.message_outcome.receiver_message}</span> : null}
          </div>
        ) : null}
        {result.channel.test_status === 'tested' && v.result === 'success' ? (
          <p className="muted">{t('channels.nowTested')}</p>
        ) : null}
      </div>
      <div className="segmented" role="tablist" aria-label={t('channels.exchange')}>
        {(['request', 'response'] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            onClick={() => setTab(name)}
          >
            {t(`channels.${name}`)}
          </button>
        ))}
      </div>
      {tab === 'request' ? (
        result.request ? (
          <div className="exchange" role="tabpanel" aria-label={t('channels.request')}>
            <div className="mono exchange-line">
              {result.request.method} {result.request.url}
            </div>
            <Headers headers={result.request.headers} />
            <div className="code-panel">
              <div className="code-head">
                <span className="code-lang">json · {result.request.body_bytes} B</span>
              </div>
              <pre className="code-block" data-testid="request-body">
                <code>{pretty(result.request.body)}</code>
              </pre>
            </div>
          </div>
        ) : (
          <p className="muted">{t('channels.noRequest')}</p>
        )
      ) : result.response ? (
        <div className="exchange" role="tabpanel" aria-label={t('channels.response')}>
          <div className="mono exchange-line">HTTP {result.response.status}</div>
          <Headers headers={result.response.headers} />
          <div className="code-panel">
            <pre className="code-block" data-testid="response-body">
              <code>{pretty(result.response.body) || t('channels.emptyBody')}</code>
            </pre>
          </div>
        </div>
      ) : (
        <p className="muted">{t('channels.noResponse')}</p>
      )}
    </div>
  );
}

/**
 * The test-send dialog. An admin with `reach.webhook.manage` sends through the project route;
 * anyone else sends from the current workspace, where the channel must be authorized and usable
 * by them (a usage grant for operators) — the API's refusal is shown as it is.
 */
export function TestSendDialog({
  channel,
  onSent,
  ...control
}: DialogControl & {
  channel: Channel;
  onSent: () => void;
}) {
  const { open } = control;
  const { t } = useI18n();
  const { projectId, can, workspace } = useProject();
  const idTypes = useIdTypes();
  const asAdmin = can('reach.webhook.manage');
  const [mode, setMode] = useState<'id' | 'properties'>('id');
  const [idType, setIdType] = useState(channel.send_id_type);
  const [testId, setTestId] = useState('');
  const [props, setProps] = useState<{ key: string; value: string }[]>([]);
  const [values, setValues] = useState<Values>({});
  const [variables, setVariables] = useState<VariableDraft[]>([]);
  const [urlOptions, setUrlOptions] = useState<Record<string, readonly EnumOption[]>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<TestSendResult | null>(null);

  // Reset when the dialog opens, not when the channel reloads after a send (that would wipe the
  // answer just shown).
  const channelRef = useRef(channel);
  channelRef.current = channel;
  useEffect(() => {
    if (!open) return;
    const channel = channelRef.current;
    setIdType(channel.send_id_type);
    setProps([
      { key: channel.send_id_type, value: '' },
      ...channel.custom_params
        .filter((p) => p.property !== channel.send_id_type)
        .map((p) => ({ key: p.property, value: '' })),
    ]);
    setVariables([]);
    setErrors({});
    setError(null);
    setResult(null);
    let current = true;
    for (const f of channel.template)
      if (f.type === 'enum' && f.options_url !== undefined)
        api.channelFieldOptions({ projectId, channelId: channel.id, fieldKey: f.key }).then(
          (list) => current && setUrlOptions((o) => ({ ...o, [f.key]: list.options })),
          () => undefined,
        );
    return () => {
      current = false;
    };
  }, [open, projectId]);

  const setValue = (key: string, value: string | Row[]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith(`/params/${key}`))));
  };

  const setVariable = (i: number, change: Partial<VariableDraft>) => {
    setVariables((list) => list.map((v, j) => (j === i ? { ...v, ...change } : v)));
    const at = `/variables/${i}/`;
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith(at))));
  };
  const removeVariable = (i: number) => {
    setVariables((list) => list.filter((_, j) => j !== i));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('/variables/'))));
  };

  const submit = async () => {
    setErrors({});
    setError(null);
    if (mode === 'id' && !testId.trim()) {
      setErrors({ test_id: t('validation.required') });
      return;
    }
    const sentVariables = variablesOf(variables);
    const properties = Object.fromEntries(
      props.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value]),
    );
    const body = {
      ...(mode === 'id' ? { id_type: idType, test_id: testId.trim() } : { properties }),
      params: paramsOf(channel.template, values),
      ...(sentVariables.length > 0 ? { variables: sentVariables } : {}),
    };
    setResult(null);
    try {
      const answer = asAdmin
        ? await api.testSendChannel({ projectId, channelId: channel.id }, body)
        : await api.testSendWorkspaceChannel(
            { projectId, channelId: channel.id, workspaceId: workspace?.id ?? '' },
            body,
          );
      setResult(answer);
      onSent();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'TP_ERR_VALIDATION') {
        const fields: Record<string, string> = {};
        for (const issue of e.issues) fields[issue.path] ??= testIssueText(issue, t);
        setErrors(fields);
        const unplaced = e.issues.filter(
          (i) => !i.path.startsWith('/params/') && !/^\/variables\/\d+\/(name|source|default)$/.test(i.path),
        );
        setError(unplaced.length > 0 ? unplaced.map((i) => `${i.path} ${i.message}`).join('; ') : null);
      } else throw e;
    }
  };

  const fieldError = (key: string) =>
    Object.entries(errors).find(([k]) => k === `/params/${key}` || k.startsWith(`/params/${key}/`))?.[1];

  const fieldInput = (f: TemplateField): ReactNode => {
    const options = f.options ?? urlOptions[f.key];
    if (f.type !== 'array_row')
      return (
        <ValueInput
          type={f.type}
          options={options}
          value={(values[f.key] as string | undefined) ?? ''}
          onChange={(v) => setValue(f.key, v)}
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
                  setValue(
                    f.key,
                    rows.map((x, j) => (j === r ? { ...x, [c.key]: v } : x)),
                  )
                }
                label={t('channels.cellOf', { field: f.label, row: r + 1, column: c.label })}
                invalid={errors[`/params/${f.key}/${r}/${c.key}`] !== undefined}
              />
            ))}
            <Button
              variant="ghost"
              size="sm"
              iconOnly
              icon={<IconX />}
              aria-label={t('channels.removeRowOf', { field: f.label, n: r + 1 })}
              onClick={() =>
                setValue(
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
            onClick={() => setValue(f.key, [...rows, {}])}
          >
            {t('channels.addRowTo', { field: f.label })}
          </Button>
        </div>
      </div>
    );
  };

  const usesDynamicText = channel.template.some((f) => f.type === 'dynamic_text');
  const declared = new Set(variables.map((v) => v.name.trim()));
  const undeclared = [
    ...new Set(
      channel.template
        .filter((f) => f.type === 'dynamic_text')
        .flatMap((f) => placeholdersIn((values[f.key] as string | undefined) ?? '')),
    ),
  ].filter((name): name is string => name !== undefined && !declared.has(name));

  return (
    <FormDialog
      {...control}
      size="lg"
      icon={<IconPulse />}
      title={t('channels.testSendTitle', { name: channel.name })}
      description={
        asAdmin
          ? t('channels.testSendDescription')
          : t('channels.testSendFromWorkspace', { workspace: workspace?.name ?? '—' })
      }
      className="test-send"
      formLabel={t('channels.testSendForm')}
      error={error}
      cancelLabel={t('common.close')}
      submitLabel={t('channels.send')}
      submitIcon={<IconPulse />}
      onSubmit={submit}
      after={result ? <TestSendResultView result={result} /> : null}
    >
      <div className="field">
        <span className="field-label">{t('channels.testUser')}</span>
        <div className="segmented" role="radiogroup" aria-label={t('channels.testUser')}>
          {(['id', 'properties'] as const).map((m) => (
            <button key={m} type="button" role="radio" aria-checked={mode === m} onClick={() => setMode(m)}>
              {t(`channels.testBy.${m}`)}
            </button>
          ))}
        </div>
      </div>
      {mode === 'id' ? (
        <div className="form-row">
          <div className="field">
            <label className="field-label" htmlFor="test-id-type">
              {t('channels.idType')}
            </label>
            <select
              id="test-id-type"
              className="select"
              value={idType}
              onChange={(e) => setIdType(e.target.value)}
            >
              {[...new Set([channel.send_id_type, ...idTypes])].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="test-id">
              {t('channels.testId')}
            </label>
            <input
              id="test-id"
              className="input mono"
              value={testId}
              aria-invalid={errors.test_id ? true : undefined}
              placeholder="r-1001"
              onChange={(e) => setTestId(e.target.value)}
            />
            <FieldMessage error={errors.test_id} hint={t('channels.testIdHint')} />
          </div>
        </div>
      ) : (
        <div className="pair-list pair-list-props" role="group" aria-label={t('channels.userProperties')}>
          {props.map((p, i) => (
            <div className="pair-row" key={i}>
              <input
                className="input input-sm mono"
                aria-label={t('channels.propertyKeyN', { n: i + 1 })}
                value={p.key}
                placeholder="role_id"
                onChange={(e) => setProps(props.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
              />
              <input
                className="input input-sm"
                aria-label={t('channels.propertyValueN', { n: i + 1, key: p.key })}
                value={p.value}
                onChange={(e) =>
                  setProps(props.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))
                }
              />
              <Button
                variant="ghost"
                size="sm"
                iconOnly
                icon={<IconX />}
                aria-label={t('channels.removePropertyN', { n: i + 1 })}
                onClick={() => setProps(props.filter((_, j) => j !== i))}
              />
            </div>
          ))}
          <div>
            <Button
              size="sm"
              variant="ghost"
              icon={<IconPlus />}
              onClick={() => setProps([...props, { key: '', value: '' }])}
            >
              {t('channels.addProperty')}
            </Button>
          </div>
        </div>
      )}
      {usesDynamicText ? (
        <div className="field">
          <span className="field-label" id="test-variables-label">
            {t('channels.variables')}
          </span>
          <div className="pair-list pair-list-vars" role="group" aria-labelledby="test-variables-label">
            {variables.length > 0 ? (
              <div className="pair-head" aria-hidden="true">
                <span>{t('channels.variableName')}</span>
                <span>{t('channels.variableSource')}</span>
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
                    onClick={() => removeVariable(i)}
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
                onClick={() => setVariables([...variables, { name: '', source: SOURCE_PREFIX, default: '' }])}
              >
                {t('channels.addVariable')}
              </Button>
              {undeclared.length > 0 ? (
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() =>
                    setVariables([
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
          <FieldMessage hint={t('channels.variablesHint')} />
        </div>
      ) : null}
      {channel.template.length > 0 ? (
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
      ) : null}
    </FormDialog>
  );
}

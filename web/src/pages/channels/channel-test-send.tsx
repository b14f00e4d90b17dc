import { useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Channel, TestSendResult } from '../../api/types.ts';
import { isMessageKey, useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { type DialogControl } from '../../ui/dialog.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { Badge, type Tone } from '../../ui/display.tsx';
import { FieldMessage } from '../../ui/field.tsx';
import { IconPlus, IconPulse, IconX } from '../../ui/icons.tsx';
import { useIdTypes } from './channel-common.tsx';
import {
  TemplateValuesFields,
  VariablesEditor,
  isPlacedIssue,
  templateValuesOf,
  useUrlOptions,
  valueIssueText,
  variablesOf,
  withoutErrors,
  type FieldErrors,
  type TemplateValues,
  type VariableDraft,
} from './template-values.tsx';

// Test send (SPEC §3.1): one real request to the channel's endpoint for a test user found by an
// ID (profile lookup) or typed by hand, with template values typed per field; the answer shows
// the request as sent (headers, body), the response, the timing and the verdict per message.

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
  const [values, setValues] = useState<TemplateValues>({});
  const [variables, setVariables] = useState<VariableDraft[]>([]);
  const urlOptions = useUrlOptions(channel, open);
  const [errors, setErrors] = useState<FieldErrors>({});
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
  }, [open]);

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
      params: templateValuesOf(channel.template, values),
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
        for (const issue of e.issues) fields[issue.path] ??= valueIssueText(issue, t);
        setErrors(fields);
        const unplaced = e.issues.filter((i) => !isPlacedIssue(i.path, '/params'));
        setError(unplaced.length > 0 ? unplaced.map((i) => `${i.path} ${i.message}`).join('; ') : null);
      } else throw e;
    }
  };

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
      <VariablesEditor
        id="test-variables"
        channel={channel}
        values={values}
        variables={variables}
        onChange={(next, stale) => {
          setVariables(next);
          if (stale) setErrors((e) => withoutErrors(e, stale));
        }}
        errors={errors}
      />
      <TemplateValuesFields
        channel={channel}
        values={values}
        onChange={(key, value) => {
          setValues((v) => ({ ...v, [key]: value }));
          setErrors((e) => withoutErrors(e, `/params/${key}`));
        }}
        errors={errors}
        valuesPath="/params"
        urlOptions={urlOptions}
      />
    </FormDialog>
  );
}

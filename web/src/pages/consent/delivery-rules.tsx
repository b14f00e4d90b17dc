import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { DeliveryRules } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Card, Loading } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { FieldMessage, Switch, TextField } from '../../ui/field.tsx';
import { useToast } from '../../ui/toast.tsx';
import './consent.css';

// The project's delivery rules (Settings › Delivery rules): a frequency cap across channels or per
// channel, and quiet hours in each user's local time. Everyone in the project reads them; saving
// needs project.manage. Values are sent as typed and the server's issues are shown under their
// fields (by JSON path), so the console and the API never disagree on what is allowed.

interface RulesDraft {
  readonly capOn: boolean;
  readonly count: string;
  readonly hours: string;
  readonly perChannel: boolean;
  readonly quietOn: boolean;
  readonly start: string;
  readonly end: string;
}

function draftOf(rules: DeliveryRules): RulesDraft {
  return {
    capOn: rules.frequency_cap !== null,
    count: String(rules.frequency_cap?.count ?? 3),
    hours: String(rules.frequency_cap?.period_hours ?? 24),
    perChannel: rules.frequency_cap?.per_channel ?? false,
    quietOn: rules.quiet_hours !== null,
    start: rules.quiet_hours?.start ?? '22:00',
    end: rules.quiet_hours?.end ?? '08:00',
  };
}

/** A whole number as typed, or the text itself so the server names the field. */
const numberOf = (text: string) =>
  text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;

/** The field a refusal's issue names, and what to say under it in the reader's language. */
function issueText(path: string, rule: string, t: Translate): [string, string] | null {
  const messages: Record<string, MessageKey> = {
    '/frequency_cap/count': 'rules.countRange',
    '/frequency_cap/period_hours': 'rules.hoursRange',
  };
  if (messages[path]) return [path, t(messages[path])];
  if (path === '/quiet_hours/start' || path === '/quiet_hours/end')
    return [path, t(rule === 'empty' ? 'rules.sameTimes' : 'rules.timeFormat')];
  return null;
}

export function DeliveryRulesPage() {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, project, can } = useProject();
  const [draft, setDraft] = useState<RulesDraft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scopeId = useId();
  const editable = can('project.manage');

  useEffect(() => {
    let live = true;
    api.getDeliveryRules({ projectId }).then(
      (rules) => live && setDraft(draftOf(rules)),
      (error: unknown) => live && setLoadError(error),
    );
    return () => {
      live = false;
    };
  }, [projectId]);

  if (loadError) return <Alert tone="error">{describeError(loadError, t)}</Alert>;
  if (!draft)
    return (
      <Card title={t('rules.title')}>
        <Loading />
      </Card>
    );

  const set = (change: Partial<RulesDraft>, ...cleared: string[]) => {
    setDraft({ ...draft, ...change });
    if (cleared.length > 0)
      setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !cleared.includes(k))));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    setBusy(true);
    try {
      const saved = await api.setDeliveryRules(
        { projectId },
        {
          // Sent as typed: a count of 0 or "abc" is refused by the server under its field.
          frequency_cap: draft.capOn
            ? {
                count: numberOf(draft.count) as number,
                period_hours: numberOf(draft.hours) as number,
                per_channel: draft.perChannel,
              }
            : null,
          quiet_hours: draft.quietOn ? { start: draft.start, end: draft.end } : null,
        },
      );
      setDraft(draftOf(saved));
      toast.success(t('rules.saved'));
    } catch (error) {
      const placed: Record<string, string> = {};
      let unplaced = !(error instanceof ApiError) || error.issues.length === 0;
      if (error instanceof ApiError)
        for (const issue of error.issues) {
          const found = issueText(issue.path, issue.rule, t);
          if (found) placed[found[0]] ??= found[1];
          else unplaced = true;
        }
      setErrors(placed);
      if (unplaced) setFormError(describeError(error, t));
    } finally {
      setBusy(false);
    }
  };

  const zone = project?.time_zone ?? 'UTC';
  return (
    <Card title={t('rules.title')} subtitle={t('rules.subtitle')}>
      <form
        className="form delivery-rules"
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={t('rules.title')}
      >
        {formError ? <Alert tone="error">{formError}</Alert> : null}
        {!editable ? <Alert tone="info">{t('rules.readOnly')}</Alert> : null}
        <fieldset className="rules-section" disabled={!editable}>
          <legend className="send-subtitle">{t('rules.capTitle')}</legend>
          <Switch
            label={t('rules.capToggle')}
            checked={draft.capOn}
            onChange={(e) =>
              set({ capOn: e.target.checked }, '/frequency_cap/count', '/frequency_cap/period_hours')
            }
          />
          {draft.capOn ? (
            <>
              <div className="form-row">
                <TextField
                  label={t('rules.count')}
                  name="count"
                  type="number"
                  min={1}
                  value={draft.count}
                  error={errors['/frequency_cap/count']}
                  onChange={(e) => set({ count: e.target.value }, '/frequency_cap/count')}
                />
                <TextField
                  label={t('rules.hours')}
                  name="period_hours"
                  type="number"
                  min={1}
                  value={draft.hours}
                  error={errors['/frequency_cap/period_hours']}
                  onChange={(e) => set({ hours: e.target.value }, '/frequency_cap/period_hours')}
                />
              </div>
              <div className="field">
                <span className="field-label" id={scopeId}>
                  {t('rules.scope')}
                </span>
                <div className="segmented" role="radiogroup" aria-labelledby={scopeId}>
                  {([false, true] as const).map((perChannel) => (
                    <button
                      key={String(perChannel)}
                      type="button"
                      role="radio"
                      aria-checked={draft.perChannel === perChannel}
                      onClick={() => set({ perChannel })}
                    >
                      {perChannel ? t('rules.perChannel') : t('rules.acrossChannels')}
                    </button>
                  ))}
                </div>
              </div>
            </>
          ) : null}
          <FieldMessage hint={t('rules.capHint')} />
        </fieldset>
        <fieldset className="rules-section" disabled={!editable}>
          <legend className="send-subtitle">{t('rules.quietTitle')}</legend>
          <Switch
            label={t('rules.quietToggle')}
            checked={draft.quietOn}
            onChange={(e) => set({ quietOn: e.target.checked }, '/quiet_hours/start', '/quiet_hours/end')}
          />
          {draft.quietOn ? (
            <div className="form-row">
              <TextField
                label={t('rules.start')}
                name="quiet_start"
                type="time"
                value={draft.start}
                error={errors['/quiet_hours/start']}
                onChange={(e) => set({ start: e.target.value }, '/quiet_hours/start')}
              />
              <TextField
                label={t('rules.end')}
                name="quiet_end"
                type="time"
                value={draft.end}
                error={errors['/quiet_hours/end']}
                onChange={(e) => set({ end: e.target.value }, '/quiet_hours/end')}
              />
            </div>
          ) : null}
          <FieldMessage hint={t('rules.quietHint', { zone })} />
        </fieldset>
        {editable ? (
          <div className="row">
            <Button type="submit" variant="primary" loading={busy}>
              {t('common.saveChanges')}
            </Button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}

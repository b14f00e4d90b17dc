import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Channel, Profile, SendAccepted } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { Dialog, type DialogControl } from '../../ui/dialog.tsx';
import { Alert } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { FieldMessage, SelectField } from '../../ui/field.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { IconPlay, IconPlus, IconSearch, IconX } from '../../ui/icons.tsx';
import { SendProgressView, type SentRecipient } from '../delivery/send-progress.tsx';
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

// Send now (issue 17 item 5): the send API (SPEC §4.1) from the console. Recipients are pasted
// one per line under an ID type, or picked from profiles (sent by tp_uid); template values and
// variables use the same form as test send. Each opening of the dialog makes one idempotency key,
// so a second click (or a retry after a lost answer) answers the same send instead of sending
// twice. Once accepted, the dialog shows the send's progress.

/** SPEC §4.1: at most this many recipients per send. */
export const maxRecipients = 10_000;

/** Who may send from the console: `campaign.operate` and the use (or management) of channels. */
export function useMaySend(): boolean {
  const { can } = useProject();
  return can('campaign.operate') && (can('reach.webhook.use') || can('reach.webhook.manage'));
}

/** Pasted text → one id per non-empty line (trimmed), each once, in the order typed. */
export function pastedIds(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    ),
  ];
}

const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? `console-${crypto.randomUUID()}`
    : `console-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** A profile's name in a list: its user_id, else its first identity, else its tp_uid. */
function profileLabel(p: Profile): string {
  const main = p.identities.find((i) => i.type === 'user_id') ?? p.identities[0];
  return main ? `${main.type} ${main.value}` : p.tp_uid;
}

/**
 * Profiles to pick from: the first page of the explorer (more on request), or the one profile
 * holding an identity typed here. Picked profiles are sent by tp_uid.
 */
function ProfilePicker({
  idTypes,
  picked,
  onPick,
}: {
  idTypes: readonly string[];
  picked: readonly SentRecipient[];
  onPick: (recipient: SentRecipient) => void;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [idType, setIdType] = useState('user_id');
  const [value, setValue] = useState('');
  const [rows, setRows] = useState<readonly Profile[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = async (more: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const page = value.trim()
        ? await api.listProfiles({ projectId }, { id_type: idType, value: value.trim() })
        : await api.listProfiles({ projectId }, { limit: 10, cursor: more ? cursor : null });
      setRows((before) => (more && before ? [...before, ...page.items] : page.items));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(describeError(e, t));
    } finally {
      setBusy(false);
    }
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    // Enter finds profiles here; it must not submit the send form around the picker.
    if (event.key !== 'Enter') return;
    event.preventDefault();
    void load(false);
  };
  const isPicked = (tpUid: string) => picked.some((r) => r.id_type === 'tp_uid' && r.id === tpUid);

  return (
    <div className="profile-picker" role="group" aria-labelledby="send-pick-title">
      <span className="muted profile-picker-title" id="send-pick-title">
        {t('send.pickTitle')}
      </span>
      <div className="profile-picker-search">
        <select
          className="select select-sm"
          aria-label={t('send.pickIdType')}
          value={idType}
          onChange={(e) => setIdType(e.target.value)}
        >
          {[...new Set(['user_id', 'tp_uid', ...idTypes])].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <input
          className="input input-sm mono"
          aria-label={t('send.pickValue')}
          placeholder={t('send.pickPlaceholder')}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={onKey}
        />
        <Button size="sm" icon={<IconSearch />} loading={busy} onClick={() => void load(false)}>
          {value.trim() ? t('send.pickFind') : t('send.pickBrowse')}
        </Button>
      </div>
      {error ? <FieldMessage error={error} /> : null}
      {rows !== null ? (
        rows.length === 0 ? (
          <p className="muted">{t('send.pickNone')}</p>
        ) : (
          <ul className="profile-picker-list" data-testid="profile-picker-list">
            {rows.map((p) => (
              <li key={p.tp_uid}>
                <span className="profile-picker-name">{profileLabel(p)}</span>
                <span className="mono muted profile-picker-uid">{p.tp_uid}</span>
                <Button
                  size="sm"
                  variant="ghost"
                  icon={<IconPlus />}
                  disabled={isPicked(p.tp_uid)}
                  aria-label={t('send.pickAddN', { name: profileLabel(p) })}
                  onClick={() => onPick({ id_type: 'tp_uid', id: p.tp_uid, label: profileLabel(p) })}
                >
                  {isPicked(p.tp_uid) ? t('send.picked') : t('send.pick')}
                </Button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      {rows !== null && cursor && !value.trim() ? (
        <Button size="sm" variant="ghost" loading={busy} onClick={() => void load(true)}>
          {t('send.pickMore')}
        </Button>
      ) : null}
    </div>
  );
}

/** The recipients of a send's issue path (`/recipients/3/id` → line or pick 4), in words. */
function recipientIssue(
  path: string,
  message: string,
  recipients: readonly SentRecipient[],
  t: ReturnType<typeof useI18n>['t'],
) {
  const at = /^\/recipients\/(\d+)/.exec(path);
  if (!at) return message;
  const r = recipients[Number(at[1])];
  return t('send.recipientIssue', {
    who: r ? (r.label ?? `${r.id_type} ${r.id}`) : `#${Number(at[1]) + 1}`,
    message,
  });
}

/**
 * The Send now dialog: workspace (one the channel is authorized to), recipients, values and
 * variables; then the progress of the send it made.
 */
export function SendNowDialog({ channel, ...control }: DialogControl & { channel: Channel }) {
  const { open, onClose } = control;
  const { t } = useI18n();
  const { projectId, workspaces, workspace } = useProject();
  const idTypes = useIdTypes();
  const authorized = workspaces.filter((w) => channel.workspace_ids.includes(w.id));
  const [workspaceId, setWorkspaceId] = useState('');
  const [idType, setIdType] = useState(channel.send_id_type);
  const [pasted, setPasted] = useState('');
  const [picked, setPicked] = useState<SentRecipient[]>([]);
  const [values, setValues] = useState<TemplateValues>({});
  const [variables, setVariables] = useState<VariableDraft[]>([]);
  const urlOptions = useUrlOptions(channel, open);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [accepted, setAccepted] = useState<{
    answer: SendAccepted;
    workspaceId: string;
    recipients: SentRecipient[];
  } | null>(null);
  const key = useRef(newKey());

  // A new opening is a new send: new key, empty form, the current workspace when it may send.
  const channelRef = useRef(channel);
  channelRef.current = channel;
  const initialWorkspace = authorized.find((w) => w.id === workspace?.id)?.id ?? authorized[0]?.id ?? '';
  // Only when the dialog opens (not when the workspaces load: that would wipe what is typed).
  useEffect(() => {
    if (!open) return;
    key.current = newKey();
    setWorkspaceId(initialWorkspace);
    setIdType(channelRef.current.send_id_type);
    setPasted('');
    setPicked([]);
    setValues({});
    setVariables([]);
    setErrors({});
    setError(null);
    setAccepted(null);
  }, [open]);
  useEffect(() => {
    if (open && !workspaceId && initialWorkspace) setWorkspaceId(initialWorkspace);
  }, [open, workspaceId, initialWorkspace]);

  const recipients: SentRecipient[] = [
    ...pastedIds(pasted).map((id) => ({ id_type: idType, id })),
    ...picked,
  ];

  const submit = async () => {
    setErrors({});
    setError(null);
    const local: FieldErrors = {};
    if (!workspaceId) local.workspace = t('send.noWorkspace');
    if (recipients.length === 0) local.recipients = t('send.noRecipients');
    else if (recipients.length > maxRecipients)
      local.recipients = t('send.tooManyRecipients', { max: maxRecipients.toLocaleString() });
    if (Object.keys(local).length > 0) {
      setErrors(local);
      return;
    }
    const sentVariables = variablesOf(variables);
    try {
      const answer = await api.createSend(
        { projectId, workspaceId },
        {
          channel_id: channel.id,
          template_values: templateValuesOf(channel.template, values),
          ...(sentVariables.length > 0 ? { variables: sentVariables } : {}),
          recipients: recipients.map((r) => ({ id_type: r.id_type, id: r.id })),
          idempotency_key: key.current,
        },
      );
      setAccepted({ answer, workspaceId, recipients });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'TP_ERR_CHANNEL_NOT_AUTHORIZED') {
        setErrors({ workspace: describeError(e, t) });
        return;
      }
      if (e.code !== 'TP_ERR_VALIDATION') throw e;
      const fields: FieldErrors = {};
      for (const issue of e.issues) {
        if (issue.path === '/recipients' || issue.path.startsWith('/recipients/'))
          fields.recipients ??= recipientIssue(issue.path, issue.message, recipients, t);
        else fields[issue.path] ??= valueIssueText(issue, t);
      }
      setErrors(fields);
      const unplaced = e.issues.filter(
        (i) => !isPlacedIssue(i.path, '/template_values') && !i.path.startsWith('/recipients'),
      );
      setError(unplaced.length > 0 ? unplaced.map((i) => `${i.path} ${i.message}`).join('; ') : null);
    }
  };

  if (accepted)
    return (
      <Dialog
        open={open}
        onClose={onClose}
        size="lg"
        icon={<IconPlay />}
        title={t('send.progressTitle', { name: channel.name })}
        description={t('send.progressDescription')}
        footer={
          <Button variant="primary" onClick={onClose}>
            {t('common.close')}
          </Button>
        }
      >
        <SendProgressView
          workspaceId={accepted.workspaceId}
          accepted={accepted.answer}
          recipients={accepted.recipients}
          onLeave={onClose}
        />
      </Dialog>
    );

  const pastedCount = pastedIds(pasted).length;
  return (
    <FormDialog
      {...control}
      size="lg"
      icon={<IconPlay />}
      title={t('send.title', { name: channel.name })}
      description={t('send.description', { type: channel.send_id_type })}
      className="send-now"
      formLabel={t('send.formLabel')}
      error={error}
      submitLabel={
        recipients.length > 0
          ? t('send.submitN', { n: recipients.length.toLocaleString() })
          : t('send.submit')
      }
      submitIcon={<IconPlay />}
      onSubmit={submit}
    >
      {authorized.length === 0 ? (
        <Alert tone="info">{t('send.noAuthorizedWorkspace')}</Alert>
      ) : (
        <SelectField
          label={t('send.workspace')}
          name="workspace"
          value={workspaceId}
          error={errors.workspace}
          hint={t('send.workspaceHint')}
          onChange={(e) => {
            setWorkspaceId(e.target.value);
            setErrors((x) => withoutErrors(x, 'workspace'));
          }}
          options={authorized.map((w) => ({ value: w.id, label: w.name }))}
        />
      )}
      <div className="field">
        <span className="field-label" id="send-recipients-label">
          {t('send.recipients')}
        </span>
        <div className="send-recipients" role="group" aria-labelledby="send-recipients-label">
          <div className="send-paste">
            <div className="send-paste-head">
              <label className="muted" htmlFor="send-id-type">
                {t('send.pasteIdType')}
              </label>
              <select
                id="send-id-type"
                className="select select-sm"
                value={idType}
                onChange={(e) => setIdType(e.target.value)}
              >
                {[...new Set([channel.send_id_type, 'user_id', 'tp_uid', ...idTypes])].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              <span className="toolbar-spacer" />
              <span className="muted" data-testid="pasted-count">
                {t('send.pastedCount', { n: pastedCount.toLocaleString() })}
              </span>
            </div>
            <textarea
              className="input textarea mono"
              rows={5}
              aria-label={t('send.pasteLabel')}
              aria-invalid={errors.recipients ? true : undefined}
              placeholder={'u-1001\nu-1002'}
              value={pasted}
              onChange={(e) => {
                setPasted(e.target.value);
                setErrors((x) => withoutErrors(x, 'recipients'));
              }}
            />
          </div>
          <ProfilePicker
            idTypes={idTypes}
            picked={picked}
            onPick={(r) => {
              setPicked((list) => [...list, r]);
              setErrors((x) => withoutErrors(x, 'recipients'));
            }}
          />
          {picked.length > 0 ? (
            <ul className="badge-list send-picked" aria-label={t('send.pickedList')}>
              {picked.map((r) => (
                <li className="platform-chip" key={r.id}>
                  {r.label ?? r.id}
                  <Button
                    size="sm"
                    variant="ghost"
                    iconOnly
                    icon={<IconX />}
                    aria-label={t('send.unpickN', { name: r.label ?? r.id })}
                    onClick={() => setPicked((list) => list.filter((x) => x.id !== r.id))}
                  />
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <FieldMessage
          error={errors.recipients}
          hint={t('send.recipientsHint', { max: maxRecipients.toLocaleString() })}
        />
      </div>
      <VariablesEditor
        id="send-variables"
        hint={t('send.variablesHint')}
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
        onChange={(k, value) => {
          setValues((v) => ({ ...v, [k]: value }));
          setErrors((e) => withoutErrors(e, `/template_values/${k}`));
        }}
        errors={errors}
        valuesPath="/template_values"
        urlOptions={urlOptions}
      />
    </FormDialog>
  );
}

import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { BulkErasureResult, ErasureItem, Profile } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { navigate } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Alert, Badge, Card } from '../../ui/display.tsx';
import { SelectField, TextAreaField } from '../../ui/field.tsx';
import { IconTrash } from '../../ui/icons.tsx';
import { StaticTable } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { profilesPath, useIdTypes } from './profile-common.tsx';

const MAX_ITEMS = 1000;

/** What erasure does, one sentence each, for both confirmations. */
function useCommonConsequences(): string[] {
  const { t } = useI18n();
  return [t('erasure.whatMessages'), t('erasure.whatBlock'), t('erasure.whatAudit')];
}

/** "Erase user" on a profile's page: asks first, naming what is deleted; project.manage only. */
export function EraseProfileButton({ profile, name }: { profile: Profile; name: string }) {
  const { t } = useI18n();
  const { projectId, can } = useProject();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const common = useCommonConsequences();
  if (!can('project.manage')) return null;
  return (
    <>
      <Button variant="danger" icon={<IconTrash />} onClick={() => setOpen(true)}>
        {t('erasure.eraseUser')}
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={t('erasure.confirmTitle', { name })}
        message={t('erasure.confirmMessage')}
        consequences={[
          t('erasure.whatProfile', { id: profile.tp_uid, identities: profile.identities.length }),
          t('erasure.whatEvents', { count: profile.event_count.toLocaleString() }),
          ...common,
        ]}
        confirmLabel={t('erasure.eraseUser')}
        onConfirm={async () => {
          const result = await api.eraseProfile({ projectId, tpUid: profile.tp_uid });
          toast.success(t('erasure.done', { events: result.events, cancelled: result.messages_cancelled }));
          navigate(profilesPath(projectId));
        }}
      />
    </>
  );
}

/** The bulk form: one ID type, pasted values (one per line), a confirmation, per-item results. */
export function BulkErasure() {
  const { t } = useI18n();
  const { projectId, can } = useProject();
  const toast = useToast();
  const { settings } = useIdTypes();
  const [idType, setIdType] = useState('tp_uid');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [results, setResults] = useState<{ value: string; result: BulkErasureResult }[] | null>(null);
  const common = useCommonConsequences();
  const values = useMemo(
    () => [...new Set(text.split(/\r?\n/).map((v) => v.trim()))].filter((v) => v !== ''),
    [text],
  );
  const options = useMemo(() => {
    const declared = (settings?.id_types ?? []).map((d) => d.name);
    const builtin = (settings?.builtin ?? ['user_id']).filter((b) => !declared.includes(b));
    return [
      { value: 'tp_uid', label: t('erasure.bulkTpUid') },
      ...[...builtin, ...declared].map((name) => ({ value: name, label: name })),
    ];
  }, [settings, t]);

  if (!can('project.manage'))
    return (
      <Card title={t('erasure.bulkTitle')}>
        <Alert tone="info">{t('erasure.noPermission')}</Alert>
      </Card>
    );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (values.length === 0) return setError(t('validation.required'));
    if (values.length > MAX_ITEMS) return setError(t('erasure.bulkTooMany', { count: values.length }));
    setConfirming(true);
  };
  const items = (): ErasureItem[] =>
    values.map((value) => (idType === 'tp_uid' ? { tp_uid: value } : { id_type: idType, value }));

  return (
    <div className="stack-cards">
      <Card title={t('erasure.bulkTitle')} subtitle={t('erasure.bulkSubtitle')}>
        <form className="stack" onSubmit={submit} noValidate aria-label={t('erasure.bulkTitle')}>
          <SelectField
            label={t('erasure.bulkIdType')}
            name="id_type"
            value={idType}
            onChange={(e) => setIdType(e.target.value)}
            options={options}
          />
          <TextAreaField
            label={t('erasure.bulkValues')}
            name="values"
            rows={8}
            value={text}
            spellCheck={false}
            hint={t('erasure.bulkValuesHint', { count: values.length })}
            error={error}
            onChange={(e) => {
              setText(e.target.value);
              setError(undefined);
            }}
          />
          <div className="row">
            <Button type="submit" variant="danger" icon={<IconTrash />}>
              {t('erasure.bulkSubmit')}
            </Button>
          </div>
        </form>
      </Card>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t('erasure.bulkConfirmTitle', { count: values.length })}
        message={t('erasure.confirmMessage')}
        consequences={[
          t('erasure.bulkWhatProfiles', { count: values.length }),
          t('erasure.bulkWhatEvents'),
          ...common,
        ]}
        confirmLabel={t('erasure.bulkConfirm', { count: values.length })}
        onConfirm={async () => {
          const sent = values;
          const answer = await api.eraseProfiles({ projectId }, items());
          setResults(answer.results.map((result) => ({ value: sent[result.index] ?? '', result })));
          const erased = answer.results.filter((r) => r.status === 'erased').length;
          toast.success(t('erasure.bulkDone', { erased, missing: answer.results.length - erased }));
          setText('');
        }}
      />
      {results ? (
        <Card title={t('erasure.resultsTitle')} flush>
          <StaticTable
            label={t('erasure.resultsTitle')}
            headings={[
              t('erasure.resultValue'),
              t('erasure.resultStatus'),
              t('erasure.resultEvents'),
              t('erasure.resultMessages'),
            ]}
          >
            {results.map(({ value, result }) => (
              <tr key={result.index} data-key={value}>
                <td className="mono">{value}</td>
                <td>
                  {result.status === 'erased' ? (
                    <Badge tone="green">{t('erasure.status.erased')}</Badge>
                  ) : (
                    <Badge tone="neutral">
                      {t(
                        result.blocked_identities > 0
                          ? 'erasure.status.not_found'
                          : 'erasure.status.not_found_tp_uid',
                      )}
                    </Badge>
                  )}
                </td>
                <td className="cell-num">{result.events.toLocaleString()}</td>
                <td className="cell-num">
                  {result.messages_cancelled} / {result.messages_stripped}
                </td>
              </tr>
            ))}
          </StaticTable>
        </Card>
      ) : null}
    </div>
  );
}

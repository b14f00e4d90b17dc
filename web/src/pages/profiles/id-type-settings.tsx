import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { IdTypeDeclaration, IdTypeSettings } from '../../api/types.ts';
import { isMessageKey, useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
import { Alert, Badge, Card, EmptyState, Loading } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { Switch, TextField } from '../../ui/field.tsx';
import { IconKey, IconPlus, IconTrash } from '../../ui/icons.tsx';
import { StaticTable } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { useIdTypes } from './profile-common.tsx';

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** The field error for the new name from a refused PUT, or null when the error is not about it. */
function nameErrorOf(error: unknown, index: number, t: ReturnType<typeof useI18n>['t']): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'TP_ERR_PROFILE_ID_TYPE_RESERVED') return t('idTypes.reserved');
  const issue = error.issues.find((i) => i.path === `/id_types/${index}/name`);
  if (!issue) return null;
  const key = `validation.${issue.rule}`;
  return issue.message.includes('twice')
    ? t('idTypes.duplicate')
    : isMessageKey(key) && issue.rule !== 'invalid'
      ? t(key)
      : t('idTypes.nameRule');
}

function DeclareForm({
  settings,
  save,
}: {
  settings: IdTypeSettings;
  save: (types: readonly IdTypeDeclaration[]) => Promise<void>;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [name, setName] = useState('');
  const [unique, setUnique] = useState(false);
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    setError(null);
    if (!trimmed) return setNameError(t('validation.required'));
    if (!NAME.test(trimmed)) return setNameError(t('idTypes.nameRule'));
    if (settings.id_types.some((d) => d.name === trimmed)) return setNameError(t('idTypes.duplicate'));
    setBusy(true);
    const next = [...settings.id_types, { name: trimmed, unique }];
    try {
      await save(next);
      toast.success(t('idTypes.declared', { name: trimmed }));
      setName('');
      setUnique(false);
    } catch (e) {
      const field = nameErrorOf(e, next.length - 1, t);
      if (field) setNameError(field);
      else setError(describeError(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="id-type-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={t('idTypes.declareTitle')}
    >
      <TextField
        label={t('idTypes.name')}
        name="name"
        value={name}
        placeholder="role_id"
        autoComplete="off"
        maxLength={64}
        onChange={(e) => {
          setName(e.target.value);
          setNameError(undefined);
        }}
        error={nameError}
        hint={t('idTypes.nameHint')}
      />
      <div className="id-type-unique">
        <Switch
          label={t('idTypes.uniqueLabel')}
          checked={unique}
          onChange={(e) => setUnique(e.target.checked)}
        />
      </div>
      <Button type="submit" variant="primary" icon={<IconPlus />} loading={busy}>
        {t('idTypes.declare')}
      </Button>
      {error ? (
        <div className="id-type-form-error">
          <Alert tone="error">{error}</Alert>
        </div>
      ) : null}
    </form>
  );
}

/**
 * Project settings → ID types (SPEC §2.2): the built-in identities, the types the project declares
 * (a user property of that name becomes an identity; unique ones never merge two people), and
 * whether ThinkingData's account_id is the same identity as user_id.
 */
export function IdTypeSettingsPage() {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const { settings: loaded, error: loadError } = useIdTypes();
  const [saved, setSaved] = useState<IdTypeSettings | null>(null);
  const [removing, setRemoving] = useState<IdTypeDeclaration | null>(null);
  const [switchBusy, setSwitchBusy] = useState(false);
  const settings = saved ?? loaded;
  const manage = can('project.manage');

  const save = async (types: readonly IdTypeDeclaration[]) => {
    setSaved(await api.updateIdTypes({ projectId }, { id_types: types }));
  };
  const setAccountSwitch = async (on: boolean) => {
    setSwitchBusy(true);
    try {
      setSaved(await api.updateIdTypes({ projectId }, { account_id_is_user_id: on }));
      toast.success(on ? t('idTypes.accountOn') : t('idTypes.accountOff'));
    } catch (e) {
      toast.error(describeError(e, t));
    } finally {
      setSwitchBusy(false);
    }
  };
  const setUnique = async (type: IdTypeDeclaration, unique: boolean) => {
    if (!settings) return;
    try {
      await save(settings.id_types.map((d) => (d.name === type.name ? { ...d, unique } : d)));
      toast.success(t(unique ? 'idTypes.nowUnique' : 'idTypes.nowMulti', { name: type.name }));
    } catch (e) {
      toast.error(describeError(e, t));
    }
  };

  if (loadError) return <Alert tone="error">{describeError(loadError, t)}</Alert>;
  if (!settings) return <Loading className="card card-body row" />;
  const declaredUnique = new Set(settings.id_types.filter((d) => d.unique).map((d) => d.name));
  return (
    <div className="stack-cards">
      {!manage ? <Alert tone="info">{t('settings.readOnly')}</Alert> : null}
      <Card title={t('idTypes.declaredTitle')} subtitle={t('idTypes.declaredSubtitle')} flush>
        {manage ? (
          <div className="card-body id-type-declare">
            <DeclareForm settings={settings} save={save} />
          </div>
        ) : null}
        {settings.id_types.length === 0 ? (
          <EmptyState
            icon={<IconKey />}
            title={t('idTypes.emptyTitle')}
            description={t('idTypes.emptyText')}
          />
        ) : (
          <StaticTable
            label={t('idTypes.declaredTitle')}
            headings={[
              t('idTypes.name'),
              t('idTypes.matching'),
              {
                label: (
                  <>
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </>
                ),
                className: 'cell-actions',
              },
            ]}
          >
            {settings.id_types.map((d) => (
              <tr key={d.name} data-key={d.name}>
                <td>
                  <code className="cell-primary">{d.name}</code>
                </td>
                <td>
                  <Switch
                    label={d.unique ? t('idTypes.uniqueOn') : t('idTypes.uniqueOff')}
                    aria-label={t('idTypes.uniqueOf', { name: d.name })}
                    checked={d.unique}
                    disabled={!manage}
                    onChange={(e) => void setUnique(d, e.target.checked)}
                  />
                </td>
                <td className="cell-actions">
                  {manage ? (
                    <Button
                      variant="ghost-danger"
                      size="sm"
                      icon={<IconTrash />}
                      onClick={() => setRemoving(d)}
                      aria-label={t('idTypes.removeOf', { name: d.name })}
                    >
                      {t('common.remove')}
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </StaticTable>
        )}
      </Card>

      <Card title={t('idTypes.builtinTitle')} subtitle={t('idTypes.builtinSubtitle')} flush>
        <StaticTable
          label={t('idTypes.builtinTitle')}
          headings={[t('idTypes.name'), t('idTypes.from'), t('idTypes.matching')]}
        >
          {settings.builtin.map((name) => {
            const key = `idTypes.from.${name}`;
            const unique = name === 'user_id' || name === 'account_id' || declaredUnique.has(name);
            return (
              <tr key={name} data-key={name}>
                <td>
                  <code className="cell-primary">{name}</code>
                </td>
                <td className="cell-muted">{isMessageKey(key) ? t(key) : t('idTypes.from.property')}</td>
                <td>
                  {unique ? (
                    <Badge tone="blue">{t('idTypes.unique')}</Badge>
                  ) : (
                    <Badge>{t('idTypes.multi')}</Badge>
                  )}
                </td>
              </tr>
            );
          })}
        </StaticTable>
      </Card>

      <Card title={t('idTypes.accountTitle')} subtitle={t('idTypes.accountSubtitle')}>
        <div className="stack">
          <Switch
            label={t('idTypes.accountSwitch')}
            checked={settings.account_id_is_user_id}
            disabled={!manage || switchBusy}
            onChange={(e) => void setAccountSwitch(e.target.checked)}
          />
          <p className="field-hint">{t('idTypes.accountHint')}</p>
        </div>
      </Card>

      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={t('idTypes.removeTitle', { name: removing?.name ?? '' })}
        consequences={[t('idTypes.removeStops1', { name: removing?.name ?? '' }), t('idTypes.removeStops2')]}
        confirmLabel={t('idTypes.removeConfirm')}
        onConfirm={async () => {
          if (!removing) return;
          await save(settings.id_types.filter((d) => d.name !== removing.name));
          toast.success(t('idTypes.removed', { name: removing.name }));
        }}
      />
    </div>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { PROFILE_ID_TYPE, type ConsentEntry, type ConsentInput } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog, type DialogControl } from '../../ui/dialog.tsx';
import { Alert, EmptyState } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { SelectField, TextField } from '../../ui/field.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { IconPlus, IconSearch, IconX } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import {
  ConsentSourceBadge,
  ConsentTarget,
  idTypeLabel,
  useConsentIdTypes,
  useMemberNames,
} from './consent-common.tsx';

// One list of the user's say, for both of its places: the project's suppression list (channel
// null) and a channel's unsubscribes. Both answer the same entries through the same routes, so
// the page, search, add form and removal are one component.

/** The search in effect: an ID type ('' any) and a value ('' any). */
export interface ConsentFilter {
  readonly idType: string;
  readonly value: string;
}

export const noFilter: ConsentFilter = { idType: '', value: '' };

/** Which list: the suppression list, or one channel's unsubscribes. */
export type ConsentListOf = { readonly channel: null } | { readonly channel: { id: string; name: string } };

function useConsentApi(of: ConsentListOf) {
  const { projectId } = useProject();
  const channel = of.channel;
  if (channel === null)
    return {
      key: `suppressions:${projectId}`,
      list: (q: Parameters<typeof api.listSuppressions>[1]) => api.listSuppressions({ projectId }, q),
      add: (body: ConsentInput) => api.addSuppression({ projectId }, body),
      remove: (id: string) => api.removeSuppression({ projectId, suppressionId: id }),
    };
  return {
    key: `unsubscribes:${projectId}:${channel.id}`,
    list: (q: Parameters<typeof api.listUnsubscribes>[1]) =>
      api.listUnsubscribes({ projectId, channelId: channel.id }, q),
    add: (body: ConsentInput) => api.addUnsubscribe({ projectId, channelId: channel.id }, body),
    remove: (id: string) => api.removeUnsubscribe({ projectId, channelId: channel.id, unsubscribeId: id }),
  };
}

/** ID type and value; the API finds the entries of that value (either alone narrows by it). */
function ConsentSearch({
  filter,
  onSearch,
}: {
  filter: ConsentFilter;
  onSearch: (filter: ConsentFilter) => void;
}) {
  const { t } = useI18n();
  const idTypes = useConsentIdTypes();
  const [idType, setIdType] = useState(filter.idType);
  const [value, setValue] = useState(filter.value);
  useEffect(() => {
    setIdType(filter.idType);
    setValue(filter.value);
  }, [filter]);
  const active = filter.idType !== '' || filter.value !== '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch({ idType, value: value.trim() });
  };
  return (
    <form className="consent-search" role="search" aria-label={t('consent.searchLabel')} onSubmit={submit}>
      <select
        className="select"
        aria-label={t('consent.idType')}
        value={idType}
        onChange={(e) => setIdType(e.target.value)}
      >
        <option value="">{t('consent.anyIdType')}</option>
        {[
          ...idTypes,
          ...(idTypes.some((o) => o.value === idType) || !idType ? [] : [{ value: idType, label: idType }]),
        ].map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <input
        className="input input-sm mono"
        name="value"
        autoComplete="off"
        aria-label={t('consent.value')}
        placeholder={t('consent.valuePlaceholder')}
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      <Button type="submit" size="sm" icon={<IconSearch />}>
        {t('consent.search')}
      </Button>
      {active ? (
        <Button size="sm" variant="ghost" icon={<IconX />} onClick={() => onSearch(noFilter)}>
          {t('consent.clearSearch')}
        </Button>
      ) : null}
    </form>
  );
}

/** Add an ID value (or a profile by tp_uid) with an optional reason; `source: console`. */
function AddEntryDialog({
  of,
  add,
  onAdded,
  ...control
}: DialogControl & {
  of: ConsentListOf;
  add: (body: ConsentInput) => Promise<{ entry: ConsentEntry; created: boolean }>;
  onAdded: (entry: ConsentEntry, created: boolean) => void;
}) {
  const { open } = control;
  const { t } = useI18n();
  const idTypes = useConsentIdTypes();
  const [idType, setIdType] = useState('user_id');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!open) return;
    setIdType('user_id');
    setValue('');
    setReason('');
    setErrors({});
    setError(null);
  }, [open, setErrors]);
  const submit = async () => {
    setError(null);
    const v = value.trim();
    if (!v) {
      setErrors({ value: t('validation.required') });
      return;
    }
    const target = idType === PROFILE_ID_TYPE ? { tp_uid: v } : { id_type: idType, value: v };
    try {
      const { entry, created } = await add({ ...target, reason: reason.trim() || null, source: 'console' });
      onAdded(entry, created);
    } catch (e) {
      // `tp_uid` is the value field's error when the profile itself is named.
      const fields = fieldErrorsOf(e, t);
      setErrors({
        ...(fields.value || fields.tp_uid ? { value: fields.value ?? fields.tp_uid ?? '' } : {}),
        ...(fields.id_type ? { id_type: fields.id_type } : {}),
        ...(fields.reason ? { reason: fields.reason } : {}),
      });
      setError(e);
    }
  };
  const channel = of.channel;
  return (
    <FormDialog
      {...control}
      icon={<IconPlus />}
      title={
        channel
          ? t('consent.addUnsubscribeTitle', { channel: channel.name })
          : t('consent.addSuppressionTitle')
      }
      description={channel ? t('consent.addUnsubscribeText') : t('consent.addSuppressionText')}
      submitLabel={t('consent.addSubmit')}
      submitIcon={<IconPlus />}
      error={formErrorOf(error, t, ['id_type', 'value', 'tp_uid', 'reason']) ?? undefined}
      onSubmit={submit}
    >
      <div className="form-row consent-add-row">
        <SelectField
          label={t('consent.idType')}
          name="id_type"
          value={idType}
          options={idTypes}
          error={errors.id_type}
          onChange={(e) => {
            setIdType(e.target.value);
            clearError('id_type');
          }}
        />
        <TextField
          label={t('consent.value')}
          name="value"
          className="mono"
          autoComplete="off"
          value={value}
          placeholder={idType === PROFILE_ID_TYPE ? 'tp_…' : 'u-1001'}
          error={errors.value}
          onChange={(e) => {
            setValue(e.target.value);
            clearError('value');
          }}
        />
      </div>
      <TextField
        label={t('consent.reason')}
        name="reason"
        optional={t('common.optional')}
        maxLength={500}
        value={reason}
        placeholder={t('consent.reasonPlaceholder')}
        error={errors.reason}
        onChange={(e) => {
          setReason(e.target.value);
          clearError('reason');
        }}
      />
    </FormDialog>
  );
}

/**
 * The suppression list or a channel's unsubscribes: newest first with cursor paging, a search by
 * ID type and value, and — with `audience.manage` — Add and Remove (confirmed).
 */
export function ConsentList({
  of,
  filter,
  onFilter,
}: {
  of: ConsentListOf;
  filter: ConsentFilter;
  onFilter: (filter: ConsentFilter) => void;
}) {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { can } = useProject();
  const manage = can('audience.manage');
  const consent = useConsentApi(of);
  const memberName = useMemberNames();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<ConsentEntry | null>(null);
  const query = {
    ...(filter.idType ? { id_type: filter.idType } : {}),
    ...(filter.value ? { value: filter.value } : {}),
  };
  const pages = useCursorPages(
    (q) => consent.list({ ...q, ...query }),
    `${consent.key}:${filter.idType}:${filter.value}`,
  );
  const searching = filter.idType !== '' || filter.value !== '';
  const channel = of.channel;
  const named = (e: Pick<ConsentEntry, 'id_type' | 'value'>) => ({
    type: idTypeLabel(e.id_type, t),
    value: e.value,
  });

  const columns: Column<ConsentEntry>[] = [
    { key: 'who', header: t('consent.who'), render: (e) => <ConsentTarget entry={e} /> },
    {
      key: 'reason',
      header: t('consent.reason'),
      className: 'consent-reason',
      render: (e) => (e.reason ? e.reason : <span className="cell-muted">{t('consent.noReason')}</span>),
    },
    { key: 'source', header: t('consent.source'), render: (e) => <ConsentSourceBadge source={e.source} /> },
    {
      key: 'added',
      header: t('consent.added'),
      render: (e) => {
        const who = memberName(e.created_by);
        return (
          <>
            <span className="cell-muted">{formatTime(e.created_at)}</span>
            {who ? <div className="cell-sub">{t('consent.addedBy', { who })}</div> : null}
          </>
        );
      },
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (e) =>
        manage ? (
          <Button
            variant="ghost-danger"
            size="sm"
            aria-label={t('consent.removeOf', named(e))}
            onClick={() => setRemoving(e)}
          >
            {t('consent.remove')}
          </Button>
        ) : null,
    },
  ];

  const addButton = manage ? (
    <Button variant="primary" size="sm" icon={<IconPlus />} onClick={() => setAdding(true)}>
      {channel ? t('consent.addUnsubscribe') : t('consent.addSuppression')}
    </Button>
  ) : null;

  return (
    <>
      {!manage ? (
        <div className="page-alert">
          <Alert tone="info">{t('consent.readOnly')}</Alert>
        </div>
      ) : null}
      <DataTable
        label={channel ? t('consent.unsubscribesLabel', { channel: channel.name }) : t('consent.listLabel')}
        heading={
          channel
            ? { title: t('consent.unsubscribesTitle'), subtitle: t('consent.unsubscribesSubtitle') }
            : undefined
        }
        columns={columns}
        rows={pages.items}
        rowKey={(e) => e.id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            <ConsentSearch filter={filter} onSearch={onFilter} />
            <span className="toolbar-spacer" />
            {addButton}
          </>
        }
        empty={
          searching ? (
            <EmptyState
              icon={<IconSearch />}
              title={t('consent.noMatchTitle', {
                type: filter.idType ? idTypeLabel(filter.idType, t) : t('consent.anyIdType'),
                value: filter.value,
              })}
              description={t('consent.noMatchText')}
            />
          ) : (
            <EmptyState
              icon={<IconX />}
              title={channel ? t('consent.emptyUnsubscribesTitle') : t('consent.emptySuppressionsTitle')}
              description={channel ? t('consent.emptyUnsubscribesText') : t('consent.emptySuppressionsText')}
            />
          )
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />
      {manage ? (
        <AddEntryDialog
          of={of}
          open={adding}
          onClose={() => setAdding(false)}
          add={consent.add}
          onAdded={(entry, created) => {
            setAdding(false);
            const values = named(entry);
            if (!created) toast.success(t('consent.alreadyListed', values));
            else
              toast.success(
                channel ? t('consent.added.unsubscribe', values) : t('consent.added.suppression', values),
              );
            pages.reload();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={
          removing
            ? channel
              ? t('consent.removeUnsubscribeTitle', named(removing))
              : t('consent.removeSuppressionTitle', named(removing))
            : ''
        }
        consequences={[
          channel ? t('consent.removeUnsubscribeStops') : t('consent.removeSuppressionStops'),
          t('consent.removeAudited'),
        ]}
        notice={
          removing?.source === 'event' ? <Alert tone="warning">{t('consent.removeUserAsked')}</Alert> : null
        }
        confirmLabel={t('consent.remove')}
        onConfirm={async () => {
          if (!removing) return;
          await consent.remove(removing.id);
          toast.success(t('consent.removed', named(removing)));
          setRemoving(null);
          pages.reload();
        }}
      />
    </>
  );
}

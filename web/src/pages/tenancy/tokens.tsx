import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { permissionNames, type ApiToken, type Permission, type TokenCreated } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { Alert, Badge, EmptyState } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { CheckboxGroup, SearchInput, SelectField, TextField } from '../../ui/field.tsx';
import { IconKey, IconPlus, IconTrash } from '../../ui/icons.tsx';
import { SecretField } from '../../ui/secret-field.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';

type TokenStatus = 'active' | 'revoked' | 'expired';

export function tokenStatus(token: ApiToken, now = Date.now()): TokenStatus {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && Date.parse(token.expires_at) <= now) return 'expired';
  return 'active';
}

const expiryChoices = ['30', '90', '365', 'never'] as const;

function CreateTokenForm({
  onCreated,
  onCancel,
}: {
  onCreated: (created: TokenCreated) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { projectId, can } = useProject();
  const held = permissionNames.filter((p) => can(p));
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [expiry, setExpiry] = useState<(typeof expiryChoices)[number]>('90');
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = t('validation.required');
    if (permissions.length === 0) local.permissions = t('tokens.permissionsRequired');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const created = await api.createToken(
        { projectId },
        {
          name: name.trim(),
          permissions: permissions as Permission[],
          ...(expiry === 'never' ? {} : { expires_in_days: Number(expiry) }),
        },
      );
      onCreated(created);
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
      setBusy(false);
    }
  };
  const formError = formErrorOf(error, t, ['name', 'permissions', 'expires_in_days']);
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('tokens.createTitle')}>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <div className="form-row">
        <TextField
          label={t('tokens.name')}
          name="name"
          value={name}
          placeholder={t('tokens.namePlaceholder')}
          onChange={(e) => {
            setName(e.target.value);
            clearError('name');
          }}
          error={errors.name}
        />
        <SelectField
          label={t('tokens.expires')}
          name="expires_in_days"
          value={expiry}
          onChange={(e) => setExpiry(e.target.value as (typeof expiryChoices)[number])}
          error={errors.expires_in_days}
          options={expiryChoices.map((c) => ({
            value: c,
            label: c === 'never' ? t('tokens.never') : t('tokens.inDays', { days: c }),
          }))}
        />
      </div>
      <CheckboxGroup
        label={t('tokens.permissions')}
        name="permissions"
        value={permissions}
        onChange={(v) => {
          setPermissions(v);
          clearError('permissions');
        }}
        error={errors.permissions}
        hint={t('tokens.permissionsHint')}
        options={held.map((p) => ({ value: p, label: t(`permission.${p}`) }))}
      />
      <div className="row">
        <Button size="sm" variant="ghost" onClick={() => setPermissions([...held])}>
          {t('tokens.selectAll')}
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setPermissions([])}>
          {t('tokens.selectNone')}
        </Button>
        <span className="toolbar-spacer" />
        <Button onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" loading={busy}>
          {t('tokens.create')}
        </Button>
      </div>
    </form>
  );
}

export function TokensPage() {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TokenCreated | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const pages = useCursorPages((q) => api.listTokens({ projectId }, q), `tokens:${projectId}`);
  const manage = can('token.manage');

  const needle = query.trim().toLowerCase();
  const rows = pages.items.filter(
    (tk) => (!needle || tk.name.toLowerCase().includes(needle)) && (!status || tokenStatus(tk) === status),
  );
  const statusBadge = (tk: ApiToken) => {
    const s = tokenStatus(tk);
    const tone = s === 'active' ? 'green' : s === 'revoked' ? 'red' : 'neutral';
    return (
      <Badge tone={tone} dot>
        {t(`tokens.status.${s}`)}
      </Badge>
    );
  };
  const columns: Column<ApiToken>[] = [
    {
      key: 'name',
      header: t('tokens.name'),
      render: (tk) => (
        <>
          <div className="cell-primary">{tk.name}</div>
          <div className="cell-sub">{t('tokens.createdBy', { email: tk.created_by.email })}</div>
        </>
      ),
    },
    { key: 'status', header: t('tokens.statusLabel'), render: statusBadge },
    {
      key: 'permissions',
      header: t('tokens.permissions'),
      render: (tk) => (
        <div className="badge-list" title={tk.permissions.join(', ')}>
          {tk.permissions.slice(0, 3).map((p) => (
            <Badge key={p} tone="blue">
              {p}
            </Badge>
          ))}
          {tk.permissions.length > 3 ? <Badge>+{tk.permissions.length - 3}</Badge> : null}
        </div>
      ),
    },
    {
      key: 'created',
      header: t('common.created'),
      className: 'cell-muted',
      render: (tk) => formatTime(tk.created_at),
    },
    {
      key: 'expires',
      header: t('tokens.expires'),
      className: 'cell-muted',
      render: (tk) => (tk.expires_at ? formatTime(tk.expires_at) : t('tokens.never')),
    },
    {
      key: 'used',
      header: t('tokens.lastUsed'),
      className: 'cell-muted',
      render: (tk) => (tk.last_used_at ? formatTime(tk.last_used_at) : t('tokens.neverUsed')),
    },
  ];
  if (manage)
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (tk) =>
        tokenStatus(tk) === 'active' ? (
          <Button
            variant="ghost-danger"
            size="sm"
            icon={<IconTrash />}
            aria-label={t('tokens.revokeOf', { name: tk.name })}
            onClick={() => setRevoking(tk)}
          >
            {t('tokens.revoke')}
          </Button>
        ) : null,
    });

  return (
    <>
      <DataTable
        label={t('tokens.title')}
        columns={columns}
        rows={rows}
        rowKey={(tk) => tk.id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <>
            <SearchInput
              label={t('tokens.search')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
            <select
              className="select"
              aria-label={t('tokens.filterStatus')}
              value={status}
              onChange={(e) => setStatus(e.target.value)}
            >
              <option value="">{t('tokens.allStatuses')}</option>
              {(['active', 'revoked', 'expired'] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`tokens.status.${s}`)}
                </option>
              ))}
            </select>
            <span className="toolbar-spacer" />
            {manage ? (
              <Button variant="primary" size="sm" icon={<IconPlus />} onClick={() => setCreating(true)}>
                {t('tokens.create')}
              </Button>
            ) : null}
          </>
        }
        empty={
          <EmptyState
            icon={<IconKey />}
            title={needle || status ? t('common.noMatches') : t('tokens.emptyTitle')}
            description={needle || status ? t('common.noMatchesText') : t('tokens.emptyText')}
          />
        }
        pager={<Pager pages={pages} shown={rows.length} />}
      />

      <Dialog
        open={creating}
        onClose={() => setCreating(false)}
        title={t('tokens.createTitle')}
        description={t('tokens.createDescription')}
        icon={<IconKey />}
        size="lg"
      >
        <CreateTokenForm
          onCancel={() => setCreating(false)}
          onCreated={(answer) => {
            setCreating(false);
            setCreated(answer);
            pages.reload();
          }}
        />
      </Dialog>

      <Dialog
        open={created !== null}
        onClose={() => setCreated(null)}
        title={t('tokens.createdTitle', { name: created?.token.name ?? '' })}
        icon={<IconKey />}
        size="lg"
        footer={
          <Button variant="primary" onClick={() => setCreated(null)}>
            {t('tokens.createdDone')}
          </Button>
        }
      >
        {created ? (
          <div className="stack">
            <Alert tone="warning">{t('tokens.shownOnce')}</Alert>
            <SecretField label={t('tokens.secret')} value={created.secret} />
            <p className="field-hint">{t('tokens.usage')}</p>
          </div>
        ) : null}
      </Dialog>

      <ConfirmDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('tokens.revokeTitle', { name: revoking?.name ?? '' })}
        consequences={[
          t('tokens.revokeStops1'),
          t('tokens.revokeStops2', { name: revoking?.name ?? '' }),
          t('tokens.revokeStops3'),
        ]}
        confirmLabel={t('tokens.revokeConfirm')}
        onConfirm={async () => {
          if (!revoking) return;
          await api.revokeToken({ projectId, tokenId: revoking.id });
          toast.success(t('tokens.revoked', { name: revoking.name }));
          pages.reload();
        }}
      />
    </>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { AccountCreated, AccountSummary } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { Alert, Badge, EmptyState, PageHeader } from '../../ui/display.tsx';
import { fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { SearchInput, Switch, TextField } from '../../ui/field.tsx';
import { IconKey, IconLock, IconMembers, IconUserPlus } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import { roleLabel, roleTone } from '../tenancy/members.tsx';

/** A one-time set-password link, shown once: a new account's, or a new one for an account. */
interface OneTimeLink {
  readonly kind: 'created' | 'reissued';
  readonly email: string;
  readonly url: string;
}

/** What a confirmation asks before it changes an account. */
type Pending = {
  readonly kind: 'grant' | 'withdraw' | 'unlock' | 'link';
  readonly account: AccountSummary;
} | null;

/** The search box's text, sent to the server after a short pause in typing. */
function useDebounced(value: string, ms = 250): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function CreateAccountForm({
  onCreated,
  onCancel,
}: {
  onCreated: (answer: AccountCreated) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!email.trim()) local.email = t('validation.required');
    else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) local.email = t('validation.format');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      onCreated(
        await api.createAccount({
          email: email.trim(),
          ...(name.trim() ? { name: name.trim() } : {}),
          is_instance_admin: admin,
        }),
      );
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
      setBusy(false);
    }
  };

  const formError = formErrorOf(error, t, ['email', 'name', 'is_instance_admin']);
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('accounts.createTitle')}>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <div className="form-row">
        <TextField
          label={t('accounts.email')}
          name="email"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            clearError('email');
          }}
          error={errors.email}
        />
        <TextField
          label={t('accounts.name')}
          name="name"
          optional={t('common.optional')}
          value={name}
          maxLength={100}
          onChange={(e) => {
            setName(e.target.value);
            clearError('name');
          }}
          error={errors.name}
          hint={t('accounts.nameHint')}
        />
      </div>
      <Switch
        name="is_instance_admin"
        checked={admin}
        onChange={(e) => setAdmin(e.target.checked)}
        label={t('accounts.makeInstanceAdmin')}
      />
      {admin ? <Alert tone="warning">{t('accounts.instanceAdminWarning')}</Alert> : null}
      <div className="row row-end">
        <Button onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" loading={busy}>
          {t('accounts.create')}
        </Button>
      </div>
    </form>
  );
}

/** Instance admins: every account on the instance, created here, with its rights and lock. */
export function AccountsPage() {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { session } = useSession();
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim());
  const [creating, setCreating] = useState(false);
  const [link, setLink] = useState<OneTimeLink | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const pages = useCursorPages((page) => api.listAccounts({ ...page, q }), `accounts:${q}`);
  const self = session?.account.id;

  const columns: Column<AccountSummary>[] = [
    {
      key: 'account',
      header: t('accounts.account'),
      className: 'cell-break',
      render: (a) => (
        <>
          <div className="cell-primary">
            {a.name || a.email}
            {a.id === self ? <span className="muted"> · {t('accounts.you')}</span> : null}
          </div>
          <div className="cell-sub">{a.email}</div>
          <code className="cell-sub">{a.id}</code>
        </>
      ),
    },
    {
      key: 'status',
      header: t('accounts.status'),
      render: (a) => (
        <>
          <div className="badge-list">
            {a.is_instance_admin ? <Badge tone="blue">{t('accounts.instanceAdmin')}</Badge> : null}
            {a.locked ? <Badge tone="red">{t('accounts.locked')}</Badge> : null}
            {!a.password_set ? <Badge tone="amber">{t('accounts.noPassword')}</Badge> : null}
            {!a.is_instance_admin && !a.locked && a.password_set ? (
              <Badge>{t('accounts.active')}</Badge>
            ) : null}
          </div>
          {a.locked ? (
            <div className="cell-sub">{t('accounts.lockedUntil', { time: formatTime(a.locked_until) })}</div>
          ) : null}
        </>
      ),
    },
    {
      key: 'memberships',
      header: t('accounts.memberships'),
      render: (a) =>
        a.memberships.length === 0 ? (
          <span className="muted">{t('accounts.noMemberships')}</span>
        ) : (
          <ul className="plain-list">
            {a.memberships.map((m) => (
              <li key={m.project_id}>
                <span>{m.project_name}</span> <Badge tone={roleTone[m.role]}>{t(roleLabel(m.role))}</Badge>
              </li>
            ))}
          </ul>
        ),
    },
    {
      key: 'activity',
      header: t('accounts.lastSignIn'),
      className: 'cell-muted',
      render: (a) => (
        <>
          <div>{a.last_login_at ? formatTime(a.last_login_at) : t('accounts.neverSignedIn')}</div>
          <div className="cell-sub">{t('accounts.createdAt', { time: formatTime(a.created_at) })}</div>
        </>
      ),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (a) => (
        <>
          {a.locked ? (
            <Button
              variant="ghost"
              size="sm"
              icon={<IconLock />}
              aria-label={t('accounts.unlockOf', { email: a.email })}
              onClick={() => setPending({ kind: 'unlock', account: a })}
            >
              {t('accounts.unlock')}
            </Button>
          ) : null}
          <Button
            variant="ghost"
            size="sm"
            icon={<IconKey />}
            aria-label={t('accounts.linkOf', { email: a.email })}
            disabled={a.id === self}
            title={a.id === self ? t('accounts.linkSelf') : t('accounts.linkHint')}
            onClick={() => setPending({ kind: 'link', account: a })}
          >
            {t('accounts.link')}
          </Button>
          {a.is_instance_admin ? (
            <Button
              variant="ghost-danger"
              size="sm"
              aria-label={t('accounts.withdrawOf', { email: a.email })}
              disabled={a.id === self}
              title={a.id === self ? t('accounts.withdrawSelf') : undefined}
              onClick={() => setPending({ kind: 'withdraw', account: a })}
            >
              {t('accounts.withdrawShort')}
            </Button>
          ) : (
            <Button
              variant="ghost"
              size="sm"
              aria-label={t('accounts.grantOf', { email: a.email })}
              onClick={() => setPending({ kind: 'grant', account: a })}
            >
              {t('accounts.grantShort')}
            </Button>
          )}
        </>
      ),
    },
  ];

  const confirm = async () => {
    if (!pending) return;
    const { account } = pending;
    const params = { accountId: account.id };
    if (pending.kind === 'link') {
      const answer = await api.issueAccountPasswordLink(params);
      setLink({
        kind: 'reissued',
        email: account.email,
        url: new URL(answer.set_password_url, window.location.origin).href,
      });
    } else {
      await api.updateAccount(
        params,
        pending.kind === 'unlock' ? { locked: false } : { is_instance_admin: pending.kind === 'grant' },
      );
      const done = {
        grant: 'accounts.granted',
        withdraw: 'accounts.withdrawn',
        unlock: 'accounts.unlocked',
      } as const;
      toast.success(t(done[pending.kind], { email: account.email }));
    }
    pages.reload();
  };

  const values = { email: pending?.account.email ?? '' };
  const confirmation =
    pending?.kind === 'grant'
      ? {
          title: t('accounts.grantTitle', values),
          consequences: [t('accounts.grantWhat1'), t('accounts.grantWhat2')],
          label: t('accounts.grant'),
        }
      : pending?.kind === 'withdraw'
        ? {
            title: t('accounts.withdrawTitle', values),
            consequences: [t('accounts.withdrawWhat1'), t('accounts.withdrawWhat2')],
            label: t('accounts.withdraw'),
          }
        : pending?.kind === 'unlock'
          ? {
              title: t('accounts.unlockTitle', values),
              consequences: [t('accounts.unlockWhat1'), t('accounts.unlockWhat2')],
              label: t('accounts.unlock'),
            }
          : {
              title: t('accounts.linkTitle', values),
              consequences: [t('accounts.linkWhat1'), t('accounts.linkWhat2')],
              label: t('accounts.link'),
            };

  return (
    <>
      <PageHeader
        title={t('accounts.title')}
        description={t('accounts.description')}
        actions={
          <Button variant="primary" icon={<IconUserPlus />} onClick={() => setCreating(true)}>
            {t('accounts.create')}
          </Button>
        }
      />
      <DataTable
        label={t('accounts.title')}
        columns={columns}
        rows={pages.items}
        rowKey={(a) => a.id}
        loading={pages.loading}
        error={pages.error}
        toolbar={
          <SearchInput
            label={t('accounts.search')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        }
        empty={
          <EmptyState
            icon={<IconMembers />}
            title={q ? t('common.noMatches') : t('accounts.emptyTitle')}
            description={q ? t('common.noMatchesText') : t('accounts.emptyText')}
          />
        }
        pager={<Pager pages={pages} shown={pages.items.length} />}
      />

      <Dialog
        open={creating}
        onClose={() => setCreating(false)}
        title={t('accounts.createTitle')}
        description={t('accounts.createDescription')}
        icon={<IconUserPlus />}
        size="lg"
      >
        <CreateAccountForm
          onCancel={() => setCreating(false)}
          onCreated={(answer) => {
            setCreating(false);
            pages.reload();
            setLink({
              kind: 'created',
              email: answer.account.email,
              url: new URL(answer.set_password_url, window.location.origin).href,
            });
          }}
        />
      </Dialog>

      <Dialog
        open={link !== null}
        onClose={() => setLink(null)}
        title={link?.kind === 'created' ? t('accounts.createdTitle') : t('accounts.linkIssuedTitle')}
        description={t('accounts.linkDescription', { email: link?.email ?? '' })}
        icon={<IconKey />}
        size="lg"
        footer={
          <Button variant="primary" onClick={() => setLink(null)}>
            {t('common.done')}
          </Button>
        }
      >
        {link ? (
          <div className="stack">
            <div className="field">
              <span className="field-label">{t('accounts.linkLabel')}</span>
              <div className="secret">
                <span className="secret-value" data-testid="set-password-url">
                  {link.url}
                </span>
                <CopyButton value={link.url} label={t('accounts.copyLink')} withText />
              </div>
            </div>
            <Alert tone="warning">{t('accounts.linkWarning', { email: link.email })}</Alert>
          </div>
        ) : null}
      </Dialog>

      <ConfirmDialog
        open={pending !== null}
        onClose={() => setPending(null)}
        title={confirmation.title}
        consequences={confirmation.consequences}
        confirmLabel={confirmation.label}
        onConfirm={confirm}
      />
    </>
  );
}

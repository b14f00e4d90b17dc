import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import {
  permissionNames,
  roleNames,
  type Invitation,
  type Member,
  type MemberAdded,
  type Role,
} from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useProject } from '../../project-context.tsx';
import { useLocation } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy-button.tsx';
import { ConfirmDialog, Dialog } from '../../ui/dialog.tsx';
import { Alert, Badge, Card, EmptyState, PageHeader, Tabs, type Tone } from '../../ui/display.tsx';
import { describeError, fieldErrorsOf, formErrorOf, useFieldErrors } from '../../ui/errors.ts';
import { CheckboxGroup, SearchInput, SelectField, TextField } from '../../ui/field.tsx';
import { IconCheck, IconEdit, IconKey, IconMembers, IconTrash, IconUserPlus } from '../../ui/icons.tsx';
import { DataTable, Pager, useCursorPages, type Column } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';

export const roleTone: Record<Role, Tone> = {
  project_admin: 'blue',
  workspace_admin: 'green',
  operator: 'amber',
  viewer: 'neutral',
};

/** A one-time link shown once: an invitation's, or a member's new set-password link. */
interface OneTimeLink {
  readonly kind: 'invite' | 'password';
  readonly email: string;
  readonly url: string;
}

export function roleLabel(role: Role): MessageKey {
  return `role.${role}`;
}

function MemberForm({
  member,
  onSaved,
  onCancel,
}: {
  /** Editing this member; absent when adding one. */
  member?: Member;
  onSaved: (answer: MemberAdded | Member) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { projectId, workspaces } = useProject();
  const [email, setEmail] = useState(member?.email ?? '');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(member?.role ?? 'operator');
  const [workspaceIds, setWorkspaceIds] = useState<string[]>(
    member ? [...member.workspace_ids] : workspaces[0] ? [workspaces[0].id] : [],
  );
  const [errors, setErrors, clearError] = useFieldErrors();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const needsWorkspaces = role !== 'project_admin';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local: Record<string, string> = {};
    if (!member) {
      if (!email.trim()) local.email = t('validation.required');
      else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) local.email = t('validation.format');
    }
    if (needsWorkspaces && workspaceIds.length === 0) local.workspace_ids = t('members.workspacesRequired');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const body = { role, ...(needsWorkspaces ? { workspace_ids: workspaceIds } : {}) };
      const answer = member
        ? await api.updateMember({ projectId, accountId: member.account_id }, body)
        : await api.addMember(
            { projectId },
            { email: email.trim(), ...body, ...(name.trim() ? { name: name.trim() } : {}) },
          );
      onSaved(answer);
    } catch (e) {
      setErrors(fieldErrorsOf(e, t));
      setError(e);
      setBusy(false);
    }
  };

  const formError = formErrorOf(error, t, ['email', 'name', 'role', 'workspace_ids']);
  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('members.formLabel')}>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      {member ? (
        <p>
          <strong>{member.name || member.email}</strong> <span className="muted">{member.email}</span>
        </p>
      ) : (
        <div className="form-row">
          <TextField
            label={t('members.email')}
            name="email"
            type="email"
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
              clearError('email');
            }}
            error={errors.email}
            hint={t('members.emailHint')}
          />
          <TextField
            label={t('members.name')}
            name="name"
            optional={t('common.optional')}
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              clearError('name');
            }}
            error={errors.name}
          />
        </div>
      )}
      <SelectField
        label={t('members.role')}
        name="role"
        value={role}
        onChange={(e) => {
          setRole(e.target.value as Role);
          clearError('role');
        }}
        error={errors.role}
        hint={t(`role.${role}.summary`)}
        options={roleNames.map((r) => ({ value: r, label: t(roleLabel(r)) }))}
      />
      {needsWorkspaces ? (
        workspaces.length === 0 ? (
          <Alert tone="warning">{t('members.noWorkspaces')}</Alert>
        ) : (
          <CheckboxGroup
            label={t('members.workspaces')}
            name="workspace_ids"
            value={workspaceIds}
            onChange={(v) => {
              setWorkspaceIds(v);
              clearError('workspace_ids');
            }}
            error={errors.workspace_ids}
            options={workspaces.map((w) => ({ value: w.id, label: w.name }))}
          />
        )
      ) : null}
      <div className="row row-end">
        <Button onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" loading={busy}>
          {member ? t('common.save') : t('members.add')}
        </Button>
      </div>
    </form>
  );
}

function RolesTable() {
  const { t } = useI18n();
  const { roles } = useSession();
  return (
    <Card title={t('members.rolesTitle')} subtitle={t('members.rolesSubtitle')} flush>
      <div className="table-wrap">
        <table className="table perm-table">
          <thead>
            <tr>
              <th scope="col">{t('members.permission')}</th>
              {roleNames.map((r) => (
                <th scope="col" key={r}>
                  {t(roleLabel(r))}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {permissionNames.map((p) => (
              <tr key={p}>
                <td>
                  <div className="cell-primary">{t(`permission.${p}`)}</div>
                  <code className="cell-sub">{p}</code>
                </td>
                {roleNames.map((r) => {
                  const has = roles.find((x) => x.role === r)?.permissions.includes(p) ?? false;
                  return (
                    <td key={r}>
                      {has ? (
                        <span className="perm-yes" title={t('common.yes')}>
                          <IconCheck width={18} height={18} />
                          <span className="visually-hidden">{t('common.yes')}</span>
                        </span>
                      ) : (
                        <span className="perm-no">
                          —<span className="visually-hidden">{t('common.no')}</span>
                        </span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

export function MembersPage() {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { session } = useSession();
  const { projectId, project, workspaces, can } = useProject();
  const { pathname } = useLocation();
  const base = `/projects/${projectId}/members`;
  const onRoles = pathname.endsWith('/roles');
  const [query, setQuery] = useState('');
  const [roleFilter, setRoleFilter] = useState('');
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [link, setLink] = useState<OneTimeLink | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const pages = useCursorPages((q) => api.listMembers({ projectId }, q), `members:${projectId}`);
  const manage = can('member.manage');
  const invitations = useCursorPages(
    (q) =>
      manage ? api.listInvitations({ projectId }, q) : Promise.resolve({ items: [], next_cursor: null }),
    `invitations:${projectId}:${manage}`,
  );

  const issueLink = async (m: Member) => {
    try {
      const answer = await api.issuePasswordLink({ projectId, accountId: m.account_id });
      setLink({
        kind: 'password',
        email: m.email,
        url: new URL(answer.set_password_url, window.location.origin).href,
      });
    } catch (e) {
      // Refused for an instance admin, or for someone who is also in a project the caller does
      // not manage there: a link would let this admin take over that account.
      toast.error(
        e instanceof ApiError && e.code === 'TP_ERR_TENANCY_PERMISSION_NOT_HELD'
          ? t('members.passwordLinkRefused', { email: m.email })
          : describeError(e, t),
      );
    }
  };

  const needle = query.trim().toLowerCase();
  const rows = pages.items.filter(
    (m) =>
      (!needle || m.email.toLowerCase().includes(needle) || m.name.toLowerCase().includes(needle)) &&
      (!roleFilter || m.role === roleFilter),
  );
  const workspaceName = (id: string) => workspaces.find((w) => w.id === id)?.name ?? id;

  const columns: Column<Member>[] = [
    {
      key: 'member',
      header: t('members.member'),
      render: (m) => (
        <>
          <div className="cell-primary">{m.name || m.email}</div>
          {m.name ? <div className="cell-sub">{m.email}</div> : null}
        </>
      ),
    },
    {
      key: 'role',
      header: t('members.role'),
      render: (m) => <Badge tone={roleTone[m.role]}>{t(roleLabel(m.role))}</Badge>,
    },
    {
      key: 'workspaces',
      header: t('members.workspaces'),
      render: (m) =>
        m.role === 'project_admin' ? (
          <span className="muted">{t('members.allWorkspaces')}</span>
        ) : (
          <div className="badge-list">
            {m.workspace_ids.map((id) => (
              <Badge key={id}>{workspaceName(id)}</Badge>
            ))}
          </div>
        ),
    },
    {
      key: 'added',
      header: t('members.added'),
      className: 'cell-muted',
      render: (m) => formatTime(m.created_at),
    },
  ];
  if (manage)
    columns.push({
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (m) => (
        <>
          <Button
            variant="ghost"
            size="sm"
            icon={<IconEdit />}
            aria-label={t('members.editOf', { email: m.email })}
            onClick={() => setEditing(m)}
          >
            {t('common.edit')}
          </Button>
          <Button
            variant="ghost"
            size="sm"
            icon={<IconKey />}
            aria-label={t('members.passwordLinkOf', { email: m.email })}
            disabled={m.account_id === session?.account.id}
            title={
              m.account_id === session?.account.id
                ? t('members.passwordLinkSelf')
                : t('members.passwordLinkHint')
            }
            onClick={() => void issueLink(m)}
          >
            {t('members.passwordLink')}
          </Button>
          <Button
            variant="ghost-danger"
            size="sm"
            icon={<IconTrash />}
            aria-label={t('members.removeOf', { email: m.email })}
            disabled={m.account_id === session?.account.id}
            title={m.account_id === session?.account.id ? t('members.cannotRemoveSelf') : undefined}
            onClick={() => setRemoving(m)}
          >
            {t('common.remove')}
          </Button>
        </>
      ),
    });

  const invitationColumns: Column<Invitation>[] = [
    {
      key: 'email',
      header: t('members.email'),
      className: 'cell-break',
      render: (i) => (
        <>
          <div className="cell-primary">{i.email}</div>
          <div className="cell-sub">{t('invitations.by', { email: i.invited_by.email })}</div>
        </>
      ),
    },
    {
      key: 'role',
      header: t('members.role'),
      render: (i) => <Badge tone={roleTone[i.role]}>{t(roleLabel(i.role))}</Badge>,
    },
    {
      key: 'workspaces',
      header: t('members.workspaces'),
      render: (i) =>
        i.role === 'project_admin' ? (
          <span className="muted">{t('members.allWorkspaces')}</span>
        ) : (
          <div className="badge-list">
            {i.workspace_ids.map((id) => (
              <Badge key={id}>{workspaceName(id)}</Badge>
            ))}
          </div>
        ),
    },
    {
      key: 'invited',
      header: t('invitations.invited'),
      className: 'cell-muted',
      render: (i) => formatTime(i.created_at),
    },
    {
      key: 'expires',
      header: t('invitations.expires'),
      className: 'cell-muted',
      render: (i) => formatTime(i.expires_at),
    },
    {
      key: 'actions',
      header: <span className="visually-hidden">{t('common.actions')}</span>,
      className: 'cell-actions',
      render: (i) => (
        <Button
          variant="ghost-danger"
          size="sm"
          icon={<IconTrash />}
          aria-label={t('invitations.revokeOf', { email: i.email })}
          onClick={() => setRevoking(i)}
        >
          {t('invitations.revoke')}
        </Button>
      ),
    },
  ];
  const showInvitations = manage && (invitations.items.length > 0 || invitations.hasPrevious);

  return (
    <>
      <PageHeader
        title={t('members.title')}
        description={t('members.description')}
        actions={
          manage && !onRoles ? (
            <Button variant="primary" icon={<IconUserPlus />} onClick={() => setAdding(true)}>
              {t('members.add')}
            </Button>
          ) : null
        }
      />
      <Tabs
        label={t('members.title')}
        current={onRoles ? `${base}/roles` : base}
        items={[
          { to: base, label: t('members.tabMembers') },
          { to: `${base}/roles`, label: t('members.tabRoles') },
        ]}
      />
      {onRoles ? (
        <RolesTable />
      ) : (
        <div className="stack-cards">
          <DataTable
            label={t('members.title')}
            columns={columns}
            rows={rows}
            rowKey={(m) => m.account_id}
            loading={pages.loading}
            error={pages.error}
            toolbar={
              <>
                <SearchInput
                  label={t('members.search')}
                  value={query}
                  onChange={(e) => setQuery(e.target.value)}
                />
                <select
                  className="select"
                  aria-label={t('members.filterRole')}
                  value={roleFilter}
                  onChange={(e) => setRoleFilter(e.target.value)}
                >
                  <option value="">{t('members.allRoles')}</option>
                  {roleNames.map((r) => (
                    <option key={r} value={r}>
                      {t(roleLabel(r))}
                    </option>
                  ))}
                </select>
              </>
            }
            empty={
              <EmptyState
                icon={<IconMembers />}
                title={needle || roleFilter ? t('common.noMatches') : t('members.emptyTitle')}
                description={needle || roleFilter ? t('common.noMatchesText') : t('members.emptyText')}
              />
            }
            pager={<Pager pages={pages} shown={rows.length} />}
          />
          {showInvitations ? (
            <DataTable
              label={t('invitations.title')}
              columns={invitationColumns}
              rows={invitations.items}
              rowKey={(i) => i.id}
              loading={invitations.loading}
              error={invitations.error}
              toolbar={
                <>
                  <h2 className="card-title">{t('invitations.title')}</h2>
                  <span className="toolbar-spacer" />
                  <span className="muted">{t('invitations.subtitle')}</span>
                </>
              }
              empty={null}
              pager={<Pager pages={invitations} shown={invitations.items.length} />}
            />
          ) : null}
        </div>
      )}

      <Dialog
        open={adding}
        onClose={() => setAdding(false)}
        title={t('members.addTitle')}
        description={t('members.addDescription', { project: project?.name ?? '' })}
        icon={<IconUserPlus />}
        size="lg"
      >
        <MemberForm
          onCancel={() => setAdding(false)}
          onSaved={(answer) => {
            const added = answer as MemberAdded;
            setAdding(false);
            pages.reload();
            invitations.reload();
            // Shown absolute, so it works when pasted into a chat (the server may send a path).
            setLink({
              kind: 'invite',
              email: added.invitation.email,
              url: new URL(added.invite_url, window.location.origin).href,
            });
          }}
        />
      </Dialog>

      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={t('members.editTitle')}
        icon={<IconEdit />}
        size="lg"
      >
        {editing ? (
          <MemberForm
            member={editing}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              toast.success(t('members.updated', { email: editing.email }));
              setEditing(null);
              pages.reload();
            }}
          />
        ) : null}
      </Dialog>

      <Dialog
        open={link !== null}
        onClose={() => setLink(null)}
        title={link?.kind === 'password' ? t('members.passwordLinkTitle') : t('members.linkTitle')}
        description={t(
          link?.kind === 'password' ? 'members.passwordLinkDescription' : 'members.linkDescription',
          {
            email: link?.email ?? '',
          },
        )}
        icon={link?.kind === 'password' ? <IconKey /> : <IconUserPlus />}
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
              <span className="field-label">
                {link.kind === 'password' ? t('members.passwordLinkLabel') : t('members.linkLabel')}
              </span>
              <div className="secret">
                <span className="secret-value" data-testid="set-password-url">
                  {link.url}
                </span>
                <CopyButton value={link.url} label={t('members.copyLink')} withText />
              </div>
            </div>
            <Alert tone="warning">
              {link.kind === 'password'
                ? t('members.passwordLinkWarning', { email: link.email })
                : t('members.linkWarning')}
            </Alert>
          </div>
        ) : null}
      </Dialog>

      <ConfirmDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('invitations.revokeTitle', { email: revoking?.email ?? '' })}
        consequences={[t('invitations.revokeStops1'), t('invitations.revokeStops2')]}
        confirmLabel={t('invitations.revokeConfirm')}
        onConfirm={async () => {
          if (!revoking) return;
          await api.revokeInvitation({ projectId, invitationId: revoking.id });
          toast.success(t('invitations.revoked', { email: revoking.email }));
          invitations.reload();
        }}
      />

      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={t('members.removeTitle', { email: removing?.email ?? '' })}
        consequences={[
          t('members.removeStops1', { project: project?.name ?? '' }),
          t('members.removeStops2'),
          t('members.removeStops3'),
        ]}
        confirmLabel={t('members.removeConfirm')}
        onConfirm={async () => {
          if (!removing) return;
          await api.removeMember({ projectId, accountId: removing.account_id });
          toast.success(t('members.removed', { email: removing.email }));
          pages.reload();
        }}
      />
    </>
  );
}

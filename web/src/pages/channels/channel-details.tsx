import { lazy, Suspense, useEffect, useState } from 'react';
import { ApiError, api, fetchAll } from '../../api/client.ts';
import type { Channel, ChannelGrant, Member } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { navigate, useLocation } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { ConfirmDialog, Dialog, type DialogControl } from '../../ui/dialog.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { Alert, Badge, Card, Loading } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { CheckboxGroup, TextField } from '../../ui/field.tsx';
import { IconKey, IconLayers, IconPlay, IconPulse, IconRotate, IconUserPlus } from '../../ui/icons.tsx';
import { StaticTable } from '../../ui/table.tsx';
import { useToast } from '../../ui/toast.tsx';
import {
  ConnectionHeader,
  CopyValue,
  MaskedSecret,
  SecretOnce,
  SecretOnceDialog,
  useConnectionDetails,
} from '../connections/connection-details.tsx';
import {
  TestStatusBadge,
  channelPath,
  channelSpec,
  rateLimitText,
  takeNewKey,
  timeoutText,
} from './channel-common.tsx';
import { TestSendDialog } from './channel-test-send.tsx';
import { SendNowDialog, useMaySend } from './channel-send-now.tsx';
import { ChannelHealthCard } from '../delivery/delivery-common.tsx';
import { useApps } from '../sources/source-common.tsx';
import { ChannelUnsubscribes } from '../consent/channel-unsubscribes.tsx';

// The chart library is loaded with the charts, not with the whole console.
const DeliveryCharts = lazy(() =>
  import('../delivery/delivery-charts.tsx').then((m) => ({ default: m.DeliveryCharts })),
);

/** Rotate the signature-v2 key; during an overlap the API answers 409 and Force ends it now. */
function RotateKeyDialog({
  channel,
  onRotated,
  ...control
}: DialogControl & {
  channel: Channel;
  onRotated: (after: Channel) => void;
}) {
  const { open } = control;
  const { t, formatTime } = useI18n();
  const { projectId } = useProject();
  const [overlap, setOverlap] = useState<string | null>(null);
  useEffect(() => {
    if (open) setOverlap(null);
  }, [open]);
  const rotate = async (): Promise<void | 'stay'> => {
    try {
      const after = await api.rotateChannelKey(
        { projectId, channelId: channel.id },
        overlap !== null ? { force: true } : {},
      );
      onRotated(after);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'TP_ERR_CHANNEL_ROTATION_IN_PROGRESS') throw e;
      const until = e.details.previous_key_expires_at;
      setOverlap(
        typeof until === 'string'
          ? formatTime(until)
          : formatTime(channel.signature_v2.previous_key_expires_at),
      );
      return 'stay';
    }
  };
  return (
    <ConfirmDialog
      {...control}
      title={t('channels.rotateTitle', { name: channel.name })}
      consequences={[t('channels.rotateStops1'), t('channels.rotateStops2'), t('channels.rotateStops3')]}
      confirmLabel={overlap !== null ? t('channels.rotateForce') : t('channels.rotateConfirm')}
      onConfirm={rotate}
      notice={
        overlap !== null ? (
          <Alert tone="warning">{t('channels.rotateOverlap', { until: overlap })}</Alert>
        ) : null
      }
    />
  );
}

/** Replace the endpoint token (any time, audited); the old token stops signing at once. */
function CredentialsDialog({
  channel,
  open,
  onClose,
  onSaved,
}: DialogControl & {
  channel: Channel;
  onSaved: (after: Channel) => void;
}) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const [token, setToken] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (open) {
      setToken('');
      setFieldError(undefined);
      setConfirming(false);
    }
  }, [open]);
  const submit = () => {
    if (!token) {
      setFieldError(t('validation.required'));
      return;
    }
    setConfirming(true);
  };
  return (
    <>
      <FormDialog
        open={open && !confirming}
        onClose={onClose}
        icon={<IconKey />}
        title={t('channels.credentialsTitle', { name: channel.name })}
        description={t('channels.credentialsDescription')}
        onSubmit={submit}
      >
        <TextField
          label={t('channels.newToken')}
          type="password"
          autoComplete="new-password"
          value={token}
          error={fieldError}
          hint={t('channels.newTokenHint')}
          onChange={(e) => {
            setToken(e.target.value);
            setFieldError(undefined);
          }}
        />
      </FormDialog>
      <ConfirmDialog
        open={open && confirming}
        onClose={() => {
          setConfirming(false);
          onClose();
        }}
        title={t('channels.credentialsConfirmTitle', { name: channel.name })}
        consequences={[t('channels.credentialsStops1'), t('channels.credentialsStops2')]}
        confirmLabel={t('channels.credentialsConfirm')}
        onConfirm={async () => {
          const after = await api.updateChannelCredentials({ projectId, channelId: channel.id }, { token });
          onSaved(after);
        }}
      />
    </>
  );
}

/** Which workspaces may use the channel: one checkbox per workspace the caller can manage. */
function AuthorizeDialog({
  channel,
  open,
  onClose,
  onSaved,
}: DialogControl & {
  channel: Channel;
  onSaved: (after: Channel) => void;
}) {
  const { t } = useI18n();
  const { projectId, workspaces } = useProject();
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      setChosen([...channel.workspace_ids]);
      setError(null);
    }
  }, [open, channel]);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      let after = channel;
      for (const w of chosen.filter((id) => !channel.workspace_ids.includes(id)))
        after = await api.authorizeChannel({ projectId, channelId: channel.id, workspaceId: w });
      for (const w of channel.workspace_ids.filter(
        (id) => !chosen.includes(id) && workspaces.some((x) => x.id === id),
      ))
        after = await api.deauthorizeChannel({ projectId, channelId: channel.id, workspaceId: w });
      setBusy(false);
      onSaved(after);
    } catch (e) {
      setBusy(false);
      setError(describeError(e, t));
    }
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      busy={busy}
      icon={<IconLayers />}
      title={t('channels.authorizeTitle', { name: channel.name })}
      description={t('channels.authorizeDescription')}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="primary" loading={busy} onClick={() => void save()}>
            {t('channels.authorizeSave')}
          </Button>
        </>
      }
    >
      <div className="stack">
        {workspaces.length === 0 ? (
          <Alert tone="info">{t('channels.noWorkspacesToAuthorize')}</Alert>
        ) : (
          <CheckboxGroup
            label={t('channels.workspaces')}
            name="workspaces"
            options={workspaces.map((w) => ({ value: w.id, label: w.name }))}
            value={chosen}
            onChange={setChosen}
            hint={t('channels.authorizeHint')}
          />
        )}
        {error ? <Alert tone="error">{error}</Alert> : null}
      </div>
    </Dialog>
  );
}

/** Usage grants: operators need one to use the channel in an authorized workspace. */
function GrantsCard({ channel }: { channel: Channel }) {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId } = useProject();
  const [grants, setGrants] = useState<readonly ChannelGrant[] | null>(null);
  const [members, setMembers] = useState<readonly Member[]>([]);
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Member | ChannelGrant | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    Promise.all([
      api.listChannelGrants({ projectId, channelId: channel.id }),
      fetchAll((q) => api.listMembers({ projectId }, q)),
    ]).then(
      ([g, m]) => {
        if (!current) return;
        setGrants(g.items);
        setMembers(m);
      },
      (e: unknown) => current && setError(describeError(e, t)),
    );
    return () => {
      current = false;
    };
  }, [projectId, channel.id, tick, t]);
  const memberOf = (id: string) => members.find((m) => m.account_id === id);
  const candidates = members.filter(
    (m) => m.role === 'operator' && !(grants ?? []).some((g) => g.account_id === m.account_id),
  );
  const grant = async () => {
    if (!choice) return;
    setBusy(true);
    setError(null);
    try {
      await api.grantChannel({ projectId, channelId: channel.id, accountId: choice });
      toast.success(t('channels.granted', { who: memberOf(choice)?.email ?? choice }));
      setChoice('');
      setTick((n) => n + 1);
    } catch (e) {
      setError(describeError(e, t));
    } finally {
      setBusy(false);
    }
  };
  const revokedName = revoking ? (memberOf(revoking.account_id)?.email ?? revoking.account_id) : '';
  return (
    <Card title={t('channels.grantsTitle')} subtitle={t('channels.grantsSubtitle')}>
      <div className="stack">
        <div className="grant-add">
          <select
            className="select"
            aria-label={t('channels.grantWho')}
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
          >
            <option value="">
              {candidates.length ? t('channels.chooseOperator') : t('channels.noOperators')}
            </option>
            {candidates.map((m) => (
              <option key={m.account_id} value={m.account_id}>
                {m.name ? `${m.name} · ${m.email}` : m.email}
              </option>
            ))}
          </select>
          <Button icon={<IconUserPlus />} loading={busy} disabled={!choice} onClick={() => void grant()}>
            {t('channels.grant')}
          </Button>
        </div>
        {error ? <Alert tone="error">{error}</Alert> : null}
        {grants === null ? (
          <Loading />
        ) : grants.length === 0 ? (
          <p className="muted">{t('channels.noGrants')}</p>
        ) : (
          <ul className="grant-list" aria-label={t('channels.grantsTitle')}>
            {grants.map((g) => {
              const m = memberOf(g.account_id);
              return (
                <li key={g.account_id}>
                  <span className="avatar avatar-sm" aria-hidden="true">
                    {(m?.name || m?.email || '?').slice(0, 1).toUpperCase()}
                  </span>
                  <span className="grant-who">
                    <strong>{m?.name || m?.email || g.account_id}</strong>
                    <span className="cell-sub">
                      {m?.email ?? ''} · {t('channels.grantedAt', { time: formatTime(g.created_at) })}
                    </span>
                  </span>
                  <Button
                    variant="ghost-danger"
                    size="sm"
                    onClick={() => setRevoking(g)}
                    aria-label={t('channels.revokeOf', { who: m?.email ?? g.account_id })}
                  >
                    {t('channels.revoke')}
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <ConfirmDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('channels.revokeTitle', { who: revokedName })}
        consequences={[t('channels.revokeStops1'), t('channels.revokeStops2')]}
        confirmLabel={t('channels.revoke')}
        onConfirm={async () => {
          if (!revoking) return;
          await api.revokeChannelGrant({ projectId, channelId: channel.id, accountId: revoking.account_id });
          toast.success(t('channels.revoked', { who: revokedName }));
          setTick((n) => n + 1);
        }}
      />
    </Card>
  );
}

/** A channel's details: settings, ID and masked secrets, lifecycle, authorization, grants, test send. */
export function ChannelDetailsPage({ channelId }: { channelId: string }) {
  const { t, formatTime } = useI18n();
  const toast = useToast();
  const { projectId, can, workspaces } = useProject();
  const { search } = useLocation();
  const { byId } = useApps();
  const connection = useConnectionDetails(channelSpec, channelId);
  const { item: channel, setItem: setChannel, reload, fallback, lifecycle } = connection;
  const [newKey, setNewKey] = useState<string | null>(() => takeNewKey(channelId));
  const [dialog, setDialog] = useState<'test' | 'send' | 'rotate' | 'credentials' | 'authorize' | null>(
    search.get('test') === '1' ? 'test' : search.get('send') === '1' ? 'send' : null,
  );
  const manage = lifecycle.manage;
  const authorize = can('channel.authorize');
  const mayTest = manage || can('reach.webhook.use');
  const maySend = useMaySend();

  if (fallback || !channel) return fallback;
  const app = channel.app_id ? byId(channel.app_id) : undefined;
  const workspaceName = (id: string) => workspaces.find((w) => w.id === id)?.name ?? id;
  const closeDialog = () => {
    setDialog(null);
    if (search.get('test') || search.get('send'))
      navigate(channelPath(projectId, channel.id), { replace: true });
  };

  return (
    <>
      <ConnectionHeader
        details={connection}
        item={channel}
        badge={<TestStatusBadge channel={channel} />}
        description={`${t('channels.kind.webhook')} · ${t(`channels.category.${channel.category}`)}${
          channel.description ? ` · ${channel.description}` : ''
        }`}
        actions={
          <>
            {maySend ? (
              <Button
                icon={<IconPlay />}
                disabled={channel.status !== 'enabled'}
                title={channel.status !== 'enabled' ? t('errors.TP_ERR_CHANNEL_DISABLED') : undefined}
                onClick={() => setDialog('send')}
              >
                {t('send.sendNow')}
              </Button>
            ) : null}
            {mayTest ? (
              <Button variant="primary" icon={<IconPulse />} onClick={() => setDialog('test')}>
                {t('channels.testSend')}
              </Button>
            ) : null}
          </>
        }
        onEdit={() => navigate(`${channelPath(projectId, channel.id)}/edit`)}
      />
      {channel.test_status === 'untested' ? <Alert tone="info">{t('channels.untestedBanner')}</Alert> : null}
      <ChannelHealthCard channel={channel} />
      <Suspense fallback={null}>
        <DeliveryCharts channel={channel} />
      </Suspense>
      <div className="details-grid">
        <Card title={t('channels.credentialsCard')} subtitle={t('channels.credentialsSubtitle')}>
          <dl className="kv kv-wide">
            <dt>{t('channels.channelId')}</dt>
            <dd>
              <CopyValue value={channel.id} label={t('channels.copyChannelId')} />
            </dd>
            <dt>{t('channels.url')}</dt>
            <dd>
              <CopyValue value={channel.url} label={t('channels.copyUrl')} />
            </dd>
            <dt>{t('channels.token')}</dt>
            <dd className="row" data-testid="channel-token">
              {channel.auth === 'token' ? (
                <>
                  <MaskedSecret
                    set={channel.token.set}
                    setLabel={t('channels.set')}
                    notSetLabel={t('channels.notSet')}
                  />
                  {manage ? (
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={<IconKey />}
                      onClick={() => setDialog('credentials')}
                    >
                      {t('channels.updateCredentials')}
                    </Button>
                  ) : null}
                </>
              ) : (
                <span className="muted">{t('channels.auth.none')}</span>
              )}
            </dd>
            <dt>{t('channels.signatureV2')}</dt>
            <dd data-testid="channel-v2">
              {channel.signature_v2.enabled ? (
                <div className="stack-tight">
                  <span className="row">
                    <span className="secret-value masked">••••••••••••</span>
                    <Badge tone={channel.signature_v2.key.set ? 'green' : 'amber'}>
                      {channel.signature_v2.key.set ? t('channels.set') : t('channels.notSet')}
                    </Badge>
                    {manage ? (
                      <Button
                        size="sm"
                        variant="ghost"
                        icon={<IconRotate />}
                        onClick={() => setDialog('rotate')}
                      >
                        {t('channels.rotate')}
                      </Button>
                    ) : null}
                  </span>
                  {channel.signature_v2.previous_key_expires_at ? (
                    <span className="cell-sub">
                      {t('channels.previousKeyUntil', {
                        time: formatTime(channel.signature_v2.previous_key_expires_at),
                      })}
                    </span>
                  ) : null}
                </div>
              ) : (
                <span className="muted">{t('channels.off')}</span>
              )}
            </dd>
          </dl>
        </Card>
        <Card title={t('channels.settingsTitle')}>
          <dl className="kv" data-testid="channel-settings">
            <dt>{t('channels.sendIdType')}</dt>
            <dd className="mono">{channel.send_id_type}</dd>
            <dt>{t('channels.batchSize')}</dt>
            <dd>{channel.batch_size}</dd>
            <dt>{t('channels.rateLimit')}</dt>
            <dd>{rateLimitText(t, channel.rate_limit)}</dd>
            <dt>{t('channels.timeout')}</dt>
            <dd>{timeoutText(t, channel.timeout_s)}</dd>
            <dt>{t('channels.delivery')}</dt>
            <dd className="badge-list">
              {(
                [
                  ['compression', 'channels.compression'],
                  ['strict_response', 'channels.strictResponse'],
                  ['retry_failed_items', 'channels.retryFailed'],
                ] as const
              ).map(([key, label]) => (
                <Badge key={key} tone={channel[key] ? 'blue' : 'neutral'}>
                  {t(label)}: {channel[key] ? t('channels.on') : t('channels.off')}
                </Badge>
              ))}
            </dd>
            <dt>{t('channels.app')}</dt>
            <dd>
              {channel.app_id
                ? app
                  ? `${app.name} · ${t(`appType.${app.app_type}`)}`
                  : channel.app_id
                : '—'}
            </dd>
            <dt>{t('channels.testStatusLabel')}</dt>
            <dd>
              {channel.tested_at
                ? t('channels.testedAt', { time: formatTime(channel.tested_at) })
                : t('channels.neverTested')}
            </dd>
            <dt>{t('common.created')}</dt>
            <dd>{formatTime(channel.created_at)}</dd>
          </dl>
        </Card>
      </div>
      <Card title={t('channels.sectionTemplate')} subtitle={t('channels.templateSubtitle')} flush>
        {channel.template.length === 0 ? (
          <div className="card-body muted">{t('channels.noTemplate')}</div>
        ) : (
          <StaticTable
            label={t('channels.sectionTemplate')}
            headings={[
              t('channels.fieldKey'),
              t('channels.fieldLabel'),
              t('channels.fieldType'),
              t('channels.required'),
              t('channels.fieldDetails'),
            ]}
          >
            {channel.template.map((f) => (
              <tr key={f.key}>
                <td className="mono">{f.key}</td>
                <td>
                  {f.label}
                  {f.prompt ? <div className="cell-sub">{f.prompt}</div> : null}
                </td>
                <td>
                  <Badge>{t(`channels.fieldType.${f.type}`)}</Badge>
                </td>
                <td>{f.required !== false ? t('common.yes') : t('common.no')}</td>
                <td className="cell-sub">
                  {f.options
                    ? f.options.map((o) => `${o.code} · ${o.name}`).join(', ')
                    : f.options_url
                      ? t('channels.optionsFromUrl', { url: f.options_url })
                      : f.columns
                        ? f.columns.map((c) => `${c.key} (${t(`channels.fieldType.${c.type}`)})`).join(', ')
                        : '—'}
                </td>
              </tr>
            ))}
          </StaticTable>
        )}
      </Card>
      <div className="details-grid details-grid-even">
        <Card title={t('channels.sectionParams')}>
          {channel.custom_params.length === 0 ? (
            <p className="muted">{t('channels.noParams')}</p>
          ) : (
            <dl className="kv">
              {channel.custom_params.map((p) => (
                <div className="kv-pair" key={p.key}>
                  <dt className="mono">{p.key}</dt>
                  <dd>
                    <span className="mono">{p.property}</span>
                    <span className="muted">
                      {' '}
                      ·{' '}
                      {p.default != null
                        ? t('channels.defaultIs', { value: p.default })
                        : t('channels.nullWhenEmpty')}
                    </span>
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </Card>
        <Card title={t('channels.sectionFunnel')}>
          {channel.receipt_funnel.length === 0 ? (
            <p className="muted">{t('channels.noFunnel')}</p>
          ) : (
            <ol className="funnel-steps">
              {channel.receipt_funnel.map((s) => (
                <li key={s.event}>
                  <strong>{s.label}</strong> <span className="mono muted">{s.event}</span>
                </li>
              ))}
            </ol>
          )}
        </Card>
      </div>
      <div className="details-grid details-grid-even">
        <Card
          title={t('channels.authorizationTitle')}
          subtitle={t('channels.authorizationSubtitle')}
          actions={
            authorize ? (
              <Button size="sm" icon={<IconLayers />} onClick={() => setDialog('authorize')}>
                {t('channels.authorize')}
              </Button>
            ) : null
          }
        >
          {channel.workspace_ids.length === 0 ? (
            <p className="muted">{t('channels.noWorkspacesLong')}</p>
          ) : (
            <ul className="badge-list" aria-label={t('channels.authorizedWorkspaces')}>
              {channel.workspace_ids.map((w) => (
                <li className="platform-chip" key={w}>
                  {workspaceName(w)}
                </li>
              ))}
            </ul>
          )}
        </Card>
        {authorize ? <GrantsCard channel={channel} /> : <div />}
      </div>
      <ChannelUnsubscribes channel={channel} />
      {lifecycle.dialogs}
      <SecretOnceDialog
        value={newKey}
        onClose={() => setNewKey(null)}
        title={t('channels.newKeyTitle')}
        done={t('channels.newKeyDone')}
      >
        {(value) => (
          <SecretOnce
            warning={t('channels.newKeyOnce')}
            label={t('channels.signingKey')}
            value={value}
            hint={t('channels.newKeyHint')}
          />
        )}
      </SecretOnceDialog>
      {mayTest ? (
        <TestSendDialog channel={channel} open={dialog === 'test'} onClose={closeDialog} onSent={reload} />
      ) : null}
      {maySend ? <SendNowDialog channel={channel} open={dialog === 'send'} onClose={closeDialog} /> : null}
      <RotateKeyDialog
        channel={channel}
        open={dialog === 'rotate'}
        onClose={closeDialog}
        onRotated={(after) => {
          setDialog(null);
          toast.success(t('channels.rotated'));
          setNewKey(after.signature_v2.new_key ?? null);
          setChannel(after);
        }}
      />
      <CredentialsDialog
        channel={channel}
        open={dialog === 'credentials'}
        onClose={closeDialog}
        onSaved={(after) => {
          toast.success(t('channels.credentialsSaved'));
          setChannel(after);
        }}
      />
      <AuthorizeDialog
        channel={channel}
        open={dialog === 'authorize'}
        onClose={closeDialog}
        onSaved={(after) => {
          setDialog(null);
          toast.success(t('channels.authorized', { n: after.workspace_ids.length }));
          setChannel(after);
        }}
      />
    </>
  );
}

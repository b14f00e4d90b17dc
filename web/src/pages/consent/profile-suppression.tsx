import './consent.css';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import { PROFILE_ID_TYPE, type ConsentEntry, type Profile } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Button } from '../../ui/button.tsx';
import { Alert, Badge } from '../../ui/display.tsx';
import { describeError } from '../../ui/errors.ts';
import { TextField } from '../../ui/field.tsx';
import { FormDialog } from '../../ui/form-dialog.tsx';
import { IconBan } from '../../ui/icons.tsx';
import { useToast } from '../../ui/toast.tsx';
import { ConsentSourceBadge, idTypeLabel, suppressionSearchPath } from './consent-common.tsx';

/**
 * The suppression entries that name a profile: by its tp_uid, or by any of its identities (the
 * send gate leaves it out for either). One lookup per ID value; a profile holds a handful.
 */
async function suppressionsOf(projectId: number, profile: Profile): Promise<ConsentEntry[]> {
  const targets = [
    { id_type: PROFILE_ID_TYPE, value: profile.tp_uid },
    ...profile.identities.map((i) => ({ id_type: i.type, value: i.value })),
  ];
  const pages = await Promise.all(
    targets.map((q) => api.listSuppressions({ projectId }, { ...q, limit: 1 })),
  );
  return pages.flatMap((p) => p.items);
}

/**
 * The profile page's suppression status, and "Suppress this user" (an entry naming the profile
 * itself, so it holds whichever identity a channel sends to). Removing is the Suppressions
 * page's, which the status links to.
 */
export function ProfileSuppression({ profile, name }: { profile: Profile; name: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const { projectId, can } = useProject();
  const [entries, setEntries] = useState<readonly ConsentEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setError(null);
    suppressionsOf(projectId, profile).then(
      (found) => current && setEntries(found),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [projectId, profile, tick]);

  if (error)
    return (
      <div className="page-alert">
        <Alert tone="error">{describeError(error, t)}</Alert>
      </div>
    );
  if (entries === null) return null;
  const suppressed = entries.length > 0;
  const first = entries[0];
  return (
    <section
      className="card card-body consent-status"
      aria-label={t('consent.profileCard')}
      data-testid="profile-suppression"
    >
      <Badge tone={suppressed ? 'red' : 'green'} dot>
        {t('consent.profileCard')}
      </Badge>
      <div className="consent-status-text">
        <strong>{suppressed ? t('consent.profileSuppressed') : t('consent.profileNotSuppressed')}</strong>
        {suppressed ? (
          <span className="badge-list">
            {entries.map((e) => (
              <span className="row" key={e.id}>
                <span className="cell-sub">
                  {e.id_type === PROFILE_ID_TYPE
                    ? t('consent.profileSuppressedIt')
                    : t('consent.profileSuppressedBy', { type: idTypeLabel(e.id_type, t), value: e.value })}
                  {e.reason ? ` · ${e.reason}` : ''}
                </span>
                <ConsentSourceBadge source={e.source} />
              </span>
            ))}
          </span>
        ) : null}
      </div>
      <span className="toolbar-spacer" />
      {first ? (
        <Link
          className="btn btn-secondary btn-sm"
          to={suppressionSearchPath(projectId, first.id_type, first.value)}
        >
          {t('consent.profileView')}
        </Link>
      ) : can('audience.manage') ? (
        <Button size="sm" icon={<IconBan />} onClick={() => setConfirming(true)}>
          {t('consent.profileSuppress')}
        </Button>
      ) : null}
      <FormDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        icon={<IconBan />}
        title={t('consent.profileSuppressTitle', { name })}
        description={t('consent.profileSuppressText')}
        submitLabel={t('consent.profileSuppressSubmit')}
        submitIcon={<IconBan />}
        onSubmit={async () => {
          await api.addSuppression(
            { projectId },
            { tp_uid: profile.tp_uid, reason: reason.trim() || null, source: 'console' },
          );
          setConfirming(false);
          setReason('');
          toast.success(t('consent.profileSuppressed.toast', { name }));
          setTick((n) => n + 1);
        }}
      >
        <TextField
          label={t('consent.reason')}
          name="reason"
          optional={t('common.optional')}
          maxLength={500}
          value={reason}
          placeholder={t('consent.reasonPlaceholder')}
          onChange={(e) => setReason(e.target.value)}
        />
      </FormDialog>
    </section>
  );
}

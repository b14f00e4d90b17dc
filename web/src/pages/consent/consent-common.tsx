import { useEffect, useMemo, useState } from 'react';
import { api, fetchAll } from '../../api/client.ts';
import { PROFILE_ID_TYPE, type ConsentEntry, type ConsentSource, type Member } from '../../api/types.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { Link } from '../../router.tsx';
import { Badge, type Tone } from '../../ui/display.tsx';
import { profilePath, useIdTypes } from '../profiles/profile-common.tsx';

// What the suppressions page, a channel's unsubscribes and the profile page share: the address,
// the ID type choices (the project's ID types and the profile itself), how an entry is shown.

export const suppressionsPath = (projectId: number) => `/projects/${projectId}/suppressions`;

/** The suppressions page searching for one ID value (the profile page links to it). */
export const suppressionSearchPath = (projectId: number, idType: string, value: string) =>
  `${suppressionsPath(projectId)}?${new URLSearchParams({ id_type: idType, value }).toString()}`;

/**
 * The ID types an entry may name: the built-in ones, the project's declared ones, and the
 * profile itself (`$tp_uid`), which the API takes as `{tp_uid}`.
 */
export function useConsentIdTypes(): readonly { readonly value: string; readonly label: string }[] {
  const { t } = useI18n();
  const { settings } = useIdTypes();
  return useMemo(() => {
    const names = [...(settings?.builtin ?? ['user_id']), ...(settings?.id_types.map((d) => d.name) ?? [])];
    return [
      ...[...new Set(names)].map((n) => ({ value: n, label: n })),
      { value: PROFILE_ID_TYPE, label: t('consent.profileIdType') },
    ];
  }, [settings, t]);
}

/** How an ID type reads in a sentence: `$tp_uid` is the profile. */
export function idTypeLabel(idType: string, t: Translate): string {
  return idType === PROFILE_ID_TYPE ? t('consent.profileIdType') : idType;
}

const sourceTone: Record<ConsentSource, Tone> = { api: 'blue', console: 'neutral', event: 'amber' };

/** Who made an entry: the API, someone in the console, or the user's own event. */
export function ConsentSourceBadge({ source }: { source: ConsentSource }) {
  const { t } = useI18n();
  return (
    <span title={t(`consent.sourceHint.${source}`)} data-source={source}>
      <Badge tone={sourceTone[source]}>{t(`consent.source.${source}`)}</Badge>
    </span>
  );
}

/** The ID value an entry names, as a chip; a profile links to its page. */
export function ConsentTarget({ entry }: { entry: Pick<ConsentEntry, 'id_type' | 'value'> }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const profile = entry.id_type === PROFILE_ID_TYPE;
  return (
    <span className="identity-chip consent-target">
      <span className="identity-type">{profile ? t('consent.profileIdType') : entry.id_type}</span>
      {profile ? (
        <Link
          className="identity-value"
          to={profilePath(projectId, entry.value)}
          title={t('consent.openProfile')}
        >
          {entry.value}
        </Link>
      ) : (
        <span className="identity-value" title={entry.value}>
          {entry.value}
        </span>
      )}
    </span>
  );
}

/** The project's members by account id, for "added by"; empty while loading or when refused. */
export function useMemberNames(): (accountId: string | null) => string | null {
  const { projectId } = useProject();
  const [members, setMembers] = useState<readonly Member[]>([]);
  useEffect(() => {
    let current = true;
    fetchAll((q) => api.listMembers({ projectId }, q)).then(
      (m) => current && setMembers(m),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [projectId]);
  return (accountId) => {
    if (accountId === null) return null;
    const m = members.find((x) => x.account_id === accountId);
    return m ? m.name || m.email : null;
  };
}

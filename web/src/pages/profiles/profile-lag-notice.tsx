import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { ProfileLag } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Alert } from '../../ui/display.tsx';

/** Profiles this far behind the events received are worth a word (issue 14). */
const NOTICE_AFTER_SECONDS = 5;

/**
 * A notice on the verify and profile views while profiles lag behind ingest by more than 5 s:
 * what the page shows of profiles may not include the latest events yet. Checked every 10 s.
 */
export function ProfileLagNotice({ projectId }: { projectId: number }) {
  const { t } = useI18n();
  const [lag, setLag] = useState<ProfileLag | null>(null);
  useEffect(() => {
    let live = true;
    const check = () =>
      api.getProfileLag({ projectId }).then(
        (answer) => live && setLag(answer),
        () => live && setLag(null),
      );
    void check();
    const timer = window.setInterval(check, 10_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [projectId]);
  if (!lag || lag.lag_seconds <= NOTICE_AFTER_SECONDS) return null;
  return (
    <div className="page-alert" data-testid="profile-lag">
      <Alert tone="warning">
        {t('profiles.lagNotice', {
          seconds: Math.round(lag.lag_seconds),
          count: lag.backlog_events,
        })}
      </Alert>
    </div>
  );
}

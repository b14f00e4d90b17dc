import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { matchPath, useLocation } from '../../router.tsx';
import { PageHeader, Tabs } from '../../ui/display.tsx';
import { DeadLetters } from './dead-letters.tsx';
import { deadLettersPath, deliveryPath } from './delivery-common.tsx';
import { MessageDetails } from './message-details.tsx';
import { MessageLog } from './message-log.tsx';

/**
 * The Delivery area (issue 17): the message log with counts by state, one message with its
 * attempts and Replay, and dead letters with replay by selection or since a time.
 */
export function DeliveryPage() {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { pathname } = useLocation();
  const base = deliveryPath(projectId);
  const one = matchPath(`${base}/messages/:opsRequestId`, pathname);
  if (one?.opsRequestId) return <MessageDetails key={one.opsRequestId} opsRequestId={one.opsRequestId} />;
  const here = pathname.replace(/\/$/, '');
  const tab = here === deadLettersPath(projectId) ? deadLettersPath(projectId) : base;
  return (
    <>
      <PageHeader title={t('delivery.title')} description={t('delivery.description')} />
      <Tabs
        label={t('delivery.title')}
        current={tab}
        items={[
          { to: base, label: t('delivery.tabLog') },
          { to: deadLettersPath(projectId), label: t('delivery.tabDeadLetters') },
        ]}
      />
      {tab === base ? <MessageLog /> : <DeadLetters />}
    </>
  );
}

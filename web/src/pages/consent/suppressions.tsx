import './consent.css';
import { useI18n } from '../../i18n/i18n.tsx';
import { useProject } from '../../project-context.tsx';
import { navigate, useLocation } from '../../router.tsx';
import { PageHeader } from '../../ui/display.tsx';
import { suppressionsPath } from './consent-common.tsx';
import { ConsentList, type ConsentFilter } from './consent-list.tsx';

/**
 * `/projects/:id/suppressions`: the project-wide suppression list. The search is in the address
 * (`?id_type=&value=`), so the profile page can link to the entries that name a user.
 */
export function SuppressionsPage() {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { search } = useLocation();
  const filter: ConsentFilter = { idType: search.get('id_type') ?? '', value: search.get('value') ?? '' };
  const onFilter = (next: ConsentFilter) => {
    const query = new URLSearchParams();
    if (next.idType) query.set('id_type', next.idType);
    if (next.value) query.set('value', next.value);
    const path = suppressionsPath(projectId);
    navigate(query.size ? `${path}?${query.toString()}` : path, { replace: true });
  };
  return (
    <>
      <PageHeader title={t('consent.title')} description={t('consent.description')} />
      <ConsentList of={{ channel: null }} filter={filter} onFilter={onFilter} />
    </>
  );
}

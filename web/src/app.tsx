import { useEffect, useState } from 'react';
import { api, fetchAll } from './api/client.ts';
import { useI18n } from './i18n/i18n.tsx';
import { ForcedPasswordChangePage } from './pages/auth/change-password.tsx';
import { ConnectionsPage } from './pages/connections/connections.tsx';
import { DeliveryPage } from './pages/delivery/delivery.tsx';
import { AudiencesPage } from './pages/audiences/audiences.tsx';
import { CampaignsPage } from './pages/campaigns/campaigns.tsx';
import { SuppressionsPage } from './pages/consent/suppressions.tsx';
import { AreaPlaceholderPage, isPlaceholderArea } from './pages/area-placeholder.tsx';
import { LoginPage, safeNext } from './pages/auth/login.tsx';
import { MembersPage } from './pages/tenancy/members.tsx';
import { ProfilesPage } from './pages/profiles/profiles.tsx';
import { SetPasswordPage } from './pages/auth/set-password.tsx';
import { SettingsPage } from './pages/tenancy/settings.tsx';
import { ProjectProvider, rememberedProjectId, useProject } from './project-context.tsx';
import { navigate, useLocation } from './router.tsx';
import { useSession } from './session.tsx';
import { AuthLayout } from './ui/auth-layout.tsx';
import { Button } from './ui/button.tsx';
import { Alert, Card, EmptyState } from './ui/display.tsx';
import { describeError } from './ui/errors.ts';
import { IconFolder } from './ui/icons.tsx';
import { AppShell, InstanceShell } from './ui/layout.tsx';
import { AccountsPage } from './pages/instance/accounts.tsx';
import { AllProjectsPage } from './pages/instance/all-projects.tsx';

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Loading() {
  const { t } = useI18n();
  return (
    <div className="full-center" role="status">
      <span className="row">
        <span className="spinner" aria-hidden="true" /> {t('common.loading')}
      </span>
    </div>
  );
}

/** `/`: the last project used, else the first one the account can see. */
function HomeRedirect() {
  const { t } = useI18n();
  const { session, logout } = useSession();
  const [target, setTarget] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    const memberships = session?.memberships ?? [];
    const remembered = rememberedProjectId();
    // Only a project the account belongs to: an instance admin opens no other (decision 10).
    if (remembered && memberships.some((m) => m.project_id === remembered)) {
      setTarget(`/projects/${remembered}/connections`);
      return;
    }
    if (memberships[0]) {
      setTarget(`/projects/${memberships[0].project_id}/connections`);
      return;
    }
    // An instance admin in no project yet starts at the project list, where it creates one.
    if (session?.account.is_instance_admin) {
      setTarget('/instance/projects');
      return;
    }
    fetchAll((q) => api.listProjects(q)).then(
      (projects) => setTarget(projects[0] ? `/projects/${projects[0].id}/connections` : null),
      () => setTarget(null),
    );
  }, [session]);
  if (target === undefined) return <Loading />;
  if (target) return <Redirect to={target} />;
  return (
    <AuthLayout>
      <EmptyState
        icon={<IconFolder />}
        title={t('home.noProjectTitle')}
        description={t('home.noProjectText')}
        action={<Button onClick={() => void logout()}>{t('user.logout')}</Button>}
      />
    </AuthLayout>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <Card flush>
      <EmptyState icon={<IconFolder />} title={t('notFound.title')} description={t('notFound.text')} />
    </Card>
  );
}

function ProjectArea({ area }: { area: string }) {
  const { t } = useI18n();
  const { error } = useProject();
  if (error) return <Alert tone="error">{describeError(error, t)}</Alert>;
  if (area === 'connections') return <ConnectionsPage />;
  if (area === 'profiles') return <ProfilesPage />;
  if (area === 'delivery') return <DeliveryPage />;
  if (area === 'audiences') return <AudiencesPage />;
  if (area === 'campaigns') return <CampaignsPage />;
  if (area === 'suppressions') return <SuppressionsPage />;
  if (isPlaceholderArea(area)) return <AreaPlaceholderPage area={area} />;
  if (area === 'members') return <MembersPage />;
  if (area === 'settings') return <SettingsPage />;
  return <NotFound />;
}

export function App() {
  const { status, session } = useSession();
  const { pathname, search } = useLocation();

  if (pathname === '/set-password') return <SetPasswordPage />;
  if (status === 'loading') return <Loading />;
  if (status === 'anonymous' || !session) {
    if (pathname !== '/login') {
      const here =
        pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + (search.size ? `?${search}` : ''))}`;
      return <Redirect to={`/login${here}`} />;
    }
    return <LoginPage />;
  }
  if (session.account.must_change_password) return <ForcedPasswordChangePage />;
  if (pathname === '/login') return <Redirect to={safeNext(search.get('next'))} />;
  if (pathname === '/') return <HomeRedirect />;

  const [, first, id, area = 'connections'] = pathname.split('/');
  if (first === 'instance' && session.account.is_instance_admin && (id === 'accounts' || id === 'projects')) {
    return (
      <InstanceShell area={id}>{id === 'accounts' ? <AccountsPage /> : <AllProjectsPage />}</InstanceShell>
    );
  }
  const projectId = Number(id);
  if (first === 'projects' && Number.isInteger(projectId) && projectId > 0) {
    return (
      <ProjectProvider projectId={projectId} key={projectId}>
        <AppShell>
          <ProjectArea area={area} />
        </AppShell>
      </ProjectProvider>
    );
  }
  return (
    <AuthLayout>
      <NotFound />
    </AuthLayout>
  );
}

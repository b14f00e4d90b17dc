import { useEffect, useState, type ReactNode } from 'react';
import { api, fetchAll } from '../api/client.ts';
import type { Project } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { rememberedProjectId, useProject } from '../project-context.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ChangePasswordDialog } from '../pages/auth/change-password.tsx';
import { CreateProjectDialog } from '../pages/tenancy/create-project.tsx';
import {
  IconAudience,
  IconBan,
  IconCampaign,
  IconChevronDown,
  IconConnection,
  IconDelivery,
  IconFolder,
  IconGlobe,
  IconLayers,
  IconLock,
  IconLogout,
  IconMembers,
  IconPlus,
  IconProfiles,
  IconSettings,
} from './icons.tsx';
import { LanguageMenuItems } from './language-menu.tsx';
import { Menu, MenuHeading, MenuItem, MenuSeparator } from './menu.tsx';

export const areas = [
  { path: 'connections', label: 'nav.connections', icon: IconConnection },
  { path: 'audiences', label: 'nav.audiences', icon: IconAudience },
  { path: 'campaigns', label: 'nav.campaigns', icon: IconCampaign },
  { path: 'suppressions', label: 'nav.suppressions', icon: IconBan },
  { path: 'profiles', label: 'nav.profiles', icon: IconProfiles },
  { path: 'delivery', label: 'nav.delivery', icon: IconDelivery },
  { path: 'members', label: 'nav.members', icon: IconMembers },
  { path: 'settings', label: 'nav.settings', icon: IconSettings },
] as const satisfies readonly { path: string; label: MessageKey; icon: unknown }[];

/** The areas listed under Administration; the others under Engage. */
const adminAreas: ReadonlySet<string> = new Set(['members', 'settings']);

/** The instance admin's pages, under `/instance/…`. */
export const instanceAreas = [
  { path: 'accounts', label: 'nav.accounts', icon: IconMembers },
  { path: 'projects', label: 'nav.allProjects', icon: IconGlobe },
] as const satisfies readonly { path: string; label: MessageKey; icon: unknown }[];

function initials(name: string, email: string): string {
  const source = name.trim() || email;
  const parts = source.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
}

function UserMenu() {
  const { t } = useI18n();
  const { session, logout } = useSession();
  const [changing, setChanging] = useState(false);
  if (!session) return null;
  const { account } = session;
  return (
    <>
      <Menu
        label={t('user.menu')}
        testId="user-menu"
        triggerClassName="avatar-trigger"
        trigger={
          <>
            <span className="avatar" aria-hidden="true">
              {initials(account.name, account.email)}
            </span>
            <span className="menu-trigger-label">{account.name || account.email}</span>
            <IconChevronDown />
          </>
        }
      >
        {(close) => (
          <>
            <div className="menu-info" role="presentation">
              <strong>{account.name || account.email}</strong>
              <span>{account.email}</span>
            </div>
            <LanguageMenuItems close={close} />
            <MenuSeparator />
            <MenuItem
              icon={<IconLock />}
              onSelect={() => {
                close();
                setChanging(true);
              }}
            >
              {t('user.changePassword')}
            </MenuItem>
            <MenuItem icon={<IconLogout />} onSelect={() => void logout()}>
              {t('user.logout')}
            </MenuItem>
          </>
        )}
      </Menu>
      <ChangePasswordDialog open={changing} onClose={() => setChanging(false)} />
    </>
  );
}

/** Switching project keeps the area and tab (`members/roles`), never a resource id of the old one. */
function ProjectSwitcher({
  section,
  projects,
  project,
}: {
  section: string;
  projects: readonly Project[];
  /** The open project; null outside one (the instance pages). */
  project: Project | null;
}) {
  const { t } = useI18n();
  const { session } = useSession();
  const projectId = project?.id ?? null;
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Menu
        label={t('switcher.project')}
        testId="project-switcher"
        align="start"
        trigger={
          <>
            <IconFolder />
            <span>
              <span className="menu-trigger-kicker">{t('switcher.projectKicker')} </span>
              <span className="menu-trigger-label">
                {project?.name ?? (projectId === null ? t('switcher.chooseProject') : '…')}
              </span>
            </span>
            <IconChevronDown />
          </>
        }
      >
        {(close) => (
          <>
            <MenuHeading>{t('switcher.projects')}</MenuHeading>
            {projects.map((p) => (
              <MenuItem
                key={p.id}
                checked={p.id === projectId}
                onSelect={() => {
                  close();
                  navigate(`/projects/${p.id}/${section}`);
                }}
              >
                {p.name}
              </MenuItem>
            ))}
            {session?.account.is_instance_admin ? (
              <>
                <MenuSeparator />
                <MenuItem
                  icon={<IconPlus />}
                  onSelect={() => {
                    close();
                    setCreating(true);
                  }}
                >
                  {t('projects.create')}
                </MenuItem>
              </>
            ) : null}
          </>
        )}
      </Menu>
      <CreateProjectDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function WorkspaceSwitcher() {
  const { t } = useI18n();
  const { workspaces, workspace, setWorkspace } = useProject();
  return (
    <Menu
      label={t('switcher.workspace')}
      testId="workspace-switcher"
      align="start"
      trigger={
        <>
          <IconLayers />
          <span>
            <span className="menu-trigger-kicker">{t('switcher.workspaceKicker')} </span>
            <span className="menu-trigger-label">{workspace?.name ?? t('switcher.noWorkspace')}</span>
          </span>
          <IconChevronDown />
        </>
      }
    >
      {(close) => (
        <>
          <MenuHeading>{t('switcher.workspaces')}</MenuHeading>
          {workspaces.length === 0 ? (
            <div className="menu-info" role="presentation">
              <span>{t('switcher.noWorkspace')}</span>
            </div>
          ) : null}
          {workspaces.map((w) => (
            <MenuItem
              key={w.id}
              checked={w.id === workspace?.id}
              onSelect={() => {
                setWorkspace(w.id);
                close();
              }}
            >
              {w.name}
            </MenuItem>
          ))}
        </>
      )}
    </Menu>
  );
}

function InstanceNav({ current }: { current: string | null }) {
  const { t } = useI18n();
  const { session } = useSession();
  // Hidden unless the account is an instance admin: the routes answer 403 to anyone else.
  if (!session?.account.is_instance_admin) return null;
  return (
    <>
      <div className="sidenav-section">{t('nav.sectionInstance')}</div>
      {instanceAreas.map((a) => (
        <Link key={a.path} to={`/instance/${a.path}`} aria-current={current === a.path ? 'page' : undefined}>
          <a.icon />
          {t(a.label)}
        </Link>
      ))}
    </>
  );
}

function Frame({
  projectId,
  area,
  instanceArea,
  topbar,
  children,
}: {
  /** The project the area links open; null when none is known. */
  projectId: number | null;
  area: string | null;
  instanceArea: string | null;
  topbar: ReactNode;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const link = (a: (typeof areas)[number]) => (
    <Link
      key={a.path}
      to={`/projects/${projectId}/${a.path}`}
      aria-current={area === a.path ? 'page' : undefined}
    >
      <a.icon />
      {t(a.label)}
    </Link>
  );
  return (
    <div className="shell">
      <div className="brand">
        <img src="/favicon.svg" alt="" />
        Touchpoint
      </div>
      <nav className="sidenav" aria-label={t('nav.label')}>
        {projectId !== null ? (
          <>
            <div className="sidenav-section">{t('nav.sectionData')}</div>
            {areas.filter((a) => !adminAreas.has(a.path)).map(link)}
            <div className="sidenav-section">{t('nav.sectionAdmin')}</div>
            {areas.filter((a) => adminAreas.has(a.path)).map(link)}
          </>
        ) : null}
        <InstanceNav current={instanceArea} />
        <div className="sidenav-footer">Touchpoint · {t('nav.selfHosted')}</div>
      </nav>
      <header className="topbar">
        {topbar}
        <div className="topbar-spacer" />
        <UserMenu />
      </header>
      <main className="main" id="main">
        {children}
      </main>
    </div>
  );
}

/** The signed-in frame: brand, side navigation of the areas, top bar with switchers and user menu. */
export function AppShell({ children }: { children: ReactNode }) {
  const { projectId, project, projects } = useProject();
  const { pathname } = useLocation();
  const area = pathname.split('/')[3] ?? 'connections';
  const section = pathname.split('/').slice(3, 5).join('/') || 'connections';
  return (
    <Frame
      projectId={projectId}
      area={area}
      instanceArea={null}
      topbar={
        <>
          <ProjectSwitcher section={section} projects={projects} project={project} />
          <WorkspaceSwitcher />
        </>
      }
    >
      {children}
    </Frame>
  );
}

/**
 * The frame of the instance pages (accounts, all projects), which belong to no project: the
 * project areas link to the last project used, if the account can still open it.
 */
export function InstanceShell({ area, children }: { area: string; children: ReactNode }) {
  const { session } = useSession();
  const [projects, setProjects] = useState<readonly Project[]>([]);
  useEffect(() => {
    fetchAll((q) => api.listProjects(q)).then(setProjects, () => setProjects([]));
  }, []);
  const remembered = rememberedProjectId();
  const member = (id: number) => session?.memberships.some((m) => m.project_id === id) ?? false;
  const home =
    remembered !== null && member(remembered) ? remembered : (session?.memberships[0]?.project_id ?? null);
  return (
    <Frame
      projectId={home}
      area={null}
      instanceArea={area}
      topbar={<ProjectSwitcher section="connections" projects={projects} project={null} />}
    >
      {children}
    </Frame>
  );
}

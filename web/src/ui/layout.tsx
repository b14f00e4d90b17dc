import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { useProject } from '../project-context.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { ChangePasswordDialog } from '../pages/auth/change-password.tsx';
import { CreateProjectDialog } from '../pages/tenancy/create-project.tsx';
import {
  IconCampaign,
  IconChevronDown,
  IconConnection,
  IconDelivery,
  IconFolder,
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
  { path: 'campaigns', label: 'nav.campaigns', icon: IconCampaign },
  { path: 'profiles', label: 'nav.profiles', icon: IconProfiles },
  { path: 'delivery', label: 'nav.delivery', icon: IconDelivery },
  { path: 'members', label: 'nav.members', icon: IconMembers },
  { path: 'settings', label: 'nav.settings', icon: IconSettings },
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
function ProjectSwitcher({ section }: { section: string }) {
  const { t } = useI18n();
  const { session } = useSession();
  const { project, projects, projectId } = useProject();
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
              <span className="menu-trigger-label">{project?.name ?? '…'}</span>
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

/** The signed-in frame: brand, side navigation of the areas, top bar with switchers and user menu. */
export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { projectId } = useProject();
  const { pathname } = useLocation();
  const area = pathname.split('/')[3] ?? 'connections';
  const section = pathname.split('/').slice(3, 5).join('/') || 'connections';
  return (
    <div className="shell">
      <div className="brand">
        <img src="/favicon.svg" alt="" />
        Touchpoint
      </div>
      <nav className="sidenav" aria-label={t('nav.label')}>
        <div className="sidenav-section">{t('nav.sectionData')}</div>
        {areas.slice(0, 4).map((a) => (
          <Link
            key={a.path}
            to={`/projects/${projectId}/${a.path}`}
            aria-current={area === a.path ? 'page' : undefined}
          >
            <a.icon />
            {t(a.label)}
          </Link>
        ))}
        <div className="sidenav-section">{t('nav.sectionAdmin')}</div>
        {areas.slice(4).map((a) => (
          <Link
            key={a.path}
            to={`/projects/${projectId}/${a.path}`}
            aria-current={area === a.path ? 'page' : undefined}
          >
            <a.icon />
            {t(a.label)}
          </Link>
        ))}
        <div className="sidenav-footer">Touchpoint · {t('nav.selfHosted')}</div>
      </nav>
      <header className="topbar">
        <ProjectSwitcher section={section} />
        <WorkspaceSwitcher />
        <div className="topbar-spacer" />
        <UserMenu />
      </header>
      <main className="main" id="main">
        {children}
      </main>
    </div>
  );
}

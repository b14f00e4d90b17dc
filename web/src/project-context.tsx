import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, fetchAll } from './api/client.ts';
import type { Permission, Project, Workspace } from './api/types.ts';
import { useSession } from './session.tsx';

const LAST_PROJECT = 'touchpoint.project';
const workspaceKey = (projectId: number) => `touchpoint.workspace.${projectId}`;

export function rememberedProjectId(): number | null {
  const value = Number(window.localStorage.getItem(LAST_PROJECT));
  return Number.isInteger(value) && value > 0 ? value : null;
}

interface ProjectContextValue {
  readonly projectId: number;
  readonly project: Project | null;
  readonly projects: readonly Project[];
  readonly workspaces: readonly Workspace[];
  readonly workspace: Workspace | null;
  readonly error: unknown;
  setWorkspace(id: string): void;
  can(permission: Permission): boolean;
  /** Reloads the project, the project list and the workspaces (after a rename, say). */
  reload(): void;
}

const ProjectContext = createContext<ProjectContextValue | null>(null);

/** The project in the URL, its workspaces and the workspace chosen in the switcher. */
export function ProjectProvider({ projectId, children }: { projectId: number; children: ReactNode }) {
  const { permissionsIn, session } = useSession();
  const [project, setProject] = useState<Project | null>(null);
  const [projects, setProjects] = useState<readonly Project[]>([]);
  const [workspaces, setWorkspaces] = useState<readonly Workspace[]>([]);
  const [workspaceId, setWorkspaceId] = useState<string | null>(() =>
    window.localStorage.getItem(workspaceKey(projectId)),
  );
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    window.localStorage.setItem(LAST_PROJECT, String(projectId));
    setWorkspaceId(window.localStorage.getItem(workspaceKey(projectId)));
  }, [projectId]);

  useEffect(() => {
    let current = true;
    setError(null);
    Promise.all([
      api.getProject({ projectId }),
      fetchAll((q) => api.listWorkspaces({ projectId }, q)),
      fetchAll((q) => api.listProjects(q)),
    ]).then(
      ([p, w, all]) => {
        if (!current) return;
        setProject(p);
        setWorkspaces(w);
        setProjects(all);
      },
      (e: unknown) => {
        if (!current) return;
        setError(e);
        setProject(null);
      },
    );
    return () => {
      current = false;
    };
  }, [projectId, tick]);

  const setWorkspace = useCallback(
    (id: string) => {
      window.localStorage.setItem(workspaceKey(projectId), id);
      setWorkspaceId(id);
    },
    [projectId],
  );

  const value = useMemo<ProjectContextValue>(() => {
    const permissions = permissionsIn(projectId);
    const membership = session?.memberships.find((m) => m.project_id === projectId);
    // A workspace member sees only its workspaces in the switcher; admins see them all.
    const visible =
      membership && membership.role !== 'project_admin'
        ? workspaces.filter((w) => membership.workspace_ids.includes(w.id))
        : workspaces;
    const workspace = visible.find((w) => w.id === workspaceId) ?? visible[0] ?? null;
    return {
      projectId,
      project,
      projects,
      workspaces: visible,
      workspace,
      error,
      setWorkspace,
      can: (p) => permissions.has(p),
      reload: () => setTick((n) => n + 1),
    };
  }, [projectId, project, projects, workspaces, workspaceId, error, setWorkspace, permissionsIn, session]);

  return <ProjectContext.Provider value={value}>{children}</ProjectContext.Provider>;
}

export function useProject(): ProjectContextValue {
  const value = useContext(ProjectContext);
  if (!value) throw new Error('useProject outside ProjectProvider');
  return value;
}

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setCsrfToken, setUnauthorizedHandler } from './api/client.ts';
import { permissionNames, type Permission, type RoleInfo, type SessionAnswer } from './api/types.ts';
import { navigate } from './router.tsx';

export type SessionStatus = 'loading' | 'anonymous' | 'authenticated';

interface SessionContextValue {
  readonly status: SessionStatus;
  readonly session: SessionAnswer | null;
  readonly roles: readonly RoleInfo[];
  refresh(): Promise<void>;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** What the signed-in account may do in a project, from its role (the server re-checks). */
  permissionsIn(projectId: number): ReadonlySet<Permission>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [session, setSession] = useState<SessionAnswer | null>(null);
  const [roles, setRoles] = useState<readonly RoleInfo[]>([]);

  const clear = useCallback(() => {
    setCsrfToken(null);
    setSession(null);
    setStatus('anonymous');
  }, []);

  const load = useCallback(async () => {
    try {
      const answer = await api.session();
      setCsrfToken(answer.csrf_token);
      setSession(answer);
      setStatus('authenticated');
      if (!answer.account.must_change_password) {
        api.listRoles().then(
          (r) => setRoles(r.items),
          () => setRoles([]),
        );
      }
    } catch {
      clear();
    }
  }, [clear]);

  useEffect(() => {
    void load();
    setUnauthorizedHandler(() => {
      clear();
      const here = window.location.pathname + window.location.search;
      navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [load, clear]);

  const value = useMemo<SessionContextValue>(
    () => ({
      status,
      session,
      roles,
      refresh: load,
      async login(email, password) {
        const answer = await api.login({ email, password });
        setCsrfToken(answer.csrf_token);
        await load();
      },
      async logout() {
        try {
          await api.logout();
        } finally {
          clear();
          navigate('/login', { replace: true });
        }
      },
      permissionsIn(projectId) {
        if (session?.account.is_instance_admin) return new Set(permissionNames);
        const membership = session?.memberships.find((m) => m.project_id === projectId);
        const role = roles.find((r) => r.role === membership?.role);
        return new Set(role?.permissions ?? []);
      },
    }),
    [status, session, roles, load, clear],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

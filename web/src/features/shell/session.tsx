/**
 * Who is signed in. The session lives in an HTTP-only cookie the SPA cannot read, so GET /me is the
 * source of truth; sign-in and link completion hand their Me over directly to save a round trip.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthenticated } from '../../lib/api';
import type { Me, Permission } from '../../lib/types';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed_out' }
  | { status: 'failed'; message: string }
  | { status: 'signed_in'; me: Me };

interface SessionContextValue {
  state: SessionState;
  setMe: (me: Me | null) => void;
  reload: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const setMe = useCallback((me: Me | null) => {
    setState(me ? { status: 'signed_in', me } : { status: 'signed_out' });
  }, []);

  const reload = useCallback(async () => {
    try {
      setState({ status: 'signed_in', me: await api.get<Me>('/api/cabinet/me') });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setState({ status: 'signed_out' });
      else setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  // A session that expires mid-work sends the user to sign in instead of leaving broken pages.
  useEffect(() => onUnauthenticated(() => setState({ status: 'signed_out' })), []);

  const value = useMemo(() => ({ state, setMe, reload }), [state, setMe, reload]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside SessionProvider');
  return value;
}

/** For pages behind a guard, where a signed-in user is certain. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed_in') throw new Error('useMe used outside a signed-in area');
  return state.me;
}

export function hasPermission(me: Me, permission: Permission): boolean {
  return me.permissions.includes(permission);
}

/** Where a freshly signed-in user belongs. */
export function homePathFor(me: Me): string {
  return hasPermission(me, 'backoffice') ? '/backoffice' : '/cabinet';
}

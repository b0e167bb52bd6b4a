import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { LoadFailedScreen, LoadingScreen } from '../components/StatusScreens';
import { useAuth } from '../hooks/useAuth';

export const HOME_PATH = '/chats';

interface FromState {
  from?: string;
}

function Pending() {
  const { status, error, retry } = useAuth();
  const describe = useErrorMessage();
  if (status === 'error') return <LoadFailedScreen message={describe(error)} onRetry={retry} />;
  return <LoadingScreen />;
}

/** Signed-in area: everyone else goes to setup (fresh install) or sign-in, and comes back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { status, notice } = useAuth();
  const location = useLocation();
  if (status === 'loading' || status === 'error') return <Pending />;
  if (status === 'needsSetup') return <Navigate to={{ pathname: '/setup', hash: location.hash }} replace />;
  if (status === 'signedOut') {
    // After a deliberate sign-out the next person starts at home, not on the previous user's page.
    const from = notice === 'signed_out' ? '/' : location.pathname + location.search;
    return <Navigate to="/login" replace state={from === '/' ? undefined : ({ from } satisfies FromState)} />;
  }
  return children;
}

export function GuestOnly({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'loading' || status === 'error') return <Pending />;
  if (status === 'needsSetup') return <Navigate to="/setup" replace />;
  if (status === 'signedIn') {
    const from = (location.state as FromState | null)?.from;
    return <Navigate to={from && from.startsWith('/') && !from.startsWith('//') ? from : HOME_PATH} replace />;
  }
  return children;
}

export function SetupOnly({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  if (status === 'loading' || status === 'error') return <Pending />;
  if (status === 'signedIn') return <Navigate to={HOME_PATH} replace />;
  if (status === 'signedOut') return <Navigate to="/login" replace />;
  return children;
}

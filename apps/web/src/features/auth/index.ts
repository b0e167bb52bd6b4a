export { AuthProvider } from './containers/AuthProvider';
export { LoginScreen } from './containers/LoginScreen';
export { SetupScreen, readSetupToken } from './containers/SetupScreen';
export { RequireAuth, GuestOnly, SetupOnly, HOME_PATH } from './containers/RouteGuards';
export { useAuth, useSignedInAuth, type SignOutReason } from './hooks/useAuth';
export { authKeys, isSessionEnded } from './api/auth.api';
export { useLogoutMutation } from './api/auth.queries';

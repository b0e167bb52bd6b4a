export { SettingsLayout } from './containers/SettingsLayout';
export { ProfileScreen } from './containers/ProfileScreen';
export { SecurityScreen } from './containers/SecurityScreen';
export { SessionsScreen } from './containers/SessionsScreen';
export { ApiTokensPage } from './tokens';
export { useChangeLocale } from './hooks/useChangeLocale';

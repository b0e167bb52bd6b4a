import { Navigate, Route, Routes } from 'react-router';
import { GuestOnly, HOME_PATH, LoginScreen, RequireAuth, SetupOnly, SetupScreen } from '../features/auth';
import {
  AdminAuditPage,
  AdminCompliancePage,
  AdminIntegrationsPage,
  AdminLayout,
  AdminMessagingScreen,
  AdminUsersScreen,
  AdminWordPolicyPage,
} from '../features/admin';
import { ApiTokensPage, ProfileScreen, SecurityScreen, SessionsScreen, SettingsLayout } from '../features/settings';
import { AppFrame, NotFoundPage } from '../features/shell';
import { ChatsScreen } from '../features/chat';
import { AdminDepartmentsScreen, AdminImportScreen, DirectoryScreen } from '../features/directory';

export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/setup"
        element={
          <SetupOnly>
            <SetupScreen />
          </SetupOnly>
        }
      />
      <Route
        path="/login"
        element={
          <GuestOnly>
            <LoginScreen />
          </GuestOnly>
        }
      />
      <Route
        element={
          <RequireAuth>
            <AppFrame />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to={HOME_PATH} replace />} />
        <Route path="chats" element={<ChatsScreen />} />
        <Route path="chats/:conversationId" element={<ChatsScreen />} />
        <Route path="directory" element={<DirectoryScreen />} />
        <Route path="directory/departments/:departmentId" element={<DirectoryScreen />} />
        <Route path="directory/people/:personId" element={<DirectoryScreen />} />
        <Route path="admin" element={<AdminLayout />}>
          <Route index element={<Navigate to="users" replace />} />
          <Route path="users" element={<AdminUsersScreen />} />
          <Route path="org" element={<AdminDepartmentsScreen />} />
          <Route path="import" element={<AdminImportScreen />} />
          <Route path="messaging" element={<AdminMessagingScreen />} />
          <Route path="policy" element={<AdminWordPolicyPage />} />
          <Route path="audit" element={<AdminAuditPage />} />
          <Route path="compliance" element={<AdminCompliancePage />} />
          <Route path="integrations" element={<AdminIntegrationsPage />} />
        </Route>
        <Route path="settings" element={<SettingsLayout />}>
          <Route index element={<Navigate to="profile" replace />} />
          <Route path="profile" element={<ProfileScreen />} />
          <Route path="security" element={<SecurityScreen />} />
          <Route path="sessions" element={<SessionsScreen />} />
          <Route path="tokens" element={<ApiTokensPage />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

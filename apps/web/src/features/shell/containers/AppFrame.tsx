import { useState } from 'react';
import { Outlet } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { LanguageSelect } from '../../../ui/LanguageSelect';
import { ChatIcon, ContactsIcon, SettingsIcon, ShieldIcon } from '../../../ui/icons';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useAuth, useLogoutMutation, useSignedInAuth } from '../../auth';
import { canOpenAdmin } from '../../admin';
import { RealtimeProvider } from '../../realtime';
import { ChatNotifications, ChatProvider, forgetThisDevice, PairingPrompt, useChat } from '../../chat';
import { ConfirmDialog } from '../../../ui/ConfirmDialog';
import { useChangeLocale } from '../../settings';
import { NavRail, type NavItem } from '../components/NavRail';
import { UserMenu } from '../components/UserMenu';

/** The signed-in frame: nav rail, a slim top bar, and the current section. */
export function AppFrame() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { user, sessionId } = useSignedInAuth();
  const language = useChangeLocale();

  const items: NavItem[] = [
    { to: '/chats', label: t('nav.chats'), icon: <ChatIcon /> },
    { to: '/directory', label: t('nav.directory'), icon: <ContactsIcon /> },
  ];
  if (canOpenAdmin(user.role)) items.push({ to: '/admin', label: t('nav.admin'), icon: <ShieldIcon /> });
  const footerItems: NavItem[] = [{ to: '/settings', label: t('nav.settings'), icon: <SettingsIcon /> }];

  return (
    <RealtimeProvider sessionId={sessionId}>
      <ChatProvider>
        <div className="frame">
          <NavRail items={items} footerItems={footerItems} footer={<AccountMenu />} />
          <div className="frame__main">
            <header className="topbar">
              <span className="topbar__org">{t('common.appName')}</span>
              <div className="topbar__spacer" />
              <LanguageSelect compact value={language.locale} onChange={language.change} disabled={language.saving} />
              <span className="topbar__user">{user.displayName}</span>
            </header>
            {language.error ? (
              <div className="frame__alert">
                <Alert tone="error">{describe(language.error)}</Alert>
              </div>
            ) : null}
            <main className="frame__content">
              <Outlet />
            </main>
            <PairingPrompt />
            <ChatNotifications />
          </div>
        </div>
      </ChatProvider>
    </RealtimeProvider>
  );
}

/**
 * The account menu (inside the chat provider): sign out, or sign out and delete this device's keys and
 * history after a confirmation — for shared computers.
 */
function AccountMenu() {
  const { t } = useTranslation();
  const { user } = useSignedInAuth();
  const { signedOut } = useAuth();
  const logout = useLogoutMutation();
  const { engine } = useChat();
  const [confirming, setConfirming] = useState(false);
  const [forgetting, setForgetting] = useState(false);
  // Local sign-out happens whatever the server says: a failed logout must not trap the user in the app.
  const signOut = () => logout.mutate(undefined, { onSettled: () => signedOut('signed_out') });
  return (
    <>
      <UserMenu
        user={user}
        signingOut={logout.isPending || forgetting}
        onSignOut={signOut}
        onSignOutAndForget={engine ? () => setConfirming(true) : undefined}
      />
      {confirming && engine ? (
        <ConfirmDialog
          danger
          title={t('nav.forgetTitle')}
          body={t('nav.forgetBody')}
          confirmLabel={t('nav.signOutAndForget')}
          busy={forgetting}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setForgetting(true);
            forgetThisDevice(engine, user.id)
              .catch(() => undefined)
              .finally(signOut);
          }}
        />
      ) : null}
    </>
  );
}

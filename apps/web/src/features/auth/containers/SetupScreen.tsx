import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { LanguageSelect } from '../../../ui/LanguageSelect';
import { isApiError } from '../../../lib/apiClient';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useLocale } from '../../../i18n/useLocale';
import { useSetupAdminMutation } from '../api/auth.queries';
import { AuthLayout } from '../components/AuthLayout';
import { SetupForm } from '../components/SetupForm';
import { useAuth } from '../hooks/useAuth';

/** The server prints `<PUBLIC_URL>/setup#token=…`; the fragment never reaches the server's logs. */
export function readSetupToken(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && token.trim() ? token.trim() : null;
}

export function SetupScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const location = useLocation();
  const navigate = useNavigate();
  const { signedIn, retry } = useAuth();
  const [locale, setLocale] = useLocale();
  const mutation = useSetupAdminMutation();
  const [linkToken] = useState(() => readSetupToken(location.hash));
  const [error, setError] = useState<unknown>(null);

  // Keep the token out of the address bar (and so out of history and screenshots) once it has been read.
  useEffect(() => {
    if (location.hash) void navigate({ pathname: location.pathname, search: location.search }, { replace: true });
  }, [location.hash, location.pathname, location.search, navigate]);

  return (
    <AuthLayout languageSwitch={<LanguageSelect compact value={locale} onChange={(l) => void setLocale(l)} />}>
      <h1 className="auth__title">{t('setup.title')}</h1>
      <p className="auth__subtitle">{t('setup.subtitle')}</p>
      {error ? <Alert tone="error">{describe(error)}</Alert> : null}
      <SetupForm
        initialToken={linkToken ?? ''}
        tokenFromLink={linkToken !== null}
        busy={mutation.isPending}
        onSubmit={(request) => {
          setError(null);
          mutation.mutate(request, {
            onSuccess: (state) => signedIn(state),
            onError: (failure) => {
              // Someone else finished setup meanwhile: re-check, which moves this page on to sign-in.
              if (isApiError(failure) && failure.code === 'SETUP_ALREADY_DONE') retry();
              setError(failure);
            },
          });
        }}
      />
    </AuthLayout>
  );
}

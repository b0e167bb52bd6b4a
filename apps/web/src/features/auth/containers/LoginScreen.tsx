import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { LanguageSelect } from '../../../ui/LanguageSelect';
import { isApiError } from '../../../lib/apiClient';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useLocale } from '../../../i18n/useLocale';
import { useLoginMutation } from '../api/auth.queries';
import { AuthLayout } from '../components/AuthLayout';
import { LoginForm } from '../components/LoginForm';
import { TotpForm, type SecondFactor } from '../components/TotpForm';
import { useAuth } from '../hooks/useAuth';

type Step = { kind: 'password' } | { kind: 'secondFactor'; login: string; password: string };

export function LoginScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { signedIn, notice, clearNotice } = useAuth();
  const [locale, setLocale] = useLocale();
  const loginMutation = useLoginMutation();
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [error, setError] = useState<unknown>(null);

  const attempt = (login: string, password: string, factor: SecondFactor | null) => {
    setError(null);
    clearNotice();
    loginMutation.mutate(
      { login, password, ...factor },
      {
        onSuccess: (state) => signedIn(state),
        onError: (failure) => {
          if (isApiError(failure) && failure.code === 'AUTH_TOTP_REQUIRED') {
            setStep({ kind: 'secondFactor', login, password });
            return;
          }
          setError(failure);
        },
      },
    );
  };

  return (
    <AuthLayout languageSwitch={<LanguageSelect compact value={locale} onChange={(l) => void setLocale(l)} />}>
      <h1 className="auth__title">{step.kind === 'password' ? t('auth.login.title') : t('auth.totp.title')}</h1>
      {step.kind === 'password' ? <p className="auth__subtitle">{t('auth.login.subtitle')}</p> : null}
      {notice ? <Alert tone="info">{t(`auth.notice.${notice}`)}</Alert> : null}
      {error ? <Alert tone="error">{describe(error)}</Alert> : null}
      {step.kind === 'password' ? (
        <LoginForm busy={loginMutation.isPending} onSubmit={({ login, password }) => attempt(login, password, null)} />
      ) : (
        <TotpForm
          busy={loginMutation.isPending}
          onSubmit={(factor) => attempt(step.login, step.password, factor)}
          onBack={() => {
            setError(null);
            setStep({ kind: 'password' });
          }}
        />
      )}
      {step.kind === 'password' ? <p className="auth__footnote">{t('auth.login.forgot')}</p> : null}
    </AuthLayout>
  );
}

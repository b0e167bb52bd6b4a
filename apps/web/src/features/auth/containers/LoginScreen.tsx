import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { OIDC_ERROR_PARAM } from '@miyu/protocol';
import { Alert } from '../../../ui/Alert';
import { LanguageSelect } from '../../../ui/LanguageSelect';
import { ApiError, isApiError } from '../../../lib/apiClient';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useLocale } from '../../../i18n/useLocale';
import { useAuthMethodsQuery, useLoginMutation } from '../api/auth.queries';
import { AuthLayout } from '../components/AuthLayout';
import { LoginForm } from '../components/LoginForm';
import { SsoButton } from '../components/SsoButton';
import { TotpForm, type SecondFactor } from '../components/TotpForm';
import { useAuth } from '../hooks/useAuth';

type Step = { kind: 'password' } | { kind: 'secondFactor'; login: string; password: string };

/** `/login?password` shows the password form even when it is turned off: admins' break-glass way in. */
const BREAK_GLASS_PARAM = 'password';

export function LoginScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { signedIn, notice, clearNotice } = useAuth();
  const [locale, setLocale] = useLocale();
  const loginMutation = useLoginMutation();
  // Until the methods are known, and when they cannot be read (an older server), the password form as before.
  const methods = useAuthMethodsQuery().data ?? { password: true, oidc: null };
  const [params] = useSearchParams();
  const [step, setStep] = useState<Step>({ kind: 'password' });
  // A failed single sign-on comes back as /login?oidcError=<code>.
  const [error, setError] = useState<unknown>(() => {
    const code = params.get(OIDC_ERROR_PARAM);
    return code ? new ApiError({ status: 400, code, message: code }) : null;
  });
  const showPassword = methods.password || params.has(BREAK_GLASS_PARAM);

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
      {step.kind === 'password' && methods.oidc ? (
        <SsoButton label={methods.oidc.label} startUrl={methods.oidc.startUrl} />
      ) : null}
      {step.kind === 'password' && methods.oidc && showPassword ? (
        <p className="auth__footnote">{t('auth.login.or')}</p>
      ) : null}
      {step.kind === 'secondFactor' ? (
        <TotpForm
          busy={loginMutation.isPending}
          onSubmit={(factor) => attempt(step.login, step.password, factor)}
          onBack={() => {
            setError(null);
            setStep({ kind: 'password' });
          }}
        />
      ) : showPassword ? (
        <LoginForm busy={loginMutation.isPending} onSubmit={({ login, password }) => attempt(login, password, null)} />
      ) : null}
      {step.kind === 'password' ? (
        <p className="auth__footnote">{showPassword ? t('auth.login.forgot') : t('auth.login.passwordDisabled')}</p>
      ) : null}
    </AuthLayout>
  );
}

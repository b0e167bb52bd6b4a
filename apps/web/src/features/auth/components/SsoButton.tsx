import { useTranslation } from 'react-i18next';

export interface SsoButtonProps {
  label: string;
  /** Server URL that starts the OIDC flow: a full-page navigation, not a fetch (the provider takes over the page). */
  startUrl: string;
}

export function SsoButton({ label, startUrl }: SsoButtonProps) {
  const { t } = useTranslation();
  return (
    <a className="btn btn--primary btn--block" href={startUrl}>
      {t('auth.login.sso', { label })}
    </a>
  );
}

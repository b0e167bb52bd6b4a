import { SERVICE_TOKEN_SCOPES } from '@miyu/protocol';
import { useTranslation } from 'react-i18next';
import { TokensManager } from '../../../settings/tokens/containers/TokensManager';
import { LdapSyncCard } from '../ldap';
import { OidcSignInCard } from '../oidc';

/** Service tokens live up to two years: they are set once in another system. */
const SERVICE_TOKEN_EXPIRY_DAYS = [30, 90, 180, 365, 730] as const;

/**
 * Admin → Integrations (docs/integrations.md): service tokens for other systems — SCIM provisioning, bots, directory
 * and audit readers. They act as the admin who created them.
 */
export function AdminIntegrationsScreen() {
  const { t } = useTranslation();
  return (
    <div className="page page--wide">
      <header className="page__header">
        <h1 className="page__title">{t('admin.integrations.title')}</h1>
        <p className="page__description">{t('adminIntegrations.serviceTokens.description')}</p>
      </header>
      <TokensManager
        source="service"
        allowed={SERVICE_TOKEN_SCOPES}
        expiryDays={SERVICE_TOKEN_EXPIRY_DAYS}
        listTitle={t('adminIntegrations.serviceTokens.listTitle')}
      />
      <LdapSyncCard />
      <OidcSignInCard />
    </div>
  );
}

import { useTranslation } from 'react-i18next';
import { Alert } from '../../../../ui/Alert';
import { useSignedInAuth } from '../../../auth';
import { tokenScopesFor } from '../utils/tokenScopes';
import { TokensManager } from './TokensManager';

/**
 * Settings → API tokens: personal bearer tokens for tools that act as this person (the offline compliance export,
 * audit checkpoint checks), limited to the scopes the role allows. A new token is shown once.
 */
export function ApiTokensScreen() {
  const { t } = useTranslation();
  const { user } = useSignedInAuth();
  const allowed = tokenScopesFor(user.role);
  return (
    <div className="page page--wide">
      <header className="page__header">
        <h1 className="page__title">{t('apiTokens.title')}</h1>
        <p className="page__description">{t('apiTokens.description')}</p>
      </header>
      {allowed.length === 0 ? <Alert tone="info">{t('apiTokens.noScopes')}</Alert> : null}
      <TokensManager source="personal" allowed={allowed} listTitle={t('apiTokens.list.title')} />
    </div>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiTokenDto } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { ConfirmedActionDialog } from '../../../../ui/ConfirmedActionDialog';
import { Spinner } from '../../../../ui/Spinner';
import { useConfirmedAction } from '../../../../ui/useConfirmedAction';
import { useSignedInAuth } from '../../../auth';
import { useApiTokensQuery, useCreateApiTokenMutation, useRevokeApiTokenMutation } from '../api/tokens.queries';
import { CreateTokenForm } from '../components/CreateTokenForm';
import { NewTokenCard } from '../components/NewTokenCard';
import { TokenList } from '../components/TokenList';
import { tokenScopesFor } from '../utils/tokenScopes';

/**
 * Settings → API tokens: personal bearer tokens for tools that act as this person (the offline compliance export,
 * audit checkpoint checks), limited to the scopes the role allows. A new token is shown once.
 */
export function ApiTokensScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { user } = useSignedInAuth();
  const allowed = tokenScopesFor(user.role);
  const tokens = useApiTokensQuery();
  const create = useCreateApiTokenMutation();
  const revoke = useRevokeApiTokenMutation();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [formKey, setFormKey] = useState(0);
  const revoking = useConfirmedAction<ApiTokenDto>(revoke);
  const list = tokens.data ?? [];

  return (
    <div className="page page--wide">
      <header className="page__header">
        <h1 className="page__title">{t('apiTokens.title')}</h1>
        <p className="page__description">{t('apiTokens.description')}</p>
      </header>
      {allowed.length === 0 ? <Alert tone="info">{t('apiTokens.noScopes')}</Alert> : null}
      {created ? (
        <NewTokenCard name={created.name} token={created.token} onDone={() => setCreated(null)} />
      ) : allowed.length > 0 ? (
        <section className="card">
          <CreateTokenForm
            key={formKey}
            allowed={allowed}
            busy={create.isPending}
            error={create.error ? describe(create.error) : null}
            onCreate={(body) =>
              create.mutate(body, {
                onSuccess: (result) => {
                  setCreated({ name: result.name, token: result.token });
                  setFormKey((n) => n + 1);
                  // The token lives in this screen's state only, not in the mutation cache.
                  create.reset();
                },
              })
            }
          />
        </section>
      ) : null}
      <section className="card card--flush" aria-labelledby="api-tokens-list-title">
        <div className="card__heading tk-heading">
          <h2 className="card__title" id="api-tokens-list-title">
            {t('apiTokens.list.title')}
          </h2>
        </div>
        {tokens.error ? <Alert tone="error">{describe(tokens.error)}</Alert> : null}
        {revoke.error ? <Alert tone="error">{describe(revoke.error)}</Alert> : null}
        {tokens.isPending ? <Spinner label={t('common.loading')} /> : null}
        {tokens.data && list.length === 0 ? <p className="empty">{t('apiTokens.list.empty')}</p> : null}
        {list.length > 0 ? (
          <TokenList
            tokens={list}
            busyId={revoke.isPending ? (revoke.variables ?? null) : null}
            onRevoke={revoking.ask}
          />
        ) : null}
      </section>
      <ConfirmedActionDialog
        action={revoking}
        title={() => t('apiTokens.revoke.title')}
        body={(token) => t('apiTokens.revoke.body', { name: token.name })}
        confirmLabel={t('apiTokens.list.revoke')}
      />
    </div>
  );
}

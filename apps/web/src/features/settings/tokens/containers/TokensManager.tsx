import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiTokenDto, ApiTokenScope } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { ConfirmedActionDialog } from '../../../../ui/ConfirmedActionDialog';
import { Spinner } from '../../../../ui/Spinner';
import { useConfirmedAction } from '../../../../ui/useConfirmedAction';
import type { TokenSource } from '../api/tokens.api';
import { useApiTokensQuery, useCreateApiTokenMutation, useRevokeApiTokenMutation } from '../api/tokens.queries';
import { CreateTokenForm } from '../components/CreateTokenForm';
import { NewTokenCard } from '../components/NewTokenCard';
import { TokenList } from '../components/TokenList';

export interface TokensManagerProps {
  source: TokenSource;
  /** The scopes that may be granted here (none: the list only). */
  allowed: readonly ApiTokenScope[];
  expiryDays?: readonly number[];
  listTitle: string;
}

/**
 * Create (shown once), list and revoke API tokens: a person's own (Settings → API tokens) or the org's service
 * tokens (Admin → Integrations).
 */
export function TokensManager({ source, allowed, expiryDays, listTitle }: TokensManagerProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const tokens = useApiTokensQuery(source);
  const create = useCreateApiTokenMutation(source);
  const revoke = useRevokeApiTokenMutation(source);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [formKey, setFormKey] = useState(0);
  const revoking = useConfirmedAction<ApiTokenDto>(revoke);
  const list = tokens.data ?? [];
  const titleId = `api-tokens-${source}-title`;

  return (
    <>
      {created ? (
        <NewTokenCard name={created.name} token={created.token} onDone={() => setCreated(null)} />
      ) : allowed.length > 0 ? (
        <section className="card">
          <CreateTokenForm
            key={formKey}
            allowed={allowed}
            {...(expiryDays ? { expiryDays } : {})}
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
      <section className="card card--flush" aria-labelledby={titleId}>
        <div className="card__heading tk-heading">
          <h2 className="card__title" id={titleId}>
            {listTitle}
          </h2>
        </div>
        {tokens.error ? <Alert tone="error">{describe(tokens.error)}</Alert> : null}
        {revoke.error ? <Alert tone="error">{describe(revoke.error)}</Alert> : null}
        {tokens.isPending ? <Spinner label={t('common.loading')} /> : null}
        {tokens.data && list.length === 0 ? <p className="empty">{t('apiTokens.list.empty')}</p> : null}
        {list.length > 0 ? (
          <TokenList
            caption={listTitle}
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
    </>
  );
}

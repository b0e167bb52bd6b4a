import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { Spinner } from '../../../ui/Spinner';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useRevokeOtherSessionsMutation, useRevokeSessionMutation, useSessionsQuery } from '../api/account.queries';
import { SessionList } from '../components/SessionList';

export function SessionsScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const sessions = useSessionsQuery();
  const revokeOne = useRevokeSessionMutation();
  const revokeOthers = useRevokeOtherSessionsMutation();
  const [revokedCount, setRevokedCount] = useState<number | null>(null);
  const error = sessions.error ?? revokeOne.error ?? revokeOthers.error;
  const others = sessions.data?.filter((s) => !s.current).length ?? 0;

  return (
    <div className="page">
      <header className="page__header page__header--actions">
        <div>
          <h1 className="page__title">{t('sessions.title')}</h1>
          <p className="page__description">{t('sessions.description')}</p>
        </div>
        <Button
          variant="danger"
          disabled={revokeOthers.isPending || others === 0}
          onClick={() => {
            setRevokedCount(null);
            revokeOthers.mutate(undefined, { onSuccess: (count) => setRevokedCount(count) });
          }}
        >
          {revokeOthers.isPending ? t('sessions.signingOutOthers') : t('sessions.signOutOthers')}
        </Button>
      </header>
      {revokedCount !== null ? (
        <Alert tone="success">{t('sessions.revokedOthers', { count: revokedCount })}</Alert>
      ) : null}
      {error ? <Alert tone="error">{describe(error)}</Alert> : null}
      <section className="card card--flush">
        {sessions.isPending ? <Spinner label={t('common.loading')} /> : null}
        {sessions.data ? (
          <SessionList
            sessions={sessions.data}
            revokingId={revokeOne.isPending ? (revokeOne.variables ?? null) : null}
            onRevoke={(id) => revokeOne.mutate(id)}
          />
        ) : null}
        {sessions.data && others === 0 ? <p className="card__footnote">{t('sessions.noOthers')}</p> : null}
      </section>
    </div>
  );
}

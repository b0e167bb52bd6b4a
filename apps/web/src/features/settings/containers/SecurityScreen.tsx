import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useAuth, useSignedInAuth } from '../../auth';
import {
  useChangePasswordMutation,
  useConfirmTotpMutation,
  useDisableTotpMutation,
  useStartTotpMutation,
} from '../api/account.queries';
import { PasswordForm } from '../components/PasswordForm';
import { RecoveryCodes } from '../components/RecoveryCodes';
import { TotpDisableForm } from '../components/TotpDisableForm';
import { TotpEnrollment } from '../components/TotpEnrollment';
import { useQrDataUrl } from '../../../lib/useQrDataUrl';

function PasswordSection() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const mutation = useChangePasswordMutation();
  const [done, setDone] = useState(0);
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title" className="card__title">
        {t('password.title')}
      </h2>
      <p className="card__text">{t('password.description')}</p>
      {done > 0 && !mutation.isError ? <Alert tone="success">{t('password.success')}</Alert> : null}
      {mutation.error ? <Alert tone="error">{describe(mutation.error)}</Alert> : null}
      <PasswordForm
        key={done}
        busy={mutation.isPending}
        onSubmit={(body) => mutation.mutate(body, { onSuccess: () => setDone((n) => n + 1) })}
      />
    </section>
  );
}

type TotpStage =
  { kind: 'idle' } | { kind: 'enrolling'; secret: string; otpauthUrl: string } | { kind: 'recovery'; codes: string[] };

function TotpSection() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { user } = useSignedInAuth();
  const { updateUser } = useAuth();
  const start = useStartTotpMutation();
  const confirm = useConfirmTotpMutation();
  const disable = useDisableTotpMutation();
  const [stage, setStage] = useState<TotpStage>({ kind: 'idle' });
  const [message, setMessage] = useState<'enabled' | 'disabled' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const qr = useQrDataUrl(stage.kind === 'enrolling' ? stage.otpauthUrl : null);

  const begin = () => {
    setError(null);
    setMessage(null);
    start.mutate(undefined, {
      onSuccess: ({ secret, otpauthUrl }) => setStage({ kind: 'enrolling', secret, otpauthUrl }),
      onError: setError,
    });
  };

  const finishConfirm = (code: string) => {
    setError(null);
    confirm.mutate(code, {
      onSuccess: ({ recoveryCodes }) => {
        setStage({ kind: 'recovery', codes: recoveryCodes });
        updateUser({ ...user, totpEnabled: true });
      },
      onError: setError,
    });
  };

  const turnOff = (password: string) => {
    setError(null);
    setMessage(null);
    disable.mutate(password, {
      onSuccess: () => {
        updateUser({ ...user, totpEnabled: false });
        setMessage('disabled');
      },
      onError: setError,
    });
  };

  let body;
  if (stage.kind === 'recovery') {
    body = (
      <RecoveryCodes
        codes={stage.codes}
        onDone={() => {
          setStage({ kind: 'idle' });
          setMessage('enabled');
        }}
      />
    );
  } else if (stage.kind === 'enrolling') {
    body = (
      <TotpEnrollment
        secret={stage.secret}
        qrDataUrl={qr}
        busy={confirm.isPending}
        onConfirm={finishConfirm}
        onCancel={() => {
          setError(null);
          setStage({ kind: 'idle' });
        }}
      />
    );
  } else if (user.totpEnabled) {
    body = <TotpDisableForm busy={disable.isPending} onSubmit={turnOff} />;
  } else {
    body = (
      <div className="form__actions">
        <Button variant="primary" onClick={begin} disabled={start.isPending}>
          {start.isPending ? t('totp.starting') : t('totp.enable')}
        </Button>
      </div>
    );
  }

  return (
    <section className="card" aria-labelledby="totp-title">
      <div className="card__heading">
        <h2 id="totp-title" className="card__title">
          {t('totp.title')}
        </h2>
        <span className={user.totpEnabled ? 'badge badge--success' : 'badge badge--muted'}>
          {user.totpEnabled ? t('totp.statusOn') : t('totp.statusOff')}
        </span>
      </div>
      <p className="card__text">{t('totp.description')}</p>
      {message ? <Alert tone="success">{t(`totp.${message}`)}</Alert> : null}
      {error ? <Alert tone="error">{describe(error)}</Alert> : null}
      {body}
    </section>
  );
}

export function SecurityScreen() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">{t('settings.securityTab')}</h1>
      </header>
      <PasswordSection />
      <TotpSection />
    </div>
  );
}

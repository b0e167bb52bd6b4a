import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { checkTotpCode } from '../../../lib/validation';

export interface TotpEnrollmentProps {
  secret: string;
  /** The otpauth URL rendered as a PNG data URL; null while it is drawn. */
  qrDataUrl: string | null;
  busy: boolean;
  onConfirm: (code: string) => void;
  onCancel: () => void;
}

/** Groups of four are easier to type into an authenticator by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}

export function TotpEnrollment({ secret, qrDataUrl, busy, onConfirm, onCancel }: TotpEnrollmentProps) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = checkTotpCode(t, code);
    setError(problem);
    if (!problem) onConfirm(code.trim());
  };

  return (
    <div className="totp-enroll">
      <ol className="steps">
        <li className="steps__item">
          <p className="steps__title">{t('totp.scan')}</p>
          <div className="totp-enroll__qr">
            {qrDataUrl ? (
              <img src={qrDataUrl} alt={t('totp.qrAlt')} width={184} height={184} />
            ) : (
              <span className="totp-enroll__qr-pending" aria-hidden="true" />
            )}
          </div>
          <p className="totp-enroll__manual">{t('totp.manual')}</p>
          <p className="totp-enroll__secret">
            <span className="visually-hidden">{t('totp.secret')}: </span>
            <code>{groupSecret(secret)}</code>
          </p>
        </li>
        <li className="steps__item">
          <form className="form" onSubmit={submit} noValidate>
            <TextField
              label={t('totp.enterCode')}
              name="totpCode"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              className="input--code"
              value={code}
              onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
              error={error}
            />
            <div className="form__actions">
              <Button type="submit" variant="primary" disabled={busy}>
                {busy ? t('totp.confirming') : t('totp.confirm')}
              </Button>
              <Button variant="ghost" onClick={onCancel}>
                {t('common.cancel')}
              </Button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}

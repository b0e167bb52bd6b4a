import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { checkRecoveryCode, checkTotpCode } from '../../../lib/validation';

export type SecondFactor = { totpCode: string } | { recoveryCode: string };

export interface TotpFormProps {
  busy: boolean;
  onSubmit: (factor: SecondFactor) => void;
  onBack: () => void;
}

/** The second sign-in step: an authenticator code, or one of the recovery codes instead. */
export function TotpForm({ busy, onSubmit, onBack }: TotpFormProps) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'code' | 'recovery'>('code');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = mode === 'code' ? checkTotpCode(t, value) : checkRecoveryCode(t, value);
    setError(problem);
    if (problem) return;
    onSubmit(mode === 'code' ? { totpCode: value.trim() } : { recoveryCode: value.trim().toLowerCase() });
  };

  const switchMode = () => {
    setMode(mode === 'code' ? 'recovery' : 'code');
    setValue('');
    setError(null);
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <p className="form__lead">{mode === 'code' ? t('auth.totp.description') : t('auth.totp.recoveryDescription')}</p>
      {mode === 'code' ? (
        <TextField
          key="code"
          label={t('fields.totpCode')}
          name="totp"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          className="input--code"
          value={value}
          onChange={(event) => setValue(event.target.value.replace(/\D/g, ''))}
          error={error}
          autoFocus
        />
      ) : (
        <TextField
          key="recovery"
          label={t('fields.recoveryCode')}
          name="recovery"
          autoComplete="off"
          spellCheck={false}
          placeholder="abcde-12345"
          value={value}
          onChange={(event) => setValue(event.target.value)}
          error={error}
          autoFocus
        />
      )}
      <Button type="submit" variant="primary" block disabled={busy}>
        {busy ? t('auth.login.submitting') : t('auth.totp.submit')}
      </Button>
      <div className="form__row form__row--split">
        <Button variant="link" onClick={onBack}>
          {t('auth.totp.back')}
        </Button>
        <Button variant="link" onClick={switchMode}>
          {mode === 'code' ? t('auth.totp.useRecovery') : t('auth.totp.useCode')}
        </Button>
      </div>
    </form>
  );
}

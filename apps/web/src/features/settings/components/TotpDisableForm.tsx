import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';

export interface TotpDisableFormProps {
  busy: boolean;
  onSubmit: (password: string) => void;
}

export function TotpDisableForm({ busy, onSubmit }: TotpDisableFormProps) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = password ? null : t('validation.required', { field: t('fields.password') });
    setError(problem);
    if (!problem) onSubmit(password);
  };

  return (
    <form className="form form--narrow" onSubmit={submit} noValidate>
      <h3 className="card__subtitle">{t('totp.disableTitle')}</h3>
      <p className="card__text">{t('totp.disableDescription')}</p>
      <TextField
        label={t('fields.password')}
        name="totpDisablePassword"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={error}
      />
      <div className="form__actions">
        <Button type="submit" variant="danger" disabled={busy}>
          {busy ? t('totp.disabling') : t('totp.disable')}
        </Button>
      </div>
    </form>
  );
}

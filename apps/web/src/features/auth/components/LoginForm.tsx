import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { hasErrors, required } from '../../../lib/validation';

export interface LoginFormProps {
  busy: boolean;
  onSubmit: (credentials: { login: string; password: string }) => void;
}

export function LoginForm({ busy, onSubmit }: LoginFormProps) {
  const { t } = useTranslation();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ login?: string | null; password?: string | null }>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = {
      login: required(t, 'login', login),
      password: password ? null : t('validation.required', { field: t('fields.password') }),
    };
    setErrors(next);
    if (!hasErrors(next)) onSubmit({ login: login.trim(), password });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <TextField
        label={t('fields.login')}
        name="username"
        autoComplete="username"
        placeholder={t('auth.login.loginPlaceholder')}
        value={login}
        onChange={(event) => setLogin(event.target.value)}
        error={errors.login}
        required
        autoFocus
      />
      <TextField
        label={t('fields.password')}
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={errors.password}
        required
      />
      <Button type="submit" variant="primary" block disabled={busy}>
        {busy ? t('auth.login.submitting') : t('auth.login.submit')}
      </Button>
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SetupAdminRequest } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import {
  checkDisplayName,
  checkLoginName,
  checkNewPassword,
  checkOptionalEmail,
  checkOptionalEmployeeNo,
  checkPasswordConfirm,
  hasErrors,
  optionalText,
  required,
  type FieldErrors,
} from '../../../lib/validation';

type Field = 'token' | 'login' | 'displayName' | 'employeeNo' | 'email' | 'password' | 'passwordConfirm';

export interface SetupFormProps {
  initialToken: string;
  tokenFromLink: boolean;
  busy: boolean;
  onSubmit: (request: SetupAdminRequest) => void;
}

export function SetupForm({ initialToken, tokenFromLink, busy, onSubmit }: SetupFormProps) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<Field, string>>({
    token: initialToken,
    login: '',
    displayName: '',
    employeeNo: '',
    email: '',
    password: '',
    passwordConfirm: '',
  });
  const [errors, setErrors] = useState<FieldErrors<Field>>({});

  const bind = (field: Field) => ({
    value: values[field],
    error: errors[field],
    onChange: (event: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: event.target.value })),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: Record<Field, string | null> = {
      token: required(t, 'token', values.token),
      login: checkLoginName(t, values.login),
      displayName: checkDisplayName(t, values.displayName),
      employeeNo: checkOptionalEmployeeNo(t, values.employeeNo),
      email: checkOptionalEmail(t, values.email),
      password: checkNewPassword(t, values.password),
      passwordConfirm: checkPasswordConfirm(t, values.password, values.passwordConfirm),
    };
    setErrors(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as FieldErrors<Field>);
    if (hasErrors(next)) return;
    onSubmit({
      token: values.token.trim(),
      login: values.login.trim(),
      displayName: values.displayName.trim(),
      password: values.password,
      employeeNo: optionalText(values.employeeNo),
      email: optionalText(values.email),
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <TextField
        label={t('fields.token')}
        name="token"
        autoComplete="off"
        spellCheck={false}
        help={tokenFromLink ? t('setup.tokenFromLink') : t('setup.tokenHelp')}
        {...bind('token')}
      />
      <h2 className="form__section">{t('setup.adminSection')}</h2>
      <div className="form__grid">
        <TextField label={t('fields.login')} name="login" autoComplete="username" {...bind('login')} />
        <TextField label={t('fields.displayName')} name="displayName" autoComplete="name" {...bind('displayName')} />
        <TextField
          label={t('fields.employeeNo')}
          name="employeeNo"
          optional
          autoComplete="off"
          {...bind('employeeNo')}
        />
        <TextField
          label={t('fields.email')}
          name="email"
          type="email"
          optional
          autoComplete="email"
          {...bind('email')}
        />
        <TextField
          label={t('fields.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          {...bind('password')}
        />
        <TextField
          label={t('fields.passwordConfirm')}
          name="passwordConfirm"
          type="password"
          autoComplete="new-password"
          {...bind('passwordConfirm')}
        />
      </div>
      <Button type="submit" variant="primary" block disabled={busy}>
        {busy ? t('setup.submitting') : t('setup.submit')}
      </Button>
    </form>
  );
}

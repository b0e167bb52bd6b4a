import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { userRoleSchema, type CreateUserRequest, type Locale, type UserRole } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { SelectField, TextField } from '../../../ui/Field';
import { SUPPORTED_LOCALES } from '../../../i18n';
import {
  checkDisplayName,
  checkLoginName,
  checkNewPassword,
  checkOptionalEmail,
  checkOptionalEmployeeNo,
  checkOptionalPhone,
  hasErrors,
  optionalText,
  type FieldErrors,
} from '../../../lib/validation';

type Field = 'login' | 'displayName' | 'password' | 'employeeNo' | 'email' | 'phone';

export interface CreateUserFormProps {
  busy: boolean;
  defaultLocale: Locale;
  onSubmit: (request: CreateUserRequest) => void;
  onCancel: () => void;
}

export function CreateUserForm({ busy, defaultLocale, onSubmit, onCancel }: CreateUserFormProps) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<Field, string>>({
    login: '',
    displayName: '',
    password: '',
    employeeNo: '',
    email: '',
    phone: '',
  });
  const [role, setRole] = useState<UserRole>('member');
  const [locale, setLocale] = useState<Locale>(defaultLocale);
  const [errors, setErrors] = useState<FieldErrors<Field>>({});

  const bind = (field: Field) => ({
    value: values[field],
    error: errors[field],
    onChange: (event: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: event.target.value })),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: Record<Field, string | null> = {
      login: checkLoginName(t, values.login),
      displayName: checkDisplayName(t, values.displayName),
      password: checkNewPassword(t, values.password),
      employeeNo: checkOptionalEmployeeNo(t, values.employeeNo),
      email: checkOptionalEmail(t, values.email),
      phone: checkOptionalPhone(t, values.phone),
    };
    setErrors(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as FieldErrors<Field>);
    if (hasErrors(next)) return;
    onSubmit({
      login: values.login.trim(),
      displayName: values.displayName.trim(),
      password: values.password,
      employeeNo: optionalText(values.employeeNo),
      email: optionalText(values.email),
      phone: optionalText(values.phone),
      role,
      locale,
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <div className="form__grid">
        <TextField label={t('fields.login')} autoComplete="off" {...bind('login')} />
        <TextField label={t('fields.displayName')} autoComplete="off" {...bind('displayName')} />
        <TextField
          label={t('adminUsers.initialPassword')}
          type="password"
          autoComplete="new-password"
          help={t('adminUsers.initialPasswordHelp')}
          {...bind('password')}
        />
        <SelectField
          label={t('fields.role')}
          value={role}
          onChange={(event) => setRole(userRoleSchema.parse(event.target.value))}
        >
          {userRoleSchema.options.map((option) => (
            <option key={option} value={option}>
              {t(`adminUsers.roles.${option}`)}
            </option>
          ))}
        </SelectField>
        <TextField label={t('fields.employeeNo')} optional autoComplete="off" {...bind('employeeNo')} />
        <TextField label={t('fields.email')} optional type="email" autoComplete="off" {...bind('email')} />
        <TextField label={t('fields.phone')} optional type="tel" autoComplete="off" {...bind('phone')} />
        <SelectField
          label={t('adminUsers.localeLabel')}
          value={locale}
          onChange={(event) => setLocale(event.target.value as Locale)}
        >
          {SUPPORTED_LOCALES.map((option) => (
            <option key={option} value={option} lang={option}>
              {t(`language.${option}`)}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="form__actions form__actions--end">
        <Button variant="ghost" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? t('adminUsers.creating') : t('adminUsers.create')}
        </Button>
      </div>
    </form>
  );
}

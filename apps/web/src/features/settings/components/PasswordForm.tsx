import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { checkNewPassword, checkPasswordConfirm, hasErrors, type FieldErrors } from '../../../lib/validation';

type Field = 'currentPassword' | 'newPassword' | 'confirm';

export interface PasswordFormProps {
  busy: boolean;
  onSubmit: (body: { currentPassword: string; newPassword: string }) => void;
}

/** Parents remount it (via `key`) after a successful change to clear the boxes. */
export function PasswordForm({ busy, onSubmit }: PasswordFormProps) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<Field, string>>({ currentPassword: '', newPassword: '', confirm: '' });
  const [errors, setErrors] = useState<FieldErrors<Field>>({});

  const bind = (field: Field) => ({
    value: values[field],
    error: errors[field],
    onChange: (event: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: event.target.value })),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = {
      currentPassword: values.currentPassword ? null : t('validation.required', { field: t('fields.currentPassword') }),
      newPassword: checkNewPassword(t, values.newPassword),
      confirm: checkPasswordConfirm(t, values.newPassword, values.confirm),
    };
    setErrors(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as FieldErrors<Field>);
    if (!hasErrors(next)) onSubmit({ currentPassword: values.currentPassword, newPassword: values.newPassword });
  };

  return (
    <form className="form form--narrow" onSubmit={submit} noValidate>
      <TextField
        label={t('fields.currentPassword')}
        type="password"
        autoComplete="current-password"
        {...bind('currentPassword')}
      />
      <TextField label={t('fields.newPassword')} type="password" autoComplete="new-password" {...bind('newPassword')} />
      <TextField label={t('password.newConfirm')} type="password" autoComplete="new-password" {...bind('confirm')} />
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? t('password.submitting') : t('password.submit')}
        </Button>
      </div>
    </form>
  );
}

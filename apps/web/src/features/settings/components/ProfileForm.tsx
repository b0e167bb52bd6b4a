import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { checkDisplayName } from '../../../lib/validation';

export interface ProfileFormProps {
  user: UserDto;
  busy: boolean;
  languageSelect: ReactNode;
  onSave: (displayName: string) => void;
}

export function ProfileForm({ user, busy, languageSelect, onSave }: ProfileFormProps) {
  const { t } = useTranslation();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = checkDisplayName(t, displayName);
    setError(problem);
    if (!problem) onSave(displayName.trim());
  };

  return (
    <form className="form form--narrow" onSubmit={submit} noValidate>
      <dl className="facts">
        <div>
          <dt>{t('fields.login')}</dt>
          <dd>{user.login}</dd>
        </div>
        <div>
          <dt>{t('fields.employeeNo')}</dt>
          <dd>{user.employeeNo ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('fields.email')}</dt>
          <dd>{user.email ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('fields.role')}</dt>
          <dd>{t(`adminUsers.roles.${user.role}`)}</dd>
        </div>
      </dl>
      <TextField
        label={t('fields.displayName')}
        name="displayName"
        autoComplete="name"
        value={displayName}
        onChange={(event) => setDisplayName(event.target.value)}
        error={error}
      />
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={busy || displayName.trim() === user.displayName}>
          {busy ? t('common.saving') : t('common.save')}
        </Button>
      </div>
      {languageSelect}
    </form>
  );
}

import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { titleSchema, type UserDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { Modal } from '../../../ui/Modal';
import { initials } from '../../../lib/format';
import { useDebouncedValue } from '../../../lib/useDebouncedValue';
import { useUserListQuery } from '../../admin';

export interface AddMemberDialogProps {
  departmentName: string;
  busy: boolean;
  error: string | null;
  onSubmit: (values: { userId: string; title: string | null; primary: boolean }) => void;
  onCancel: () => void;
}

/** Pick an account (any user, also one in no department yet), a title and whether this is their primary. */
export function AddMemberDialog({ departmentName, busy, error, onSubmit, onCancel }: AddMemberDialogProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search, 250);
  const users = useUserListQuery({ q, limit: 8, offset: 0 });
  const [picked, setPicked] = useState<UserDto | null>(null);
  const [title, setTitle] = useState('');
  const [primary, setPrimary] = useState(false);
  const [titleError, setTitleError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!picked) return;
    if (title.trim() !== '' && !titleSchema.safeParse(title).success) {
      setTitleError(t('validation.tooLong', { field: t('adminOrg.memberTitle'), max: 100 }));
      return;
    }
    onSubmit({ userId: picked.id, title: title.trim() === '' ? null : title.trim(), primary });
  };

  return (
    <Modal title={t('adminOrg.addMemberTitle', { name: departmentName })} onClose={onCancel}>
      <form className="form" onSubmit={submit} noValidate>
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
        <TextField
          label={t('adminOrg.findUser')}
          type="search"
          autoComplete="off"
          placeholder={t('adminUsers.searchPlaceholder')}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <ul className="pick-list" aria-label={t('adminOrg.userResults')}>
          {(users.data?.items ?? []).map((user) => (
            <li key={user.id}>
              <button
                type="button"
                className={picked?.id === user.id ? 'person-row is-selected' : 'person-row'}
                aria-pressed={picked?.id === user.id}
                onClick={() => setPicked(user)}
              >
                <span className="avatar avatar--sm" aria-hidden="true">
                  {initials(user.displayName)}
                </span>
                <span className="person-row__name">{user.displayName}</span>
                <span className="person-row__sub">{[user.login, user.employeeNo].filter(Boolean).join(' · ')}</span>
              </button>
            </li>
          ))}
        </ul>
        <TextField
          label={t('adminOrg.memberTitle')}
          optional
          value={title}
          error={titleError}
          autoComplete="off"
          onChange={(event) => setTitle(event.target.value)}
        />
        <label className="checkbox">
          <input type="checkbox" checked={primary} onChange={(event) => setPrimary(event.target.checked)} />
          <span>{t('adminOrg.makePrimary')}</span>
        </label>
        <div className="form__actions form__actions--end">
          <Button variant="ghost" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" disabled={busy || !picked}>
            {picked ? t('adminOrg.addNamed', { name: picked.displayName }) : t('adminOrg.addMember')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

export interface TitleDialogProps {
  name: string;
  initialTitle: string | null;
  busy: boolean;
  error: string | null;
  onSubmit: (title: string | null) => void;
  onCancel: () => void;
}

export function TitleDialog({ name, initialTitle, busy, error, onSubmit, onCancel }: TitleDialogProps) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(initialTitle ?? '');
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (title.trim() !== '' && !titleSchema.safeParse(title).success) {
      setInvalid(t('validation.tooLong', { field: t('adminOrg.memberTitle'), max: 100 }));
      return;
    }
    onSubmit(title.trim() === '' ? null : title.trim());
  };
  return (
    <Modal title={t('adminOrg.titleDialog', { name })} onClose={onCancel}>
      <form className="form" onSubmit={submit} noValidate>
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
        <TextField
          label={t('adminOrg.memberTitle')}
          optional
          value={title}
          error={invalid}
          autoComplete="off"
          onChange={(event) => setTitle(event.target.value)}
        />
        <div className="form__actions form__actions--end">
          <Button variant="ghost" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

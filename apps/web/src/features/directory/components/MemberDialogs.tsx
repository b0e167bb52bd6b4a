import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { titleSchema, type UserDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { FormDialog } from '../../../ui/FormDialog';
import { initials } from '../../../lib/format';
import { useDebouncedValue } from '../../../lib/useDebouncedValue';
import { useUserListQuery } from '../../admin';
import { LegalHoldBadge, useHeldUserIds } from '../../compliance';

export interface AddMemberDialogProps {
  departmentName: string;
  busy: boolean;
  error: string | null;
  onSubmit: (values: { userId: string; title: string | null; primary: boolean }) => void;
  onCancel: () => void;
}

/** Search accounts by name, login or employee number and pick one (any user, also one in no department yet). */
function UserPicker({
  picked,
  excludeId,
  onPick,
}: {
  picked: UserDto | null;
  excludeId?: string;
  onPick: (user: UserDto) => void;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search, 250);
  const users = useUserListQuery({ q, limit: 8, offset: 0 });
  const heldUserIds = useHeldUserIds();
  return (
    <>
      <TextField
        label={t('adminOrg.findUser')}
        type="search"
        autoComplete="off"
        placeholder={t('adminUsers.searchPlaceholder')}
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <ul className="pick-list" aria-label={t('adminOrg.userResults')}>
        {(users.data?.items ?? [])
          .filter((user) => user.id !== excludeId)
          .map((user) => (
            <li key={user.id}>
              <button
                type="button"
                className={picked?.id === user.id ? 'person-row is-selected' : 'person-row'}
                aria-pressed={picked?.id === user.id}
                onClick={() => onPick(user)}
              >
                <span className="avatar avatar--sm" aria-hidden="true">
                  {initials(user.displayName)}
                </span>
                <span className="person-row__name">
                  {user.displayName}
                  {heldUserIds.has(user.id) ? <LegalHoldBadge /> : null}
                </span>
                <span className="person-row__sub">{[user.login, user.employeeNo].filter(Boolean).join(' · ')}</span>
              </button>
            </li>
          ))}
      </ul>
    </>
  );
}

/** Pick an account, a title and whether this is their primary department. */
export function AddMemberDialog({ departmentName, busy, error, onSubmit, onCancel }: AddMemberDialogProps) {
  const { t } = useTranslation();
  const [picked, setPicked] = useState<UserDto | null>(null);
  const [title, setTitle] = useState('');
  const [primary, setPrimary] = useState(false);
  const [titleError, setTitleError] = useState<string | null>(null);

  const submit = () => {
    if (!picked) return;
    if (title.trim() !== '' && !titleSchema.safeParse(title).success) {
      setTitleError(t('validation.tooLong', { field: t('adminOrg.memberTitle'), max: 100 }));
      return;
    }
    onSubmit({ userId: picked.id, title: title.trim() === '' ? null : title.trim(), primary });
  };

  return (
    <FormDialog
      title={t('adminOrg.addMemberTitle', { name: departmentName })}
      error={error}
      submitLabel={picked ? t('adminOrg.addNamed', { name: picked.displayName }) : t('adminOrg.addMember')}
      submitDisabled={busy || !picked}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <UserPicker picked={picked} onPick={setPicked} />
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
    </FormDialog>
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
  const submit = () => {
    if (title.trim() !== '' && !titleSchema.safeParse(title).success) {
      setInvalid(t('validation.tooLong', { field: t('adminOrg.memberTitle'), max: 100 }));
      return;
    }
    onSubmit(title.trim() === '' ? null : title.trim());
  };
  return (
    <FormDialog
      title={t('adminOrg.titleDialog', { name })}
      error={error}
      submitLabel={t('common.save')}
      submitDisabled={busy}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <TextField
        label={t('adminOrg.memberTitle')}
        optional
        value={title}
        error={invalid}
        autoComplete="off"
        onChange={(event) => setTitle(event.target.value)}
      />
    </FormDialog>
  );
}

export interface ManagerDialogProps {
  name: string;
  personId: string;
  busy: boolean;
  error: string | null;
  /** `null` clears the manager. */
  onSubmit: (managerId: string | null) => void;
  onCancel: () => void;
}

/** Sets whom a person reports to (shown on their card); the server refuses reporting loops. */
export function ManagerDialog({ name, personId, busy, error, onSubmit, onCancel }: ManagerDialogProps) {
  const { t } = useTranslation();
  const [picked, setPicked] = useState<UserDto | null>(null);
  return (
    <FormDialog
      title={t('adminOrg.managerTitle', { name })}
      error={error}
      submitLabel={picked ? t('adminOrg.setManagerNamed', { name: picked.displayName }) : t('adminOrg.setManager')}
      submitDisabled={busy || !picked}
      onSubmit={() => picked && onSubmit(picked.id)}
      onCancel={onCancel}
      extraActions={
        <Button variant="ghost" disabled={busy} onClick={() => onSubmit(null)}>
          {t('adminOrg.clearManager')}
        </Button>
      }
    >
      <UserPicker picked={picked} excludeId={personId} onPick={setPicked} />
    </FormDialog>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PASSWORD_MIN_LENGTH, type UserDto, type UserRole } from '@miyu/protocol';
import { TextField } from '../../../ui/Field';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { Pager } from '../../../ui/Pager';
import { ConfirmDialog } from '../../../ui/ConfirmDialog';
import { Modal } from '../../../ui/Modal';
import { Spinner } from '../../../ui/Spinner';
import { PlusIcon, SearchIcon } from '../../../ui/icons';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { currentLocale } from '../../../i18n';
import { useSignedInAuth } from '../../auth';
import {
  useCreateUserMutation,
  useRevokeUserSessionsMutation,
  useSetUserPasswordMutation,
  useUpdateUserMutation,
  useUserListQuery,
} from '../api/adminUsers.queries';
import { CreateUserForm } from '../components/CreateUserForm';
import { UserTable } from '../components/UserTable';
import { useDebouncedValue } from '../../../lib/useDebouncedValue';

export const USERS_PAGE_SIZE = 20;

type Pending =
  { kind: 'disable'; user: UserDto } | { kind: 'revoke'; user: UserDto } | { kind: 'password'; user: UserDto } | null;
type Notice =
  | { kind: 'created'; name: string }
  | { kind: 'updated'; name: string }
  | { kind: 'revoked'; count: number }
  | { kind: 'password'; name: string }
  | null;

export function AdminUsersScreen() {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const { user: me } = useSignedInAuth();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search, 250);
  const [offset, setOffset] = useState(0);
  const list = useUserListQuery({ q, limit: USERS_PAGE_SIZE, offset });
  const create = useCreateUserMutation();
  const update = useUpdateUserMutation();
  const revoke = useRevokeUserSessionsMutation();
  const setPassword = useSetUserPasswordMutation();
  const [newPassword, setNewPassword] = useState('');
  const [creating, setCreating] = useState(false);
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [error, setError] = useState<unknown>(null);

  const total = list.data?.total ?? 0;
  const items = list.data?.items ?? [];
  const busyUserId = update.isPending
    ? (update.variables?.id ?? null)
    : revoke.isPending
      ? (revoke.variables ?? null)
      : null;

  const start = () => {
    setError(null);
    setNotice(null);
  };

  const patch = (user: UserDto, change: { role?: UserRole; status?: UserDto['status'] }) => {
    start();
    update.mutate(
      { id: user.id, patch: change },
      {
        onSuccess: (updated) => setNotice({ kind: 'updated', name: updated.displayName }),
        onError: setError,
        onSettled: () => setPending(null),
      },
    );
  };

  const revokeSessions = (user: UserDto) => {
    start();
    revoke.mutate(user.id, {
      onSuccess: (count) => setNotice({ kind: 'revoked', count }),
      onError: setError,
      onSettled: () => setPending(null),
    });
  };

  let noticeText: string | null = null;
  if (notice?.kind === 'created') noticeText = t('adminUsers.created', { name: notice.name });
  else if (notice?.kind === 'updated') noticeText = t('adminUsers.updated', { name: notice.name });
  else if (notice?.kind === 'revoked') noticeText = t('adminUsers.revoked', { count: notice.count });
  else if (notice?.kind === 'password') noticeText = t('adminUsers.passwordSet', { name: notice.name });

  return (
    <div className="page page--wide">
      <header className="page__header page__header--actions">
        <div>
          <h1 className="page__title">{t('admin.users.title')}</h1>
          <p className="page__description">{t('admin.users.description')}</p>
        </div>
        <Button
          variant="primary"
          onClick={() => {
            start();
            setCreating(true);
          }}
        >
          <PlusIcon width={18} height={18} />
          {t('adminUsers.create')}
        </Button>
      </header>

      <div className="toolbar">
        <label className="search">
          <SearchIcon width={18} height={18} />
          <span className="visually-hidden">{t('adminUsers.search')}</span>
          <input
            type="search"
            className="search__input"
            placeholder={t('adminUsers.searchPlaceholder')}
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setOffset(0);
            }}
          />
        </label>
      </div>

      {noticeText ? <Alert tone="success">{noticeText}</Alert> : null}
      {error ? <Alert tone="error">{describe(error)}</Alert> : null}
      {list.error ? <Alert tone="error">{describe(list.error)}</Alert> : null}

      <section className="card card--flush">
        {list.isPending ? <Spinner label={t('common.loading')} /> : null}
        {list.data && items.length === 0 ? <p className="empty">{t('adminUsers.empty')}</p> : null}
        {items.length > 0 ? (
          <UserTable
            users={items}
            currentUserId={me.id}
            busyUserId={busyUserId}
            onRoleChange={(user, role) => patch(user, { role })}
            onToggleStatus={(user) =>
              user.status === 'active' ? setPending({ kind: 'disable', user }) : patch(user, { status: 'active' })
            }
            onRevokeSessions={(user) => setPending({ kind: 'revoke', user })}
            onSetPassword={(user) => {
              start();
              setPassword.reset();
              setNewPassword('');
              setPending({ kind: 'password', user });
            }}
          />
        ) : null}
        {total > 0 ? (
          <Pager
            offset={offset}
            pageSize={USERS_PAGE_SIZE}
            shown={items.length}
            total={total}
            onOffsetChange={setOffset}
          />
        ) : null}
      </section>

      {creating ? (
        <Modal title={t('adminUsers.createTitle')} onClose={() => setCreating(false)}>
          {create.error ? <Alert tone="error">{describe(create.error)}</Alert> : null}
          <CreateUserForm
            busy={create.isPending}
            defaultLocale={currentLocale(i18n)}
            onCancel={() => setCreating(false)}
            onSubmit={(request) =>
              create.mutate(request, {
                onSuccess: (created) => {
                  setCreating(false);
                  create.reset();
                  setNotice({ kind: 'created', name: created.displayName });
                },
              })
            }
          />
        </Modal>
      ) : null}

      {pending?.kind === 'disable' ? (
        <ConfirmDialog
          danger
          title={t('adminUsers.confirmDisableTitle', { name: pending.user.displayName })}
          body={t('adminUsers.confirmDisableBody')}
          confirmLabel={t('adminUsers.disable')}
          busy={update.isPending}
          onCancel={() => setPending(null)}
          onConfirm={() => patch(pending.user, { status: 'disabled' })}
        />
      ) : null}
      {pending?.kind === 'password' ? (
        <Modal
          title={t('adminUsers.setPasswordTitle', { name: pending.user.displayName })}
          onClose={() => setPending(null)}
        >
          {setPassword.error ? <Alert tone="error">{describe(setPassword.error)}</Alert> : null}
          <form
            className="form"
            onSubmit={(event) => {
              event.preventDefault();
              const user = pending.user;
              setPassword.mutate(
                { id: user.id, password: newPassword },
                {
                  onSuccess: () => {
                    setPending(null);
                    setNotice({ kind: 'password', name: user.displayName });
                  },
                },
              );
            }}
          >
            <TextField
              label={t('adminUsers.newPassword')}
              type="password"
              autoComplete="new-password"
              minLength={PASSWORD_MIN_LENGTH}
              required
              help={t('adminUsers.setPasswordHelp')}
              value={newPassword}
              onChange={(event) => setNewPassword(event.target.value)}
            />
            <div className="form__actions form__actions--end">
              <Button onClick={() => setPending(null)}>{t('common.cancel')}</Button>
              <Button
                type="submit"
                variant="primary"
                disabled={setPassword.isPending || newPassword.length < PASSWORD_MIN_LENGTH}
              >
                {t('adminUsers.setPassword')}
              </Button>
            </div>
          </form>
        </Modal>
      ) : null}
      {pending?.kind === 'revoke' ? (
        <ConfirmDialog
          danger
          title={t('adminUsers.confirmRevokeTitle', { name: pending.user.displayName })}
          body={t('adminUsers.confirmRevokeBody')}
          confirmLabel={t('adminUsers.revokeSessions')}
          busy={revoke.isPending}
          onCancel={() => setPending(null)}
          onConfirm={() => revokeSessions(pending.user)}
        />
      ) : null}
    </div>
  );
}

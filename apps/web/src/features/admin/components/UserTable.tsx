import { useTranslation } from 'react-i18next';
import { userRoleSchema, type UserDto, type UserRole } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { DataTable } from '../../../ui/DataTable';
import { initials } from '../../../lib/format';

export interface UserTableProps {
  users: UserDto[];
  currentUserId: string;
  busyUserId: string | null;
  onRoleChange: (user: UserDto, role: UserRole) => void;
  onToggleStatus: (user: UserDto) => void;
  onRevokeSessions: (user: UserDto) => void;
  onSetPassword: (user: UserDto) => void;
}

export function UserTable({
  users,
  currentUserId,
  busyUserId,
  onRoleChange,
  onToggleStatus,
  onRevokeSessions,
  onSetPassword,
}: UserTableProps) {
  const { t } = useTranslation();
  return (
    <DataTable
      caption={t('adminUsers.table')}
      columns={[
        t('adminUsers.columns.name'),
        t('adminUsers.columns.login'),
        t('adminUsers.columns.employeeNo'),
        t('adminUsers.columns.role'),
        t('adminUsers.columns.status'),
        t('adminUsers.columns.twoFactor'),
      ]}
      actions={t('adminUsers.columns.actions')}
      rows={users}
      renderRow={(user) => {
        const self = user.id === currentUserId;
        const busy = busyUserId === user.id;
        return (
          <tr key={user.id} className={user.status === 'disabled' ? 'is-disabled' : undefined}>
            <th scope="row">
              <div className="table__name">
                <span className="avatar avatar--sm" aria-hidden="true">
                  {initials(user.displayName)}
                </span>
                <span>
                  {user.displayName}
                  {self ? <span className="table__self">{t('adminUsers.youTag')}</span> : null}
                  {user.email ? <span className="table__sub">{user.email}</span> : null}
                </span>
              </div>
            </th>
            <td className="mono">{user.login}</td>
            <td>{user.employeeNo ?? '—'}</td>
            <td>
              <select
                className="input select input--sm"
                aria-label={t('adminUsers.roleFor', { name: user.displayName })}
                value={user.role}
                disabled={busy || self}
                onChange={(event) => onRoleChange(user, userRoleSchema.parse(event.target.value))}
              >
                {userRoleSchema.options.map((role) => (
                  <option key={role} value={role}>
                    {t(`adminUsers.roles.${role}`)}
                  </option>
                ))}
              </select>
            </td>
            <td>
              <span className={user.status === 'active' ? 'badge badge--success' : 'badge badge--muted'}>
                {t(`adminUsers.status.${user.status}`)}
              </span>
            </td>
            <td>{user.totpEnabled ? t('adminUsers.twoFactorOn') : t('adminUsers.twoFactorOff')}</td>
            <td className="table__actions">
              <Button
                size="sm"
                variant="ghost"
                disabled={busy}
                onClick={() => onSetPassword(user)}
                aria-label={`${t('adminUsers.setPassword')} · ${user.displayName}`}
              >
                {t('adminUsers.setPassword')}
              </Button>
              <Button
                size="sm"
                variant="ghost"
                disabled={busy}
                onClick={() => onRevokeSessions(user)}
                aria-label={`${t('adminUsers.revokeSessions')} · ${user.displayName}`}
              >
                {t('adminUsers.revokeSessions')}
              </Button>
              {self ? null : (
                <Button
                  size="sm"
                  variant={user.status === 'active' ? 'danger' : 'secondary'}
                  disabled={busy}
                  onClick={() => onToggleStatus(user)}
                  aria-label={`${user.status === 'active' ? t('adminUsers.disable') : t('adminUsers.enable')} · ${user.displayName}`}
                >
                  {user.status === 'active' ? t('adminUsers.disable') : t('adminUsers.enable')}
                </Button>
              )}
            </td>
          </tr>
        );
      }}
    />
  );
}

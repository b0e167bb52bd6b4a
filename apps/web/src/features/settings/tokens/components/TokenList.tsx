import { useTranslation } from 'react-i18next';
import type { ApiTokenDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { Button } from '../../../../ui/Button';
import { DataTable } from '../../../../ui/DataTable';
import { tokenState } from '../utils/tokenScopes';

export interface TokenListProps {
  /** The table's accessible name (the list's heading). */
  caption: string;
  tokens: ApiTokenDto[];
  busyId: string | null;
  onRevoke: (token: ApiTokenDto) => void;
}

/** Tokens: what each may do, when it was made, expires and was last used, and its state. */
export function TokenList({ caption, tokens, busyId, onRevoke }: TokenListProps) {
  const { t, i18n } = useTranslation();
  const now = Date.now();
  const when = (iso: string | null) => (iso ? formatDateTime(iso, i18n.language) : t('apiTokens.list.never'));
  return (
    <DataTable
      caption={caption}
      columns={[
        t('apiTokens.list.columns.name'),
        t('apiTokens.list.columns.scopes'),
        t('apiTokens.list.columns.created'),
        t('apiTokens.list.columns.expires'),
        t('apiTokens.list.columns.lastUsed'),
        t('apiTokens.list.columns.status'),
      ]}
      actions={t('apiTokens.list.columns.actions')}
      rows={tokens}
      renderRow={(token) => {
        const state = tokenState(token, now);
        return (
          <tr key={token.id} className={state === 'active' ? undefined : 'is-disabled'}>
            <th scope="row">{token.name}</th>
            <td className="mono">{token.scopes.join(', ')}</td>
            <td className="tk-nowrap">{when(token.createdAt)}</td>
            <td className="tk-nowrap">{when(token.expiresAt)}</td>
            <td className="tk-nowrap">{when(token.lastUsedAt)}</td>
            <td>
              <span className={state === 'active' ? 'badge badge--success tk-badge' : 'badge badge--muted tk-badge'}>
                {t(`apiTokens.list.states.${state}`)}
              </span>
              {token.revokedAt ? <span className="table__sub">{when(token.revokedAt)}</span> : null}
            </td>
            <td className="table__actions">
              {state === 'revoked' ? null : (
                <Button
                  size="sm"
                  variant="danger"
                  disabled={busyId === token.id}
                  aria-label={t('apiTokens.list.revokeFor', { name: token.name })}
                  onClick={() => onRevoke(token)}
                >
                  {t('apiTokens.list.revoke')}
                </Button>
              )}
            </td>
          </tr>
        );
      }}
    />
  );
}

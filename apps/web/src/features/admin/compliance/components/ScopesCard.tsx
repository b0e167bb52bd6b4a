import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { RetentionScopeDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { ConfirmedActionDialog } from '../../../../ui/ConfirmedActionDialog';
import { DataTable } from '../../../../ui/DataTable';
import { useConfirmedAction } from '../../../../ui/useConfirmedAction';
import { useEndRetentionScopeMutation } from '../api/compliance.queries';
import { ScopeForm } from './ScopeForm';

export interface ScopesCardProps {
  scopes: RetentionScopeDto[];
  hasActiveKey: boolean;
}

/** Scopes in force first (newest start first), then the ended ones, which stay listed. */
function ordered(scopes: RetentionScopeDto[]): RetentionScopeDto[] {
  return [...scopes].sort(
    (a, b) => Number(a.endedAt !== null) - Number(b.endedAt !== null) || b.startsAt.localeCompare(a.startsAt),
  );
}

/** Who and what is retained, and since when; "End" stops a scope after confirmation. */
export function ScopesCard({ scopes, hasActiveKey }: ScopesCardProps) {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const end = useEndRetentionScopeMutation();
  const ending = useConfirmedAction<RetentionScopeDto>(end);
  const targetOf = (scope: RetentionScopeDto) =>
    scope.kind === 'org' ? t('adminCompliance.scopes.wholeOrg') : (scope.targetName ?? scope.targetId ?? '—');
  const now = Date.now();
  const rows = ordered(scopes);

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminCompliance.scopes.title')}
      </h2>
      <p className="card__text">{t('adminCompliance.scopes.text')}</p>
      {end.error ? <Alert tone="error">{describe(end.error)}</Alert> : null}
      <DataTable
        caption={t('adminCompliance.scopes.table')}
        columns={[
          t('adminCompliance.scopes.columns.target'),
          t('adminCompliance.scopes.columns.kind'),
          t('adminCompliance.scopes.columns.start'),
          t('adminCompliance.scopes.columns.status'),
          t('adminCompliance.scopes.columns.note'),
        ]}
        actions={t('adminCompliance.scopes.columns.actions')}
        rows={rows}
        empty={t('adminCompliance.scopes.empty')}
        renderRow={(scope) => (
          <tr key={scope.id} className={scope.endedAt ? 'is-disabled' : undefined}>
            <th scope="row">
              {targetOf(scope)}
              {scope.legalHold ? (
                <span className="badge cp-badge cp-badge--hold">{t('adminCompliance.scopes.legalHold')}</span>
              ) : null}
            </th>
            <td>{t(`adminCompliance.scopes.kinds.${scope.kind}`)}</td>
            <td className="cp-nowrap">{formatDateTime(scope.startsAt, i18n.language)}</td>
            <td>
              {scope.endedAt
                ? t('adminCompliance.scopes.endedAt', { time: formatDateTime(scope.endedAt, i18n.language) })
                : Date.parse(scope.startsAt) > now
                  ? t('adminCompliance.scopes.scheduled')
                  : t('adminCompliance.scopes.inForce')}
            </td>
            <td className="cp-note">{scope.note ?? '—'}</td>
            <td className="table__actions">
              {scope.endedAt ? null : (
                <Button
                  size="sm"
                  variant="danger"
                  aria-label={t('adminCompliance.scopes.endFor', { name: targetOf(scope) })}
                  disabled={end.isPending}
                  onClick={() => ending.ask(scope)}
                >
                  {t('adminCompliance.scopes.end')}
                </Button>
              )}
            </td>
          </tr>
        )}
      />
      <ScopeForm hasActiveKey={hasActiveKey} />
      <ConfirmedActionDialog
        action={ending}
        title={() => t('adminCompliance.scopes.confirmTitle')}
        body={(scope) =>
          scope.legalHold
            ? t('adminCompliance.scopes.confirmHoldBody', { name: targetOf(scope) })
            : t('adminCompliance.scopes.confirmBody', { name: targetOf(scope) })
        }
        confirmLabel={t('adminCompliance.scopes.end')}
      />
    </section>
  );
}

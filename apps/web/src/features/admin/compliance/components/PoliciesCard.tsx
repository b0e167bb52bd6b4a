import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { RetentionPolicyDto, RetentionRunDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { ConfirmedActionDialog } from '../../../../ui/ConfirmedActionDialog';
import { DataTable } from '../../../../ui/DataTable';
import { useConfirmedAction } from '../../../../ui/useConfirmedAction';
import { useRemoveRetentionPolicyMutation } from '../api/compliance.queries';
import { PolicyForm } from './PolicyForm';
import { RetentionRunPanel } from './RetentionRunPanel';

export interface PoliciesCardProps {
  policies: RetentionPolicyDto[];
  lastRun: RetentionRunDto | null;
}

/** Deletion of old ciphertext: the org-wide and per-department periods, and the job that applies them. */
export function PoliciesCard({ policies, lastRun }: PoliciesCardProps) {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const remove = useRemoveRetentionPolicyMutation();
  const removing = useConfirmedAction<RetentionPolicyDto>(remove);
  const nameOf = (policy: RetentionPolicyDto) =>
    policy.scope === 'org'
      ? t('adminCompliance.scopes.wholeOrg')
      : (policy.departmentName ?? policy.departmentId ?? '—');
  // The org-wide policy first, then departments by name.
  const rows = [...policies].sort(
    (a, b) => Number(a.scope !== 'org') - Number(b.scope !== 'org') || nameOf(a).localeCompare(nameOf(b)),
  );

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminCompliance.policies.title')}
      </h2>
      <p className="card__text">{t('adminCompliance.policies.text')}</p>
      <Alert tone="info">{t('adminCompliance.policies.holdNote')}</Alert>
      {remove.error ? <Alert tone="error">{describe(remove.error)}</Alert> : null}
      <DataTable
        caption={t('adminCompliance.policies.table')}
        columns={[
          t('adminCompliance.policies.columns.appliesTo'),
          t('adminCompliance.policies.columns.days'),
          t('adminCompliance.policies.columns.updated'),
        ]}
        actions={t('adminCompliance.policies.columns.actions')}
        rows={rows}
        empty={t('adminCompliance.policies.empty')}
        renderRow={(policy) => (
          <tr key={policy.id}>
            <th scope="row">{nameOf(policy)}</th>
            <td>{t('adminCompliance.policies.dayCount', { count: policy.days })}</td>
            <td className="cp-nowrap">{formatDateTime(policy.updatedAt, i18n.language)}</td>
            <td className="table__actions">
              <Button
                size="sm"
                variant="danger"
                aria-label={t('adminCompliance.policies.removeFor', { name: nameOf(policy) })}
                disabled={remove.isPending}
                onClick={() => removing.ask(policy)}
              >
                {t('adminCompliance.policies.remove')}
              </Button>
            </td>
          </tr>
        )}
      />
      <PolicyForm />
      <RetentionRunPanel lastRun={lastRun} />
      <ConfirmedActionDialog
        action={removing}
        title={() => t('adminCompliance.policies.confirmTitle')}
        body={(policy) => t('adminCompliance.policies.confirmBody', { name: nameOf(policy) })}
        confirmLabel={t('adminCompliance.policies.remove')}
      />
    </section>
  );
}

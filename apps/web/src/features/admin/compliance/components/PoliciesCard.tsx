import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RetentionPolicyDto, RetentionRunDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { ConfirmDialog } from '../../../../ui/ConfirmDialog';
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
  const [removing, setRemoving] = useState<RetentionPolicyDto | null>(null);
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
      {rows.length === 0 ? (
        <p className="empty">{t('adminCompliance.policies.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('adminCompliance.policies.table')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('adminCompliance.policies.columns.appliesTo')}</th>
                <th scope="col">{t('adminCompliance.policies.columns.days')}</th>
                <th scope="col">{t('adminCompliance.policies.columns.updated')}</th>
                <th scope="col" className="table__actions-head">
                  {t('adminCompliance.policies.columns.actions')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((policy) => (
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
                      onClick={() => {
                        remove.reset();
                        setRemoving(policy);
                      }}
                    >
                      {t('adminCompliance.policies.remove')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PolicyForm />
      <RetentionRunPanel lastRun={lastRun} />
      {removing ? (
        <ConfirmDialog
          title={t('adminCompliance.policies.confirmTitle')}
          body={t('adminCompliance.policies.confirmBody', { name: nameOf(removing) })}
          confirmLabel={t('adminCompliance.policies.remove')}
          danger
          busy={remove.isPending}
          onConfirm={() => remove.mutate(removing.id, { onSettled: () => setRemoving(null) })}
          onCancel={() => setRemoving(null)}
        />
      ) : null}
    </section>
  );
}

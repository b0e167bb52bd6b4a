import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ComplianceKeyDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { Alert } from '../../../../ui/Alert';
import { DataTable } from '../../../../ui/DataTable';
import { KeyUploadForm } from './KeyUploadForm';

/** The compliance keys, newest first, each with how many sessions are wrapped to it; and the upload form. */
export function KeysCard({ keys }: { keys: ComplianceKeyDto[] }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const active = keys.find((key) => key.active) ?? null;
  const ordered = [...keys].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminCompliance.keys.title')}
      </h2>
      <p className="card__text">{t('adminCompliance.keys.text')}</p>
      {active ? null : <Alert tone="warning">{t('adminCompliance.keys.none')}</Alert>}
      <DataTable
        caption={t('adminCompliance.keys.table')}
        columns={[
          t('adminCompliance.keys.columns.fingerprint'),
          t('adminCompliance.keys.columns.label'),
          t('adminCompliance.keys.columns.created'),
          t('adminCompliance.keys.columns.status'),
          t('adminCompliance.keys.columns.sessions'),
        ]}
        rows={ordered}
        renderRow={(key) => (
          <tr key={key.id}>
            <th scope="row" className="mono cp-fingerprint">
              {key.fingerprint}
            </th>
            <td>{key.label ?? '—'}</td>
            <td className="cp-nowrap">{formatDateTime(key.createdAt, i18n.language)}</td>
            <td>
              {key.active ? (
                <span className="badge badge--success cp-badge">{t('adminCompliance.keys.active')}</span>
              ) : (
                <>
                  <span className="badge badge--muted cp-badge">{t('adminCompliance.keys.retired')}</span>
                  {key.retiredAt ? (
                    <span className="table__sub">
                      {t('adminCompliance.keys.retiredAt', { time: formatDateTime(key.retiredAt, i18n.language) })}
                    </span>
                  ) : null}
                </>
              )}
            </td>
            <td>{t('adminCompliance.keys.sessionCount', { count: key.escrowedSessions })}</td>
          </tr>
        )}
      />
      {ordered.length > 1 ? <p className="field__help">{t('adminCompliance.keys.retiredHelp')}</p> : null}
      <KeyUploadForm activeKey={active} />
    </section>
  );
}

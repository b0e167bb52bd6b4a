import { useTranslation } from 'react-i18next';
import type { ImportReport, ImportRowError } from '@miyu/protocol';

export interface ImportReportViewProps {
  report: ImportReport;
}

/** What an import did (or, for a dry run, would do), and every row error with its row number and reason. */
export function ImportReportView({ report }: ImportReportViewProps) {
  const { t } = useTranslation();
  const counts = [
    ['rows', report.rows],
    ['departmentsCreated', report.departmentsCreated],
    ['departmentsUpdated', report.departmentsUpdated],
    ['peopleCreated', report.peopleCreated],
    ['peopleUpdated', report.peopleUpdated],
    ['membershipsSet', report.membershipsSet],
  ] as const;
  return (
    <div className="import-report">
      <dl className="facts facts--3">
        {counts.map(([key, value]) => (
          <div key={key}>
            <dt>{t(`adminImport.summary.${key}`)}</dt>
            <dd className="import-report__count">{value}</dd>
          </div>
        ))}
      </dl>
      {report.errors.length > 0 ? <ImportErrorTable errors={report.errors} /> : null}
    </div>
  );
}

export function ImportErrorTable({ errors }: { errors: ImportRowError[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="import-report__caption">{t('adminImport.errorsCaption', { count: errors.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('adminImport.columns.row')}</th>
            <th scope="col">{t('adminImport.columns.column')}</th>
            <th scope="col">{t('adminImport.columns.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((error, index) => (
            <tr key={`${error.row}-${error.column ?? ''}-${index}`}>
              <td>{error.row}</td>
              <td className="mono">{error.column ?? '—'}</td>
              <td>
                {error.reason === 'cycle' && error.column === 'manager_employee_no'
                  ? t('adminImport.managerCycle')
                  : t(`adminImport.reasons.${error.reason}`)}
                {/* The server's sentence names the exact codes and rows involved; it is English-only detail. */}
                <span className="table__sub" lang="en">
                  {error.message}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

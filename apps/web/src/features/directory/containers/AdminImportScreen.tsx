import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportReport, ImportRowError } from '@miyu/protocol';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { ApiError, isApiError } from '../../../lib/apiClient';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { exportUrl, importFormatOf } from '../api/directory.api';
import { useImportMutation } from '../api/directory.queries';
import { ImportErrorTable, ImportReportView } from '../components/ImportReportView';
import { IMPORT_COLUMN_DOCS, SAMPLE_CSV_PATH } from '../importFormat';

/**
 * Admin → Import/Export. Upload → dry run (nothing written, every row error listed) → confirm (one transaction)
 * → summary. A new file or a failed dry run always goes back to the dry run first.
 */
export function AdminImportScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [formatError, setFormatError] = useState(false);
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useImportMutation();
  const format = file ? importFormatOf(file.name) : null;

  const choose = (next: File | null) => {
    setFile(next);
    setPreview(null);
    setResult(null);
    setError(null);
    setFormatError(next !== null && importFormatOf(next.name) === null);
  };

  const submit = (dryRun: boolean) => {
    if (!file || !format) return;
    setError(null);
    run.mutate(
      { file, format, dryRun },
      {
        onSuccess: (report) => {
          if (report.dryRun) setPreview(report);
          else {
            setResult(report);
            setPreview(null);
          }
        },
        onError: (failure) => {
          setError(failure);
          if (!dryRun) setPreview(null);
        },
      },
    );
  };

  // A real import refused by the server lists its row errors as details ("row 3 email" / "bad_email: …").
  const refusedRows = isApiError(error) && error.code === 'IMPORT_INVALID' ? rowErrorsFromDetails(error.details) : [];

  return (
    <div className="page page--wide">
      <header className="page__header">
        <h1 className="page__title">{t('admin.import.title')}</h1>
        <p className="page__description">{t('admin.import.description')}</p>
      </header>

      <section className="card">
        <h2 className="card__title">{t('adminImport.uploadTitle')}</h2>
        <ol className="steps-inline">
          <li>{t('adminImport.step1')}</li>
          <li>{t('adminImport.step2')}</li>
          <li>{t('adminImport.step3')}</li>
        </ol>
        <div className="import-upload">
          <label className="field__label" htmlFor={fileId}>
            {t('adminImport.file')}
          </label>
          <input
            id={fileId}
            type="file"
            className="input"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(event) => choose(event.target.files?.[0] ?? null)}
          />
          <p className="field__help">{t('adminImport.fileHelp')}</p>
          {formatError ? <Alert tone="error">{t('adminImport.badFormat')}</Alert> : null}
        </div>
        <div className="form__actions">
          <Button variant="primary" disabled={!format || run.isPending} onClick={() => submit(true)}>
            {run.isPending && run.variables?.dryRun ? t('adminImport.checking') : t('adminImport.dryRun')}
          </Button>
          {preview?.ok ? (
            <Button variant="primary" disabled={run.isPending} onClick={() => submit(false)}>
              {run.isPending && !run.variables?.dryRun ? t('adminImport.importing') : t('adminImport.confirm')}
            </Button>
          ) : null}
        </div>
      </section>

      {error ? <Alert tone="error">{describeImportError(describe, error)}</Alert> : null}
      {refusedRows.length > 0 ? <ImportErrorTable errors={refusedRows} /> : null}

      {preview ? (
        <section className="card" aria-labelledby="import-preview-title">
          <h2 className="card__title" id="import-preview-title">
            {t('adminImport.previewTitle')}
          </h2>
          {preview.ok ? (
            <Alert tone="info">{t('adminImport.previewOk')}</Alert>
          ) : (
            <Alert tone="warning">{t('adminImport.previewErrors', { count: preview.errors.length })}</Alert>
          )}
          <ImportReportView report={preview} />
        </section>
      ) : null}

      {result ? (
        <section className="card" aria-labelledby="import-result-title">
          <h2 className="card__title" id="import-result-title">
            {t('adminImport.resultTitle')}
          </h2>
          <Alert tone="success">{t('adminImport.resultOk')}</Alert>
          <ImportReportView report={result} />
          <p className="card__footnote">{t('adminImport.passwordNote')}</p>
        </section>
      ) : null}

      <section className="card">
        <h2 className="card__title">{t('adminImport.exportTitle')}</h2>
        <p className="card__text">{t('adminImport.exportText')}</p>
        <div className="form__actions">
          <a className="btn btn--secondary" href={exportUrl('csv')} download="directory.csv">
            {t('adminImport.exportCsv')}
          </a>
          <a className="btn btn--secondary" href={exportUrl('xlsx')} download="directory.xlsx">
            {t('adminImport.exportXlsx')}
          </a>
        </div>
      </section>

      <section className="card">
        <h2 className="card__title">{t('adminImport.formatTitle')}</h2>
        <p className="card__text">{t('adminImport.formatText')}</p>
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('adminImport.formatTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('adminImport.formatColumns.column')}</th>
                <th scope="col">{t('adminImport.formatColumns.rows')}</th>
                <th scope="col">{t('adminImport.formatColumns.meaning')}</th>
              </tr>
            </thead>
            <tbody>
              {IMPORT_COLUMN_DOCS.map((column) => (
                <tr key={column.name}>
                  <th scope="row" className="mono">
                    {column.name}
                  </th>
                  <td>{t(`adminImport.formatRows.${column.rows}`)}</td>
                  <td>{t(`adminImport.formatDocs.${column.name}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="form__actions">
          <a className="btn btn--secondary" href={SAMPLE_CSV_PATH} download="directory-import-sample.csv">
            {t('adminImport.sample')}
          </a>
        </div>
      </section>
    </div>
  );
}

function describeImportError(describe: (error: unknown) => string, error: unknown): string {
  // The row list is shown as a table below; the sentence alone is enough here.
  if (isApiError(error) && error.code === 'IMPORT_INVALID') {
    return describe(new ApiError({ status: error.status, code: error.code, message: error.message }));
  }
  return describe(error);
}

const REASONS = new Set<string>([
  'missing_field',
  'bad_value',
  'bad_email',
  'unknown_parent',
  'unknown_department',
  'unknown_manager',
  'duplicate_code',
  'duplicate_employee_no',
  'employee_no_taken',
  'duplicate_login',
  'cycle',
  'too_deep',
  'primary',
  'too_many_departments',
]);

/** Reads the `row N [column]` / `reason: message` details of an IMPORT_INVALID error back into row errors. */
export function rowErrorsFromDetails(details: Array<{ path: string; message: string }>): ImportRowError[] {
  const rows: ImportRowError[] = [];
  for (const detail of details) {
    const where = /^row (\d+)(?: (\S+))?$/.exec(detail.path);
    const what = /^([a-z_]+): (.*)$/s.exec(detail.message);
    if (!where || !what || !REASONS.has(what[1] ?? '')) continue;
    rows.push({
      row: Number(where[1]),
      column: where[2] ?? null,
      reason: what[1] as ImportRowError['reason'],
      message: what[2] ?? '',
    });
  }
  return rows;
}

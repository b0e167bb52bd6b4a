import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type FilterActionName,
  filterActionSchema,
  type FilterImportPreview,
  type FilterImportResult,
  MAX_FILTER_CATEGORY_LENGTH,
  WORD_LIST_MAX_BYTES,
} from '@miyu/protocol';
import { isApiError } from '../../../../lib/apiClient';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { SelectField, TextField } from '../../../../ui/Field';
import { rulesExportUrl } from '../api/wordPolicy.api';
import { useCommitImportMutation, usePreviewImportMutation, useRuleListQuery } from '../api/wordPolicy.queries';
import { ActionBadge, FILTER_ACTIONS } from './ActionBadge';

/** A preview of 50,000 rows is read in full, but only this many rows (and row errors) are drawn. */
export const PREVIEW_ROWS_SHOWN = 200;
const ACCEPTED = ['.txt', '.csv', '.xlsx'];
const ACCEPT_ATTRIBUTE =
  '.txt,.csv,.xlsx,text/plain,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MEGABYTES = WORD_LIST_MAX_BYTES / 1024 / 1024;
// Only for the category suggestions: the category counts come with any page of rules.
const CATEGORY_QUERY = { q: '', category: null, action: null, limit: 1, offset: 0 } as const;

type FileProblem = 'type' | 'size' | null;

function fileProblem(file: File | null): FileProblem {
  if (!file) return null;
  const name = file.name.toLowerCase();
  if (!ACCEPTED.some((ext) => name.endsWith(ext))) return 'type';
  return file.size > WORD_LIST_MAX_BYTES ? 'size' : null;
}

/** Bulk import: upload → preview (nothing saved; row errors listed) → confirm with defaults → summary. */
export function ImportTab() {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const fileId = useId();
  const listId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const [preview, setPreview] = useState<FilterImportPreview | null>(null);
  const [result, setResult] = useState<FilterImportResult | null>(null);
  const [defaultCategory, setDefaultCategory] = useState(() => t('adminWordPolicy.import.defaultCategoryValue'));
  const [defaultAction, setDefaultAction] = useState<FilterActionName>('block');
  const read = usePreviewImportMutation();
  const commit = useCommitImportMutation();
  const categories = useRuleListQuery(CATEGORY_QUERY).data?.categories ?? [];
  const problem = fileProblem(file);

  const category = defaultCategory.trim();
  const categoryError =
    category === ''
      ? t('adminWordPolicy.required')
      : category.length > MAX_FILTER_CATEGORY_LENGTH
        ? t('adminWordPolicy.tooLong', { max: MAX_FILTER_CATEGORY_LENGTH })
        : null;

  const describeFileError = (error: unknown): string => {
    if (isApiError(error)) {
      if (error.code === 'IMPORT_TOO_LARGE' || error.code === 'PAYLOAD_TOO_LARGE')
        return t('adminWordPolicy.import.tooLarge', { max: MEGABYTES });
      // The server says IMPORT_UNREADABLE, with the word list's own reason as the detail.
      const key = `adminWordPolicy.import.fileErrors.${error.details[0]?.message ?? error.code}`;
      if (i18n.exists(key)) return t(key);
    }
    return describe(error);
  };

  const choose = (next: File | null) => {
    setFile(next);
    setPreview(null);
    setResult(null);
    read.reset();
    commit.reset();
  };

  const runPreview = () => {
    if (!file || problem) return;
    setResult(null);
    commit.reset();
    read.mutate(file, { onSuccess: setPreview, onError: () => setPreview(null) });
  };

  const runCommit = () => {
    if (!preview || preview.rows.length === 0 || categoryError) return;
    commit.mutate(
      {
        rows: preview.rows.map(({ word, category: c, action }) => ({ word, category: c, action })),
        defaultCategory: category,
        defaultAction,
      },
      {
        onSuccess: (done) => {
          setResult(done);
          setPreview(null);
          setFile(null);
          setInputKey((k) => k + 1);
        },
      },
    );
  };

  const existing = preview ? preview.rows.filter((r) => r.exists).length : 0;
  const errorLines = preview ? new Set(preview.errors.map((e) => e.line)).size : 0;

  return (
    <>
      <section className="card" aria-labelledby={`${fileId}-title`}>
        <h2 className="card__title" id={`${fileId}-title`}>
          {t('adminWordPolicy.import.title')}
        </h2>
        <p className="card__text">{t('adminWordPolicy.import.text', { max: MEGABYTES })}</p>
        <div className="field">
          <label className="field__label" htmlFor={fileId}>
            {t('adminWordPolicy.import.file')}
          </label>
          <input
            key={inputKey}
            id={fileId}
            type="file"
            className="input"
            accept={ACCEPT_ATTRIBUTE}
            onChange={(event) => choose(event.target.files?.[0] ?? null)}
          />
        </div>
        {problem === 'type' ? <Alert tone="error">{t('adminWordPolicy.import.badType')}</Alert> : null}
        {problem === 'size' ? (
          <Alert tone="error">{t('adminWordPolicy.import.tooLarge', { max: MEGABYTES })}</Alert>
        ) : null}
        {read.error ? <Alert tone="error">{describeFileError(read.error)}</Alert> : null}
        <div className="form__actions">
          <Button variant="primary" disabled={!file || problem !== null || read.isPending} onClick={runPreview}>
            {read.isPending ? t('adminWordPolicy.import.previewing') : t('adminWordPolicy.import.preview')}
          </Button>
        </div>
      </section>

      {result ? (
        <Alert tone="success">
          {t('adminWordPolicy.import.done', { added: result.added, updated: result.updated, version: result.version })}
        </Alert>
      ) : null}

      {preview ? (
        <section className="card" aria-labelledby={`${fileId}-preview`}>
          <h2 className="card__title" id={`${fileId}-preview`}>
            {t('adminWordPolicy.import.previewTitle')}
          </h2>
          <dl className="facts wp-facts">
            <div>
              <dt>{t('adminWordPolicy.import.summary.rows')}</dt>
              <dd>{preview.rows.length}</dd>
            </div>
            <div>
              <dt>{t('adminWordPolicy.import.summary.existing')}</dt>
              <dd>{existing}</dd>
            </div>
            <div>
              <dt>{t('adminWordPolicy.import.summary.errors')}</dt>
              <dd>{errorLines}</dd>
            </div>
            <div>
              <dt>{t('adminWordPolicy.import.summary.lines')}</dt>
              <dd>
                {preview.totalLines} ({preview.format.toUpperCase()})
              </dd>
            </div>
          </dl>

          {preview.rows.length > 0 ? (
            <>
              <div className="form__grid">
                <TextField
                  label={t('adminWordPolicy.import.defaultCategory')}
                  help={t('adminWordPolicy.import.defaultCategoryHelp')}
                  list={listId}
                  autoComplete="off"
                  value={defaultCategory}
                  error={categoryError}
                  onChange={(event) => setDefaultCategory(event.target.value)}
                />
                <datalist id={listId}>
                  {categories.map((c) => (
                    <option key={c.category} value={c.category} />
                  ))}
                </datalist>
                <SelectField
                  label={t('adminWordPolicy.import.defaultAction')}
                  help={t('adminWordPolicy.import.defaultActionHelp')}
                  value={defaultAction}
                  onChange={(event) => setDefaultAction(filterActionSchema.parse(event.target.value))}
                >
                  {FILTER_ACTIONS.map((action) => (
                    <option key={action} value={action}>
                      {t(`adminWordPolicy.actions.${action}`)} — {t(`adminWordPolicy.actionHelp.${action}`)}
                    </option>
                  ))}
                </SelectField>
              </div>
              <PreviewRows preview={preview} defaultCategory={category} defaultAction={defaultAction} />
            </>
          ) : (
            <Alert tone="warning">{t('adminWordPolicy.import.nothing')}</Alert>
          )}

          {preview.errors.length > 0 ? <PreviewErrors errors={preview.errors} /> : null}

          {commit.error ? <Alert tone="error">{describe(commit.error)}</Alert> : null}
          {preview.rows.length > 0 ? (
            <div className="form__actions">
              <Button variant="primary" disabled={categoryError !== null || commit.isPending} onClick={runCommit}>
                {commit.isPending
                  ? t('adminWordPolicy.import.importing')
                  : t('adminWordPolicy.import.confirm', { count: preview.rows.length })}
              </Button>
              <Button variant="ghost" onClick={() => setPreview(null)}>
                {t('common.cancel')}
              </Button>
            </div>
          ) : null}
        </section>
      ) : null}

      <section className="card" aria-labelledby={`${fileId}-export`}>
        <h2 className="card__title" id={`${fileId}-export`}>
          {t('adminWordPolicy.import.exportTitle')}
        </h2>
        <p className="card__text">{t('adminWordPolicy.import.exportText')}</p>
        <div className="form__actions">
          <a className="btn btn--secondary" href={rulesExportUrl('csv')} download="sensitive-words.csv">
            {t('adminWordPolicy.import.exportCsv')}
          </a>
          <a className="btn btn--secondary" href={rulesExportUrl('xlsx')} download="sensitive-words.xlsx">
            {t('adminWordPolicy.import.exportXlsx')}
          </a>
        </div>
      </section>
    </>
  );
}

interface PreviewRowsProps {
  preview: FilterImportPreview;
  defaultCategory: string;
  defaultAction: FilterActionName;
}

function PreviewRows({ preview, defaultCategory, defaultAction }: PreviewRowsProps) {
  const { t } = useTranslation();
  const shown = preview.rows.slice(0, PREVIEW_ROWS_SHOWN);
  return (
    <div className="table-wrap wp-scroll">
      <table className="table">
        <caption className="wp-caption">
          {t('adminWordPolicy.import.rowsCaption', { count: preview.rows.length })}
          {shown.length < preview.rows.length ? (
            <span className="table__sub">
              {t('adminWordPolicy.shownOf', { shown: shown.length, total: preview.rows.length })}
            </span>
          ) : null}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('adminWordPolicy.import.columns.line')}</th>
            <th scope="col">{t('adminWordPolicy.import.columns.word')}</th>
            <th scope="col">{t('adminWordPolicy.import.columns.category')}</th>
            <th scope="col">{t('adminWordPolicy.import.columns.action')}</th>
            <th scope="col">{t('adminWordPolicy.import.columns.status')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row.line}>
              <td>{row.line}</td>
              <th scope="row">{row.word}</th>
              <td>
                {row.category ?? (
                  <span className="wp-muted">{t('adminWordPolicy.import.byDefault', { value: defaultCategory })}</span>
                )}
              </td>
              <td>
                {row.action ? (
                  <ActionBadge action={row.action} />
                ) : (
                  <span className="wp-muted">
                    {t('adminWordPolicy.import.byDefault', { value: t(`adminWordPolicy.actions.${defaultAction}`) })}
                  </span>
                )}
              </td>
              <td>
                {row.exists ? (
                  <span className="badge badge--muted">{t('adminWordPolicy.import.existing')}</span>
                ) : (
                  <span className="badge badge--success">{t('adminWordPolicy.import.new')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PreviewErrors({ errors }: { errors: FilterImportPreview['errors'] }) {
  const { t, i18n } = useTranslation();
  const shown = errors.slice(0, PREVIEW_ROWS_SHOWN);
  return (
    <div className="table-wrap wp-scroll">
      <table className="table">
        <caption className="wp-caption wp-caption--error">
          {t('adminWordPolicy.import.errorsCaption', { count: errors.length })}
          {shown.length < errors.length ? (
            <span className="table__sub">
              {t('adminWordPolicy.shownOf', { shown: shown.length, total: errors.length })}
            </span>
          ) : null}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('adminWordPolicy.import.columns.line')}</th>
            <th scope="col">{t('adminWordPolicy.import.columns.reason')}</th>
            <th scope="col">{t('adminWordPolicy.import.columns.raw')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((error, index) => {
            const key = `adminWordPolicy.import.codes.${error.code}`;
            return (
              <tr key={`${error.line}-${error.code}-${index}`}>
                <td>{error.line}</td>
                <td className="wp-cell-wrap">
                  {i18n.exists(key) ? t(key) : error.code}
                  {/* The server's sentence names the exact limit or earlier line; it is English-only detail. */}
                  <span className="table__sub" lang="en">
                    {error.message}
                  </span>
                </td>
                <td className="mono wp-cell-wrap">{error.raw}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

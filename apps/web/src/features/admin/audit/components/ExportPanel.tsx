import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import type { AuditExportFormat } from '../api/audit.api';
import type { ExportProgress } from '../api/auditExport';
import type { ExportState } from '../hooks/useAuditExport';

export interface ExportPanelProps {
  state: ExportState;
  /** Entries matching the current filter, as the list counted them. */
  matching: number | null;
  onStart: (format: AuditExportFormat) => void;
  onCancel: () => void;
}

const MB = 1024 * 1024;

/** Export the filtered log as JSONL (one file) or CSV (a zip), with progress and cancel. */
export function ExportPanel({ state, matching, onStart, onCancel }: ExportPanelProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const running = state.status === 'running';
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminAudit.export.title')}
      </h2>
      <p className="card__text">
        {matching === null ? t('adminAudit.export.text') : t('adminAudit.export.matching', { count: matching })}
      </p>
      <div className="form__actions">
        <Button variant="secondary" disabled={running} onClick={() => onStart('jsonl')}>
          {t('adminAudit.export.jsonl')}
        </Button>
        <Button variant="secondary" disabled={running} onClick={() => onStart('csv')}>
          {t('adminAudit.export.csv')}
        </Button>
        {running ? (
          <Button variant="ghost" onClick={onCancel}>
            {t('adminAudit.export.cancel')}
          </Button>
        ) : null}
      </div>
      {state.status === 'running' ? <Progress id={id} progress={state.progress} /> : null}
      {state.status === 'saved' ? (
        <Alert tone="success">
          {state.progress.total === null
            ? t('adminAudit.export.savedFile', { file: state.fileName })
            : t('adminAudit.export.saved', { file: state.fileName, count: state.progress.total })}
        </Alert>
      ) : null}
      {state.status === 'cancelled' ? <Alert tone="info">{t('adminAudit.export.cancelled')}</Alert> : null}
      {state.status === 'failed' ? <Alert tone="error">{describe(state.error)}</Alert> : null}
    </section>
  );
}

function Progress({ id, progress }: { id: string; progress: ExportProgress }) {
  const { t } = useTranslation();
  const mb = (progress.bytes / MB).toFixed(1);
  let text: string;
  if (progress.entries !== null && progress.total !== null)
    text = t('adminAudit.export.entriesOf', { done: progress.entries, total: progress.total });
  else if (progress.entries !== null) text = t('adminAudit.export.entriesSoFar', { count: progress.entries });
  else if (progress.total !== null) text = t('adminAudit.export.bytesOf', { mb, count: progress.total });
  else text = t('adminAudit.export.bytes', { mb });
  // A determinate bar when entries are counted (JSONL); the zip streams compressed, so its bar only shows activity.
  const determinate = progress.entries !== null && progress.total !== null && progress.total > 0;
  return (
    <div className="audit-progress">
      <label className="audit-progress__label" htmlFor={`${id}-progress`}>
        {t(`adminAudit.export.progress.${progress.format}`)}
      </label>
      {determinate ? (
        <progress
          id={`${id}-progress`}
          className="audit-progress__bar"
          max={progress.total ?? 0}
          value={progress.entries ?? 0}
          aria-valuetext={text}
        />
      ) : (
        <progress id={`${id}-progress`} className="audit-progress__bar" aria-valuetext={text} />
      )}
      <p className="audit-progress__text" aria-live="polite">
        {text}
      </p>
    </div>
  );
}

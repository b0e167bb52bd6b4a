import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RetentionRunDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { ConfirmDialog } from '../../../../ui/ConfirmDialog';
import { useRunRetentionMutation } from '../api/compliance.queries';

/** What the last run of the deletion job did, and "Run now" (after confirmation: deletions are final). */
export function RetentionRunPanel({ lastRun }: { lastRun: RetentionRunDto | null }) {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const run = useRunRetentionMutation();
  const [confirming, setConfirming] = useState(false);
  // The run just made, until the overview brings it back as the last run.
  const shown = run.data ?? lastRun;

  return (
    <div className="cp-run" aria-labelledby={`${id}-title`} role="group">
      <h3 className="card__subtitle" id={`${id}-title`}>
        {t('adminCompliance.run.title')}
      </h3>
      <p className="card__text">{t('adminCompliance.run.text')}</p>
      {run.data ? <Alert tone="success">{t('adminCompliance.run.done')}</Alert> : null}
      {run.error ? <Alert tone="error">{describe(run.error)}</Alert> : null}
      {shown ? (
        <section aria-label={t('adminCompliance.run.last')}>
          <p className="field__help">
            {t('adminCompliance.run.lastAt', { time: formatDateTime(shown.ranAt, i18n.language) })}
          </p>
          <dl className="facts cp-facts">
            <div>
              <dt>{t('adminCompliance.run.deletedMessages')}</dt>
              <dd>{shown.deletedMessages}</dd>
            </div>
            <div>
              <dt>{t('adminCompliance.run.deletedAttachments')}</dt>
              <dd>{shown.deletedAttachments}</dd>
            </div>
            <div>
              <dt>{t('adminCompliance.run.conversations')}</dt>
              <dd>{shown.conversations}</dd>
            </div>
            <div>
              <dt>{t('adminCompliance.run.keptForHold')}</dt>
              <dd>{shown.keptForHold}</dd>
            </div>
          </dl>
        </section>
      ) : (
        <p className="field__help">{t('adminCompliance.run.never')}</p>
      )}
      <div className="form__actions">
        <Button
          variant="danger"
          disabled={run.isPending}
          onClick={() => {
            run.reset();
            setConfirming(true);
          }}
        >
          {run.isPending ? t('adminCompliance.run.running') : t('adminCompliance.run.now')}
        </Button>
      </div>
      {confirming ? (
        <ConfirmDialog
          title={t('adminCompliance.run.confirmTitle')}
          body={t('adminCompliance.run.confirmBody')}
          confirmLabel={t('adminCompliance.run.now')}
          danger
          onConfirm={() => {
            setConfirming(false);
            run.mutate();
          }}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </div>
  );
}

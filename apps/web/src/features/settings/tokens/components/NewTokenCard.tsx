import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { useCopyToClipboard } from '../../../../ui/useCopyToClipboard';

export interface NewTokenCardProps {
  name: string;
  token: string;
  onDone: () => void;
}

/** The new token, shown this once with a copy button; "Done" forgets it. */
export function NewTokenCard({ name, token, onDone }: NewTokenCardProps) {
  const { t } = useTranslation();
  const id = useId();
  const { state: copied, copy } = useCopyToClipboard();
  return (
    <section className="card tk-new" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('apiTokens.created.title', { name })}
      </h2>
      <Alert tone="warning">{t('apiTokens.created.warning')}</Alert>
      <div className="tk-new__row">
        <code className="mono tk-new__token" aria-label={t('apiTokens.created.token')}>
          {token}
        </code>
        <Button size="sm" onClick={() => copy(token)}>
          {t('apiTokens.created.copy')}
        </Button>
      </div>
      <p className="field__help" aria-live="polite">
        {copied === 'copied'
          ? t('apiTokens.created.copied')
          : copied === 'failed'
            ? t('apiTokens.created.copyFailed')
            : t('apiTokens.created.usage', { header: 'Authorization: Bearer <token>' })}
      </p>
      <div className="form__actions">
        <Button variant="primary" onClick={onDone}>
          {t('apiTokens.created.done')}
        </Button>
      </div>
    </section>
  );
}

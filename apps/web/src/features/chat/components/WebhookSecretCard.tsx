import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { useCopyToClipboard } from '../../../ui/useCopyToClipboard';

export interface WebhookSecretCardProps {
  name: string;
  /** The full URL to post to. */
  url: string;
  secret: string;
  /** Shown after creation or after rotation (the wording differs). */
  reason: 'created' | 'rotated';
  onDone: () => void;
}

function CopyRow({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  const { state: copied, copy } = useCopyToClipboard();
  return (
    <>
      <div className="tk-new__row">
        <code className="mono tk-new__token" aria-label={label}>
          {value}
        </code>
        <Button size="sm" onClick={() => copy(value)} aria-label={t('chats.webhooks.copyNamed', { what: label })}>
          {t('chats.webhooks.copy')}
        </Button>
      </div>
      {copied ? (
        <p className="field__help" aria-live="polite">
          {copied === 'copied' ? t('chats.webhooks.copied') : t('chats.webhooks.copyFailed')}
        </p>
      ) : null}
    </>
  );
}

/** A hook's URL and its secret, shown this once with copy buttons; "Done" forgets the secret. */
export function WebhookSecretCard({ name, url, secret, reason, onDone }: WebhookSecretCardProps) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="card tk-new" aria-labelledby={`${id}-title`}>
      <h4 className="card__title" id={`${id}-title`}>
        {reason === 'created' ? t('chats.webhooks.created', { name }) : t('chats.webhooks.rotated', { name })}
      </h4>
      <Alert tone="warning">{t('chats.webhooks.secretOnce')}</Alert>
      <CopyRow label={t('chats.webhooks.url')} value={url} />
      <CopyRow label={t('chats.webhooks.secret')} value={secret} />
      <p className="field__help">{t('chats.webhooks.hint')}</p>
      <pre className="mono">
        {`curl -X POST '${url}' -H 'Content-Type: application/json' \\\n  -H "X-Miyu-Timestamp: $TS" -H "X-Miyu-Signature: sha256=$SIG" \\\n  --data-binary '{"text":"Hello"}'`}
      </pre>
      <div className="form__actions">
        <Button variant="primary" onClick={onDone}>
          {t('chats.webhooks.done')}
        </Button>
      </div>
    </section>
  );
}

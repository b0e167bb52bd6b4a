import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationRetention } from '@miyu/protocol';
import { Button } from '../../../ui/Button';

/** The banner when the conversation is retained; nothing otherwise (or while its retention is not known yet). */
export function RetentionNotice({ retention }: { retention: ConversationRetention | undefined }) {
  return retention?.retained ? <RetentionBanner organisationName={retention.organisationName} /> : null;
}

/**
 * Shown at the top of every conversation under compliance retention, to everyone in it: the organisation keeps a
 * copy its compliance officer can open with the offline key (docs/compliance.md). "Why?" explains it; the same text
 * is the banner's tooltip.
 */
export function RetentionBanner({ organisationName }: { organisationName: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const explainId = useId();
  const org = organisationName.trim() || t('chats.retention.orgFallback');
  const explain = t('chats.retention.explain', { org });
  return (
    <div className="retention-banner" role="note" data-testid="retention-banner" title={explain}>
      <p className="retention-banner__text">
        {t('chats.retention.banner', { org })}{' '}
        <Button
          size="sm"
          variant="link"
          aria-expanded={open}
          aria-controls={open ? explainId : undefined}
          onClick={() => setOpen((v) => !v)}
        >
          {t('chats.retention.more')}
        </Button>
      </p>
      {open ? (
        <p id={explainId} className="retention-banner__explain">
          {explain}
        </p>
      ) : null}
    </div>
  );
}

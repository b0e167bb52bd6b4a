import { useTranslation } from 'react-i18next';

/**
 * The marker next to a person under legal hold (their conversations are retained by the organisation and never
 * deleted by policy), wherever people are shown: chat lists and dialogs, the org directory. The tooltip explains it.
 */
export function LegalHoldBadge() {
  const { t } = useTranslation();
  return (
    <span className="badge badge--hold" title={t('chats.retention.holdTip')} data-testid="legal-hold-badge">
      {t('chats.retention.hold')}
    </span>
  );
}

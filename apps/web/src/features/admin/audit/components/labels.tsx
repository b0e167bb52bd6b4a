import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '@miyu/protocol';

/** "Sign-in" for `auth.sign_in`; the catalogue key mirrors the action (`adminAudit.actions.auth.sign_in`). */
export function actionLabel(t: TFunction, action: string): string {
  return t(`adminAudit.actions.${action}`, { defaultValue: action });
}

export function entityTypeLabel(t: TFunction, type: string): string {
  return t(`adminAudit.entityTypes.${type}`, { defaultValue: type });
}

/**
 * Who did it: the name recorded with the entry, else the account id; without an account, someone not signed in
 * (a failed sign-in, which names the account tried as its object) when a client is recorded, else the server.
 */
export function actorLabel(t: TFunction, actor: AuditEntry['actor']): string {
  const known = actor.name ?? actor.userId;
  if (known) return known;
  return actor.ip || actor.userAgent ? t('adminAudit.anonymous') : t('adminAudit.system');
}

/** Success, or failure with the reason code the server recorded. */
export function ResultBadge({ result }: { result: AuditEntry['result'] }) {
  const { t } = useTranslation();
  if (result.ok) return <span className="badge badge--success audit-badge">{t('adminAudit.result.success')}</span>;
  return (
    <span className="badge audit-badge audit-badge--failure">
      {result.reason ? t('adminAudit.result.failureReason', { reason: result.reason }) : t('adminAudit.result.failure')}
    </span>
  );
}

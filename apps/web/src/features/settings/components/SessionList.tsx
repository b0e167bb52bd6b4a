import { useTranslation } from 'react-i18next';
import type { SessionDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { DeviceIcon } from '../../../ui/icons';
import { formatDateTime } from '../../../lib/format';
import { summarizeUserAgent } from '../../../lib/userAgent';

export interface SessionListProps {
  sessions: SessionDto[];
  revokingId: string | null;
  onRevoke: (sessionId: string) => void;
}

export function SessionList({ sessions, revokingId, onRevoke }: SessionListProps) {
  const { t, i18n } = useTranslation();
  const ordered = [...sessions].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt),
  );
  return (
    <ul className="session-list" aria-label={t('sessions.list')}>
      {ordered.map((session) => {
        const device = summarizeUserAgent(session.userAgent);
        const name =
          device.browser || device.os
            ? device.os
              ? t('sessions.deviceOn', { browser: device.browser ?? t('sessions.unknownBrowser'), os: device.os })
              : (device.browser ?? '')
            : t('sessions.unknownDevice');
        return (
          <li key={session.id} className="session-list__item" aria-current={session.current ? 'true' : undefined}>
            <span className="session-list__icon">
              <DeviceIcon />
            </span>
            <div className="session-list__body">
              <p className="session-list__name">
                {name}
                {session.current ? <span className="badge badge--success">{t('sessions.current')}</span> : null}
              </p>
              <p className="session-list__meta">
                <span>{t('sessions.lastActive', { time: formatDateTime(session.lastSeenAt, i18n.language) })}</span>
                <span>{t('sessions.signedInAt', { time: formatDateTime(session.createdAt, i18n.language) })}</span>
                {session.ip ? <span>{t('sessions.ip', { ip: session.ip })}</span> : null}
              </p>
            </div>
            {session.current ? null : (
              <Button
                size="sm"
                variant="secondary"
                disabled={revokingId === session.id}
                onClick={() => onRevoke(session.id)}
                aria-label={`${t('sessions.signOut')} · ${name}`}
              >
                {t('sessions.signOut')}
              </Button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

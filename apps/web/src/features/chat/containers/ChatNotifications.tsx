import { useEffect, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { personCardSchema } from '@miyu/protocol';
import { useApi } from '../../../lib/services';
import { previewOf } from '../components/messageText';
import { useChat } from '../hooks/useChat';
import { useMessagingSettings } from '../hooks/useMessagingSettings';

/** Whether this browser can show notifications and the user allowed it. */
export function notificationsAllowed(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

/**
 * Desktop notifications for new messages while the user looks elsewhere (another tab, another conversation).
 * When the org turns previews off, a notification says only that a message arrived: no name, no text.
 */
export function ChatNotifications() {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const { engine, snapshot } = useChat();
  // The tab title carries the total of unread messages (muted conversations left out).
  const totalUnread = (snapshot?.conversations ?? []).reduce((n, c) => n + (c.muted ? 0 : c.unread), 0);
  useEffect(() => {
    const base = t('common.documentTitle');
    document.title = totalUnread > 0 ? `(${totalUnread > 99 ? '99+' : totalUnread}) ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [totalUnread, t]);
  const settings = useMessagingSettings();
  const path = useRef(location.pathname);
  path.current = location.pathname;
  const previews = settings.data?.notificationPreviews ?? false;

  useEffect(() => {
    if (!engine) return;
    return engine.onIncoming((m) => {
      if (!notificationsAllowed()) return;
      const looking = document.visibilityState === 'visible' && path.current === `/chats/${m.conversationId}`;
      if (looking) return;
      const show = (title: string, body: string) => {
        const n = new Notification(title, { body, tag: m.conversationId });
        n.onclick = () => {
          window.focus();
          void navigate(`/chats/${m.conversationId}`);
          n.close();
        };
      };
      if (!previews) {
        show(t('common.appName'), t('chats.notifications.hidden'));
        return;
      }
      void api
        .get(`/api/directory/people/${encodeURIComponent(m.senderUserId ?? '')}`, personCardSchema)
        .then(
          (card) => card.displayName,
          () => t('chats.unknownPerson'),
        )
        .then((name) =>
          show(
            name,
            previewOf(m, t, () => name),
          ),
        );
    });
  }, [engine, previews, api, navigate, t]);

  return null;
}

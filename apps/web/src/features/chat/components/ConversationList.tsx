import { useTranslation } from 'react-i18next';
import { initials } from '../../../lib/format';
import type { ConversationView } from '../engine/chatEngine';
import { previewOf } from './messageText';
import { LegalHoldBadge } from '../../compliance';
import { shortTime } from './time';

export interface ConversationListProps {
  conversations: readonly ConversationView[];
  selectedId: string | null;
  currentUserId: string;
  nameOf: (userId: string) => string;
  titleOf: (conversation: ConversationView) => string;
  onSelect: (conversationId: string) => void;
  /** Online state of direct-chat peers (absent: unknown). */
  presence?: Record<string, boolean>;
  /** Who is typing in which conversation. */
  typing?: Record<string, string[]>;
  /** People under legal hold (marked on their direct chats). */
  heldUserIds?: ReadonlySet<string>;
}

/** Conversations by latest activity, each with its decrypted last message and unread count. */
export function ConversationList({
  conversations,
  selectedId,
  currentUserId,
  nameOf,
  titleOf,
  onSelect,
  presence = {},
  typing = {},
  heldUserIds,
}: ConversationListProps) {
  const { t, i18n } = useTranslation();
  if (conversations.length === 0) return <p className="chats__empty">{t('chats.emptyList')}</p>;
  return (
    <ul
      className="conversation-list"
      aria-label={t('chats.listLabel')}
      onKeyDown={(event) => {
        // Arrow keys move between conversations; Home/End jump to the ends.
        const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
        if (!keys.includes(event.key)) return;
        const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button.conversation-row')];
        const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
        const next =
          event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? buttons.length - 1
              : Math.min(buttons.length - 1, Math.max(0, at + (event.key === 'ArrowDown' ? 1 : -1)));
        event.preventDefault();
        buttons[next]?.focus();
      }}
    >
      {conversations.map((c) => {
        const title = titleOf(c);
        const last = c.lastMessage;
        const who = last?.senderUserId && c.kind !== 'direct' && !last.system ? nameOf(last.senderUserId) : null;
        const preview = last ? previewOf(last, t, (id) => (id === currentUserId ? t('chats.you') : nameOf(id))) : '';
        return (
          <li key={c.id}>
            <button
              type="button"
              className={
                c.id === selectedId ? 'person-row conversation-row is-selected' : 'person-row conversation-row'
              }
              aria-current={c.id === selectedId ? 'true' : undefined}
              onClick={() => onSelect(c.id)}
            >
              <span className="avatar avatar--presence" aria-hidden="true">
                {initials(title)}
                {c.peerUserId && presence[c.peerUserId] !== undefined ? (
                  <span className={presence[c.peerUserId] ? 'presence-dot is-online' : 'presence-dot'} />
                ) : null}
              </span>
              <span className="conversation-row__main">
                <span className="conversation-row__top">
                  <span className="conversation-row__title">
                    {title}
                    {c.peerUserId && heldUserIds?.has(c.peerUserId) ? <LegalHoldBadge /> : null}
                    {c.peerUserId && presence[c.peerUserId] !== undefined ? (
                      <span className="visually-hidden">
                        {presence[c.peerUserId] ? t('chats.presence.online') : t('chats.presence.offline')}
                      </span>
                    ) : null}
                  </span>
                  <span className="conversation-row__time">
                    {c.pinned ? <span className="conversation-row__flag">{t('chats.prefs.pinnedTag')}</span> : null}
                    {c.muted ? <span className="conversation-row__flag">{t('chats.prefs.mutedTag')}</span> : null}
                    {last ? shortTime(last.serverTs, i18n.language, t) : ''}
                  </span>
                </span>
                <span className="conversation-row__bottom">
                  {(typing[c.id]?.length ?? 0) > 0 ? (
                    <span className="conversation-row__preview conversation-row__typing">
                      {t('chats.typing.short')}
                    </span>
                  ) : (
                    <span className="conversation-row__preview">
                      {who && last?.senderUserId !== currentUserId ? `${who}: ` : ''}
                      {preview}
                    </span>
                  )}
                  {c.unread > 0 ? (
                    <span className={c.muted ? 'unread-badge unread-badge--muted' : 'unread-badge'}>
                      <span aria-hidden="true">{c.unread > 99 ? '99+' : c.unread}</span>
                      <span className="visually-hidden">{t('chats.unread', { count: c.unread })}</span>
                    </span>
                  ) : null}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

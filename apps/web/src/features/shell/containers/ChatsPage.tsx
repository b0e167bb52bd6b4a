import { useTranslation } from 'react-i18next';
import { Placeholder } from '../../../ui/Placeholder';
import { ChatIcon, SearchIcon } from '../../../ui/icons';

/** Two panes like every messenger: the conversation list and the open conversation (both empty for now). */
export function ChatsPage() {
  const { t } = useTranslation();
  return (
    <div className="chats">
      <aside className="chats__list">
        <div className="chats__search" aria-hidden="true">
          <SearchIcon width={16} height={16} />
          <span>{t('chats.searchPlaceholder')}</span>
        </div>
        <p className="chats__empty">{t('chats.emptyList')}</p>
      </aside>
      <div className="chats__pane">
        <Placeholder icon={<ChatIcon />} title={t('chats.title')} description={t('chats.description')} />
      </div>
    </div>
  );
}

import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useDebouncedValue } from '../../../lib/useDebouncedValue';
import { SearchIcon } from '../../../ui/icons';
import { SearchResults } from '../components/SearchResults';
import type { ChatEngine, ConversationView } from '../engine/chatEngine';
import type { SearchFilter, SearchHit } from '../engine/searchIndex';

const PERIODS = { any: 0, week: 7, month: 30, year: 365 } as const;
type Period = keyof typeof PERIODS;

/**
 * Search over this device's decrypted history, filtered by conversation, person and date. Replaces the list
 * while a query is typed; a result opens its conversation at the message.
 */
export function ChatSearch({
  engine,
  conversations,
  titleOf,
  nameOf,
  onActive,
}: {
  engine: ChatEngine;
  conversations: readonly ConversationView[];
  titleOf: (c: ConversationView) => string;
  nameOf: (userId: string) => string;
  onActive: (active: boolean) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [query, setQuery] = useState('');
  const [conversationId, setConversationId] = useState('');
  const [senderUserId, setSenderUserId] = useState('');
  const [period, setPeriod] = useState<Period>('any');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const debounced = useDebouncedValue(query.trim(), 200);
  const active = debounced.length > 0;

  useEffect(() => onActive(active), [active, onActive]);

  useEffect(() => {
    if (!debounced) {
      setHits([]);
      return;
    }
    const filter: SearchFilter = {};
    if (conversationId) filter.conversationId = conversationId;
    if (senderUserId) filter.senderUserId = senderUserId;
    if (PERIODS[period] > 0) filter.from = new Date(Date.now() - PERIODS[period] * 86_400_000).toISOString();
    let current = true;
    void engine.search(debounced, filter).then((found) => {
      if (current) setHits(found);
    });
    return () => {
      current = false;
    };
  }, [engine, debounced, conversationId, senderUserId, period]);

  const senders = [...new Set(hits.map((h) => h.message.senderUserId).filter((id): id is string => !!id))];
  if (senderUserId && !senders.includes(senderUserId)) senders.push(senderUserId);
  const byId = new Map(conversations.map((c) => [c.id, c]));

  return (
    <div className="chat-search">
      <label className="chats__search">
        <SearchIcon width={16} height={16} aria-hidden="true" />
        <input
          type="search"
          className="chats__search-input"
          aria-label={t('chats.search.label')}
          placeholder={t('chats.searchPlaceholder')}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </label>
      {active ? (
        <>
          <div className="chat-search__filters">
            <select
              aria-label={t('chats.search.inConversation')}
              value={conversationId}
              onChange={(e) => setConversationId(e.target.value)}
            >
              <option value="">{t('chats.search.allConversations')}</option>
              {conversations.map((c) => (
                <option key={c.id} value={c.id}>
                  {titleOf(c)}
                </option>
              ))}
            </select>
            <select
              aria-label={t('chats.search.fromPerson')}
              value={senderUserId}
              onChange={(e) => setSenderUserId(e.target.value)}
            >
              <option value="">{t('chats.search.anyone')}</option>
              {senders.map((id) => (
                <option key={id} value={id}>
                  {nameOf(id)}
                </option>
              ))}
            </select>
            <select
              aria-label={t('chats.search.when')}
              value={period}
              onChange={(e) => setPeriod(e.target.value as Period)}
            >
              {(Object.keys(PERIODS) as Period[]).map((p) => (
                <option key={p} value={p}>
                  {t(`chats.search.period.${p}`)}
                </option>
              ))}
            </select>
          </div>
          <SearchResults
            query={debounced}
            hits={hits}
            titleOf={(id) => {
              const c = byId.get(id);
              return c ? titleOf(c) : t('chats.directFallback');
            }}
            nameOf={nameOf}
            onOpen={(hit) => {
              setQuery('');
              void navigate(`/chats/${hit.message.conversationId}?seq=${hit.message.seq}`);
            }}
          />
        </>
      ) : null}
    </div>
  );
}

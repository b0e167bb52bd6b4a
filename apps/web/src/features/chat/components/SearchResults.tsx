import { useTranslation } from 'react-i18next';
import type { SearchHit } from '../engine/searchIndex';
import { normalise } from '../engine/searchIndex';
import { shortTime } from './time';

export interface SearchResultsProps {
  query: string;
  hits: readonly SearchHit[];
  titleOf: (conversationId: string) => string;
  nameOf: (userId: string) => string;
  onOpen: (hit: SearchHit) => void;
}

/** Messages found in the local index, newest first, with the match highlighted in a short excerpt. */
export function SearchResults({ query, hits, titleOf, nameOf, onOpen }: SearchResultsProps) {
  const { t, i18n } = useTranslation();
  if (hits.length === 0) return <p className="chats__empty">{t('chats.search.none', { query })}</p>;
  return (
    <ul className="conversation-list" aria-label={t('chats.search.results')}>
      {hits.map((hit) => {
        const m = hit.message;
        const [before, match, after] = excerpt(hit.text, query);
        return (
          <li key={`${m.conversationId}/${m.seq}`}>
            <button type="button" className="person-row conversation-row" onClick={() => onOpen(hit)}>
              <span className="conversation-row__main">
                <span className="conversation-row__top">
                  <span className="conversation-row__title">{titleOf(m.conversationId)}</span>
                  <span className="conversation-row__time">{shortTime(m.serverTs, i18n.language, t)}</span>
                </span>
                <span className="conversation-row__preview">
                  {m.senderUserId ? `${nameOf(m.senderUserId)}: ` : ''}
                  {before}
                  <mark>{match}</mark>
                  {after}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** The text around the first match (compared normalised; shown as written). */
export function excerpt(text: string, query: string, context = 12): [string, string, string] {
  const q = normalise(query).trim();
  // NFKC can change lengths; map the normalised index back by normalising each prefix (texts here are short).
  const normal = normalise(text);
  const at = normal.indexOf(q);
  if (at < 0) return [text.slice(0, context * 2), '', ''];
  let start = 0;
  while (start < text.length && normalise(text.slice(0, start)).length < at) start += 1;
  let end = start;
  while (end < text.length && normalise(text.slice(start, end)).length < q.length) end += 1;
  const from = Math.max(0, start - context);
  return [(from > 0 ? '…' : '') + text.slice(from, start), text.slice(start, end), text.slice(end, end + context * 3)];
}

import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHitDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { SearchIcon } from '../../../ui/icons';
import { initials } from '../../../lib/format';
import { useDebouncedValue } from '../../../lib/useDebouncedValue';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { LegalHoldBadge } from '../../compliance';
import { useDirectorySearchQuery } from '../api/directory.queries';

export const SEARCH_PAGE_SIZE = 20;
export const SEARCH_DEBOUNCE_MS = 250;
/** The most hits the server returns at once. */
const SEARCH_MAX_LIMIT = 100;

export interface DirectorySearchProps {
  onPick: (hit: SearchHitDto) => void;
  /** People under legal hold, marked in the results. */
  heldUserIds?: ReadonlySet<string>;
}

/**
 * Search across name, pinyin (full and initials), employee number and email. The server ranks the hits (exact,
 * then prefix, then contains); the list keeps that order. A combobox: ↓/↑ move through the hits, Enter opens
 * one, Escape clears.
 */
export function DirectorySearch({ onPick, heldUserIds }: DirectorySearchProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const listId = useId();
  const [text, setText] = useState('');
  const [limit, setLimit] = useState(SEARCH_PAGE_SIZE);
  const [active, setActive] = useState(-1);
  const q = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const search = useDirectorySearchQuery(q, limit);
  const hits = q ? (search.data?.items ?? []) : [];
  const open = q.length > 0;

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' && hits.length > 0) {
      event.preventDefault();
      setActive((i) => Math.min(hits.length - 1, i + 1));
    } else if (event.key === 'ArrowUp' && hits.length > 0) {
      event.preventDefault();
      setActive((i) => Math.max(0, i - 1));
    } else if (event.key === 'Enter') {
      const hit = hits[active] ?? (hits.length === 1 ? hits[0] : undefined);
      if (hit) {
        event.preventDefault();
        onPick(hit);
      }
    } else if (event.key === 'Escape') {
      setText('');
      setActive(-1);
    }
  };

  return (
    <div className="dir-search">
      <label className="search">
        <SearchIcon width={18} height={18} />
        <span className="visually-hidden">{t('directory.search.label')}</span>
        <input
          type="search"
          role="combobox"
          className="search__input"
          placeholder={t('directory.search.placeholder')}
          autoComplete="off"
          spellCheck={false}
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={active >= 0 && hits[active] ? `${listId}-${hits[active].id}` : undefined}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setLimit(SEARCH_PAGE_SIZE);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
        />
      </label>
      {open ? (
        <div className="dir-search__results">
          {search.error ? <p className="org-tree__error">{describe(search.error)}</p> : null}
          <ul id={listId} role="listbox" aria-label={t('directory.search.results')} className="dir-search__list">
            {hits.map((hit, index) => (
              <li
                key={hit.id}
                id={`${listId}-${hit.id}`}
                role="option"
                aria-selected={index === active}
                className={index === active ? 'dir-search__hit is-active' : 'dir-search__hit'}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => onPick(hit)}
              >
                <span className="avatar avatar--sm" aria-hidden="true">
                  {initials(hit.displayName)}
                </span>
                <span className="dir-search__text">
                  <span className="dir-search__name">
                    {hit.displayName}
                    {heldUserIds?.has(hit.id) ? <LegalHoldBadge /> : null}
                  </span>
                  <span className="dir-search__sub">
                    {[hit.title, hit.primaryDepartment?.name, hit.employeeNo].filter(Boolean).join(' · ')}
                  </span>
                </span>
                <span className={`badge dir-search__match dir-search__match--${hit.match}`}>
                  {t(`directory.search.match.${hit.match}`)}
                </span>
              </li>
            ))}
          </ul>
          {search.data && hits.length === 0 && !search.isFetching ? (
            <p className="empty" role="status">
              {t('directory.search.none', { q })}
            </p>
          ) : null}
          {search.data?.hasMore && limit < SEARCH_MAX_LIMIT ? (
            <Button
              size="sm"
              variant="ghost"
              block
              onClick={() => setLimit(Math.min(SEARCH_MAX_LIMIT, limit + SEARCH_PAGE_SIZE))}
            >
              {t('directory.search.more')}
            </Button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { initials } from '../../../../lib/format';
import { useDebouncedValue } from '../../../../lib/useDebouncedValue';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Button } from '../../../../ui/Button';
import { SearchIcon } from '../../../../ui/icons';
import type { PersonOption } from '../api/audit.api';
import { usePersonSearchQuery } from '../api/audit.queries';

const RESULTS = 8;

export interface PersonPickerProps {
  label: string;
  /** Accessible name of the chip's remove button. */
  removeLabel: (name: string) => string;
  help?: string;
  /** The chosen person (id, and the name to show) or null. */
  value: { id: string; name: string | null } | null;
  source: 'users' | 'directory';
  onChange: (person: PersonOption | null) => void;
}

/** Search people by name, pinyin, login or employee number; the chosen one is shown as a removable chip. */
export function PersonPicker({ label, removeLabel, help, value, source, onChange }: PersonPickerProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const [text, setText] = useState('');
  const q = useDebouncedValue(text.trim(), 250);
  const search = usePersonSearchQuery(q, source, RESULTS);
  const people = q ? (search.data ?? []) : [];

  if (value) {
    const name = value.name ?? t('adminAudit.filters.unknownPerson');
    return (
      <div className="field">
        <span className="field__label" id={`${id}-label`}>
          {label}
        </span>
        <ul className="audit-chips" aria-labelledby={`${id}-label`}>
          <li className="audit-chip">
            <span>{name}</span>
            <Button size="sm" variant="ghost" aria-label={removeLabel(name)} onClick={() => onChange(null)}>
              {t('adminAudit.filters.remove')}
            </Button>
          </li>
        </ul>
      </div>
    );
  }

  return (
    <div className="field audit-person">
      <label className="field__label" htmlFor={`${id}-input`}>
        {label}
      </label>
      <div className="search audit-person__search">
        <SearchIcon width={16} height={16} aria-hidden="true" />
        <input
          id={`${id}-input`}
          type="search"
          className="search__input"
          autoComplete="off"
          spellCheck={false}
          placeholder={t('adminAudit.filters.personPlaceholder')}
          aria-describedby={help ? `${id}-help` : undefined}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      {help ? (
        <p className="field__help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {search.error ? <p className="field__error">{describe(search.error)}</p> : null}
      {q && search.data && people.length === 0 ? (
        <p className="field__help">{t('adminAudit.filters.noPeople')}</p>
      ) : null}
      {people.length > 0 ? (
        <ul className="pick-list audit-person__results" aria-label={t('adminAudit.filters.personResults')}>
          {people.map((person) => (
            <li key={person.id}>
              <button
                type="button"
                className="person-row"
                onClick={() => {
                  setText('');
                  onChange(person);
                }}
              >
                <span className="avatar avatar--sm" aria-hidden="true">
                  {initials(person.name)}
                </span>
                <span className="person-row__name">{person.name}</span>
                <span className="person-row__sub">
                  {[person.detail, person.disabled ? t('adminAudit.filters.disabledTag') : null]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

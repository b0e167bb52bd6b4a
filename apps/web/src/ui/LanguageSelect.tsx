import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale } from '@miyu/protocol';
import { SUPPORTED_LOCALES } from '../i18n';

export interface LanguageSelectProps {
  value: Locale;
  onChange: (locale: Locale) => void;
  disabled?: boolean;
  compact?: boolean;
}

/** Each language is named in itself, and the label names both, so someone lost in the wrong language finds it. */
export function LanguageSelect({ value, onChange, disabled, compact }: LanguageSelectProps) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className={compact ? 'language-select language-select--compact' : 'language-select'}>
      <label htmlFor={id} className={compact ? 'visually-hidden' : 'field__label'}>
        {t('language.label')}
      </label>
      <span className="language-select__globe" aria-hidden="true">
        文A
      </span>
      <select
        id={id}
        className="input select language-select__control"
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value as Locale)}
      >
        {SUPPORTED_LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {t(`language.${locale}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

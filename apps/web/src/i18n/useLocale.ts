import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { Locale } from '@miyu/protocol';
import { currentLocale, storeLocale } from './index';

/** The interface language and a setter that also remembers it on this browser. */
export function useLocale(): [Locale, (locale: Locale) => Promise<void>] {
  const { i18n } = useTranslation();
  const setLocale = useCallback(
    async (locale: Locale) => {
      storeLocale(locale);
      await i18n.changeLanguage(locale);
    },
    [i18n],
  );
  return [currentLocale(i18n), setLocale];
}

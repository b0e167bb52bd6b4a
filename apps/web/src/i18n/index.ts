import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { DEFAULT_LOCALE, localeSchema, type Locale } from '@miyu/protocol';
import { zhCN } from './zh-CN';
import { en } from './en';

export type { Messages } from './messages';
export const SUPPORTED_LOCALES: readonly Locale[] = ['zh-CN', 'en'];

const STORAGE_KEY = 'miyu.locale';

/** The language chosen on this browser before sign-in (after sign-in the account's locale wins). */
export function readStoredLocale(): Locale {
  try {
    const parsed = localeSchema.safeParse(window.localStorage.getItem(STORAGE_KEY));
    return parsed.success ? parsed.data : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

export function storeLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage can be unavailable (private mode, quota); the choice then lasts for this page only.
  }
}

export function currentLocale(i18n: I18n): Locale {
  const parsed = localeSchema.safeParse(i18n.resolvedLanguage ?? i18n.language);
  return parsed.success ? parsed.data : DEFAULT_LOCALE;
}

/** A fresh, initialised i18next instance (tests make their own so they never share language state). */
export function createI18n(lng: Locale = readStoredLocale()): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...SUPPORTED_LOCALES],
    interpolation: { escapeValue: false }, // React escapes already
    returnNull: false,
    initAsync: false,
  });
  const applyToDocument = (language: string) => {
    if (typeof document === 'undefined') return;
    document.documentElement.lang = language;
    document.title = instance.t('common.documentTitle');
  };
  applyToDocument(lng);
  instance.on('languageChanged', applyToDocument);
  return instance;
}

import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from './errorMessage';

/** Returns a function that turns any caught error into a translated sentence in the current language. */
export function useErrorMessage(): (error: unknown) => string {
  const { i18n } = useTranslation();
  return useCallback((error: unknown) => errorMessage(i18n, error), [i18n]);
}

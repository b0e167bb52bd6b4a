import { useCallback, useState } from 'react';
import type { Locale } from '@miyu/protocol';
import { useLocale } from '../../../i18n/useLocale';
import { useUpdateProfileMutation } from '../api/account.queries';

/**
 * Switches the interface language at once and saves it to the account; on failure the previous language
 * comes back and the error is returned for display.
 */
export function useChangeLocale() {
  const [locale, setLocale] = useLocale();
  const mutation = useUpdateProfileMutation();
  const [error, setError] = useState<unknown>(null);

  const change = useCallback(
    (next: Locale) => {
      const previous = locale;
      setError(null);
      void setLocale(next);
      mutation.mutate(
        { locale: next },
        {
          onError: (failure) => {
            setError(failure);
            void setLocale(previous);
          },
        },
      );
    },
    [locale, setLocale, mutation],
  );

  return { locale, change, saving: mutation.isPending, error };
}

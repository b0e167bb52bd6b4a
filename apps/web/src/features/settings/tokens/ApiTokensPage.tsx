import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../../ui/Spinner';

// Few people open it: loaded on first visit, outside the first-load JavaScript.
const ApiTokensScreen = lazy(async () => ({
  default: (await import('./containers/ApiTokensScreen')).ApiTokensScreen,
}));

/** Settings → API tokens. */
export function ApiTokensPage() {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<Spinner label={t('common.loading')} />}>
      <ApiTokensScreen />
    </Suspense>
  );
}

import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../../ui/Spinner';

// The page (and the word-filter presets it shows) loads only when an admin opens it.
const AdminWordPolicyScreen = lazy(async () => ({
  default: (await import('./containers/AdminWordPolicyScreen')).AdminWordPolicyScreen,
}));

/** Admin → Sensitive words, loaded on first visit. */
export function AdminWordPolicyPage() {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<Spinner label={t('common.loading')} />}>
      <AdminWordPolicyScreen />
    </Suspense>
  );
}

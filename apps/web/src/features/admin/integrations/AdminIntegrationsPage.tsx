import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../../ui/Spinner';

// Loaded when an admin opens the page: it stays out of the first-load JavaScript.
const AdminIntegrationsScreen = lazy(async () => ({
  default: (await import('./containers/AdminIntegrationsScreen')).AdminIntegrationsScreen,
}));

/** Admin → Integrations, loaded on first visit. */
export function AdminIntegrationsPage() {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<Spinner label={t('common.loading')} />}>
      <AdminIntegrationsScreen />
    </Suspense>
  );
}

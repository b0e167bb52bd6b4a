import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../../ui/Spinner';

// Loaded when an admin opens the page: it stays out of the first-load JavaScript.
const AdminComplianceScreen = lazy(async () => ({
  default: (await import('./containers/AdminComplianceScreen')).AdminComplianceScreen,
}));

/** Admin → Compliance, loaded on first visit. */
export function AdminCompliancePage() {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<Spinner label={t('common.loading')} />}>
      <AdminComplianceScreen />
    </Suspense>
  );
}

import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Spinner } from '../../../ui/Spinner';

// Loaded when someone opens the page; the in-browser proof check inside it loads later still (it needs libsodium).
const AdminAuditScreen = lazy(async () => ({
  default: (await import('./containers/AdminAuditScreen')).AdminAuditScreen,
}));

/** Admin → Audit log (admins and auditors), loaded on first visit. */
export function AdminAuditPage() {
  const { t } = useTranslation();
  return (
    <Suspense fallback={<Spinner label={t('common.loading')} />}>
      <AdminAuditScreen />
    </Suspense>
  );
}

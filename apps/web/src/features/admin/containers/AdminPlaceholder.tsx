import { useTranslation } from 'react-i18next';
import { Placeholder } from '../../../ui/Placeholder';
import { ShieldIcon } from '../../../ui/icons';
import type { AdminSection } from '../sections';

export function AdminPlaceholder({
  section,
}: {
  section: Exclude<AdminSection, 'users' | 'org' | 'import' | 'messaging' | 'policy' | 'audit' | 'compliance'>;
}) {
  const { t } = useTranslation();
  return (
    <Placeholder
      icon={<ShieldIcon />}
      title={t(`admin.${section}.title`)}
      description={t(`admin.${section}.description`)}
      badge={t('admin.comingSoon')}
    />
  );
}

import { useTranslation } from 'react-i18next';
import { Placeholder } from '../../../ui/Placeholder';
import { ContactsIcon } from '../../../ui/icons';

export function DirectoryPage() {
  const { t } = useTranslation();
  return <Placeholder icon={<ContactsIcon />} title={t('directory.title')} description={t('directory.description')} />;
}

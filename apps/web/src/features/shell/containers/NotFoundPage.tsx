import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Placeholder } from '../../../ui/Placeholder';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="stack-center">
      <Placeholder title={t('app.notFound')} description={t('app.notFoundDescription')} />
      <Link to="/chats" className="btn btn--secondary">
        {t('app.goHome')}
      </Link>
    </div>
  );
}

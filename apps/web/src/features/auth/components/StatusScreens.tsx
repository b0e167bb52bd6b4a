import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { Spinner } from '../../../ui/Spinner';
import { Logo } from '../../../ui/icons';

export function LoadingScreen() {
  const { t } = useTranslation();
  return (
    <div className="fullscreen-center">
      <Logo size={48} />
      <Spinner label={t('common.loading')} />
    </div>
  );
}

export function LoadFailedScreen({ message, onRetry }: { message: string; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="fullscreen-center" role="alert">
      <Logo size={48} />
      <h1 className="fullscreen-center__title">{t('app.loadFailed')}</h1>
      <p className="fullscreen-center__text">{message}</p>
      <p className="fullscreen-center__text">{t('app.loadFailedDescription')}</p>
      <Button variant="primary" onClick={onRetry}>
        {t('common.retry')}
      </Button>
    </div>
  );
}

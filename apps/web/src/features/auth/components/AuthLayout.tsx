import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Logo, LockIcon, BuildingIcon, ChatIcon } from '../../../ui/icons';

export interface AuthLayoutProps {
  languageSwitch: ReactNode;
  children: ReactNode;
}

/** Brand panel on the left, the form card on the right; the panel folds away on narrow screens. */
export function AuthLayout({ languageSwitch, children }: AuthLayoutProps) {
  const { t } = useTranslation();
  return (
    <div className="auth">
      <aside className="auth__brand">
        <div className="auth__brand-head">
          <Logo size={40} />
          <span className="auth__brand-name">{t('common.appName')}</span>
        </div>
        <div className="auth__brand-body">
          <p className="auth__tagline">{t('brand.tagline')}</p>
          <ul className="auth__points">
            <li>
              <LockIcon />
              {t('brand.point1')}
            </li>
            <li>
              <BuildingIcon />
              {t('brand.point2')}
            </li>
            <li>
              <ChatIcon />
              {t('brand.point3')}
            </li>
          </ul>
        </div>
        <p className="auth__brand-foot">{t('brand.selfHosted')}</p>
      </aside>
      <main className="auth__main">
        <div className="auth__toolbar">{languageSwitch}</div>
        <div className="auth__card">
          <div className="auth__compact-brand" aria-hidden="true">
            <Logo size={32} />
            <span>{t('common.appName')}</span>
          </div>
          {children}
        </div>
      </main>
    </div>
  );
}

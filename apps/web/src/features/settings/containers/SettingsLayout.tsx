import { NavLink, Outlet } from 'react-router';
import { useTranslation } from 'react-i18next';

export function SettingsLayout() {
  const { t } = useTranslation();
  const tabs = [
    { to: 'profile', label: t('settings.profileTab') },
    { to: 'security', label: t('settings.securityTab') },
    { to: 'sessions', label: t('settings.sessionsTab') },
    { to: 'tokens', label: t('settings.tokensTab') },
  ];
  return (
    <div className="section-layout">
      <nav className="subnav" aria-label={t('settings.nav')}>
        <p className="subnav__title">{t('settings.title')}</p>
        <ul>
          {tabs.map((tab) => (
            <li key={tab.to}>
              <NavLink to={tab.to} className={({ isActive }) => (isActive ? 'subnav__link is-active' : 'subnav__link')}>
                {tab.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="section-layout__content">
        <Outlet />
      </div>
    </div>
  );
}

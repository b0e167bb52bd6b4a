import { NavLink, Outlet } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Placeholder } from '../../../ui/Placeholder';
import { ShieldIcon } from '../../../ui/icons';
import { useSignedInAuth } from '../../auth';
import { ADMIN_SECTIONS } from '../sections';

export function AdminLayout() {
  const { t } = useTranslation();
  const { user } = useSignedInAuth();
  if (user.role !== 'admin') {
    return <Placeholder icon={<ShieldIcon />} title={t('admin.title')} description={t('errors.FORBIDDEN')} />;
  }
  return (
    <div className="section-layout">
      <nav className="subnav" aria-label={t('admin.nav')}>
        <p className="subnav__title">{t('admin.title')}</p>
        <ul>
          {ADMIN_SECTIONS.map((section) => (
            <li key={section}>
              <NavLink
                to={section}
                className={({ isActive }) => (isActive ? 'subnav__link is-active' : 'subnav__link')}
              >
                {t(`admin.${section}.title`)}
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

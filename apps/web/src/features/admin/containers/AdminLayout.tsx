import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Placeholder } from '../../../ui/Placeholder';
import { ShieldIcon } from '../../../ui/icons';
import { useSignedInAuth } from '../../auth';
import { adminSectionsFor, ADMIN_SECTIONS, type AdminSection } from '../sections';

/** The section a path under /admin names, or null for /admin itself (and paths that name no section). */
function sectionOf(pathname: string): AdminSection | null {
  const segment = pathname.split('/admin/')[1]?.split('/')[0] ?? '';
  return ADMIN_SECTIONS.find((section) => section === segment) ?? null;
}

export function AdminLayout() {
  const { t } = useTranslation();
  const { user } = useSignedInAuth();
  const { pathname } = useLocation();
  const sections = adminSectionsFor(user.role);
  const first = sections[0];
  if (!first) {
    return <Placeholder icon={<ShieldIcon />} title={t('admin.title')} description={t('errors.FORBIDDEN')} />;
  }
  const section = sectionOf(pathname);
  // Admins land on the users list (the index route); other readers on their first section.
  if (section === null && user.role !== 'admin') return <Navigate to={first} replace />;
  const allowed = section === null || sections.includes(section);
  return (
    <div className="section-layout">
      <nav className="subnav" aria-label={t('admin.nav')}>
        <p className="subnav__title">{t('admin.title')}</p>
        <ul>
          {sections.map((item) => (
            <li key={item}>
              <NavLink to={item} className={({ isActive }) => (isActive ? 'subnav__link is-active' : 'subnav__link')}>
                {t(`admin.${item}.title`)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="section-layout__content">
        {allowed ? (
          <Outlet />
        ) : (
          <Placeholder icon={<ShieldIcon />} title={t(`admin.${section}.title`)} description={t('errors.FORBIDDEN')} />
        )}
      </div>
    </div>
  );
}

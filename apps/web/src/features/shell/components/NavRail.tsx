import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Logo } from '../../../ui/icons';

export interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
}

export interface NavRailProps {
  items: NavItem[];
  footerItems: NavItem[];
  footer: ReactNode;
}

/** The left rail of the app frame (a bottom tab bar on phones). */
export function NavRail({ items, footerItems, footer }: NavRailProps) {
  const { t } = useTranslation();
  const link = (item: NavItem) => (
    <li key={item.to}>
      <NavLink to={item.to} className={({ isActive }) => (isActive ? 'rail__link is-active' : 'rail__link')}>
        <span className="rail__icon">{item.icon}</span>
        <span className="rail__label">{item.label}</span>
      </NavLink>
    </li>
  );
  return (
    <nav className="rail" aria-label={t('nav.main')}>
      <div className="rail__logo" aria-hidden="true">
        <Logo size={36} />
      </div>
      <ul className="rail__list">{items.map(link)}</ul>
      <ul className="rail__list rail__list--footer">{footerItems.map(link)}</ul>
      <div className="rail__footer">{footer}</div>
    </nav>
  );
}

import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserDto } from '@miyu/protocol';
import { SignOutIcon } from '../../../ui/icons';
import { initials } from '../../../lib/format';

export interface UserMenuProps {
  user: UserDto;
  signingOut: boolean;
  onSignOut: () => void;
  /** Signs out and deletes this device's keys and history (offered once the chat client runs). */
  onSignOutAndForget?: () => void;
}

/** The avatar at the bottom of the rail: who is signed in, and the way out. */
export function UserMenu({ user, signingOut, onSignOut, onSignOutAndForget }: UserMenuProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !rootRef.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        type="button"
        className="avatar avatar--button"
        aria-label={t('nav.account', { name: user.displayName })}
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
      >
        {initials(user.displayName)}
      </button>
      {open ? (
        <div className="user-menu__popover" id={menuId}>
          <div className="user-menu__who">
            <span className="avatar" aria-hidden="true">
              {initials(user.displayName)}
            </span>
            <div>
              <p className="user-menu__name">{user.displayName}</p>
              <p className="user-menu__login">{user.login}</p>
            </div>
          </div>
          <button type="button" className="user-menu__item" onClick={onSignOut} disabled={signingOut}>
            <SignOutIcon width={18} height={18} />
            {signingOut ? t('nav.signingOut') : t('nav.signOut')}
          </button>
          {onSignOutAndForget ? (
            <button
              type="button"
              className="user-menu__item"
              onClick={() => {
                setOpen(false);
                onSignOutAndForget();
              }}
              disabled={signingOut}
            >
              <SignOutIcon width={18} height={18} />
              {t('nav.signOutAndForget')}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

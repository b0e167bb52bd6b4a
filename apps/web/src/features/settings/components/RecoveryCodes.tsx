import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';

export interface RecoveryCodesProps {
  codes: string[];
  onDone: () => void;
}

/** Shown exactly once, right after enrolment: "Done" waits until the user says they saved them. */
export function RecoveryCodes({ codes, onDone }: RecoveryCodesProps) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  return (
    <div className="recovery">
      <h3 className="card__subtitle">{t('totp.recoveryTitle')}</h3>
      <p className="card__text">{t('totp.recoveryDescription')}</p>
      <ul className="recovery__codes" aria-label={t('totp.recoveryList')}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <label className="checkbox">
        <input type="checkbox" checked={saved} onChange={(event) => setSaved(event.target.checked)} />
        <span>{t('totp.savedCheck')}</span>
      </label>
      <div className="form__actions">
        <Button variant="primary" disabled={!saved} onClick={onDone}>
          {t('totp.done')}
        </Button>
      </div>
    </div>
  );
}

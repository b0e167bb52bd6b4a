import { useTranslation } from 'react-i18next';
import type { SafetyNumber } from '@miyu/crypto';
import { useQrDataUrl } from '../../../lib/useQrDataUrl';
import { Button } from '../../../ui/Button';
import { Modal } from '../../../ui/Modal';
import type { Verification } from '../engine/verification';

export interface SafetyNumberDialogProps {
  name: string;
  number: SafetyNumber;
  verification: Verification;
  busy: boolean;
  onVerify: (verified: boolean) => void;
  onClose: () => void;
}

/**
 * The safety number with a contact: 60 digits in twelve groups and a QR code. When both screens show the same
 * number, nobody (the server included) is in the middle; the user then marks the contact verified.
 */
export function SafetyNumberDialog({ name, number, verification, busy, onVerify, onClose }: SafetyNumberDialogProps) {
  const { t } = useTranslation();
  const qr = useQrDataUrl(number.qrText);
  return (
    <Modal
      title={t('chats.safety.title', { name })}
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            {t('common.close')}
          </Button>
          {verification === 'verified' ? (
            <Button disabled={busy} onClick={() => onVerify(false)}>
              {t('chats.safety.unverify')}
            </Button>
          ) : (
            <Button variant="primary" disabled={busy} onClick={() => onVerify(true)}>
              {t('chats.safety.verify')}
            </Button>
          )}
        </>
      }
    >
      {verification === 'changed' ? (
        <p className="field__error" role="alert">
          {t('chats.safety.changed', { name })}
        </p>
      ) : null}
      <p className="card__text">{t('chats.safety.explain', { name })}</p>
      <p className="safety-number" aria-label={t('chats.safety.digits')}>
        {number.groups.map((group, i) => (
          <span key={i}>{group}</span>
        ))}
      </p>
      {qr ? <img className="safety-qr" src={qr} alt={t('chats.safety.qr', { name })} width={184} height={184} /> : null}
      <p className="card__text" role="status">
        {verification === 'verified' ? t('chats.safety.isVerified', { name }) : t('chats.safety.notVerified')}
      </p>
    </Modal>
  );
}

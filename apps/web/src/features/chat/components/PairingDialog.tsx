import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { Modal } from '../../../ui/Modal';
import type { PairingView } from '../engine/pairing';

export interface PairingDialogProps {
  view: PairingView;
  busy: boolean;
  onAccept: () => void;
  onConfirm: () => void;
  /** Codes differ, decline, or close. */
  onCancel: () => void;
}

/**
 * Device pairing on either device: the new one waits for a signed-in device; the signed-in one is asked to
 * accept; both then show the same six digits, which the user compares and confirms on both screens.
 */
export function PairingDialog({ view, busy, onAccept, onConfirm, onCancel }: PairingDialogProps) {
  const { t } = useTranslation();
  const title = view.role === 'new-device' ? t('chats.pairing.newTitle') : t('chats.pairing.existingTitle');
  const close = (
    <Button variant="ghost" onClick={onCancel}>
      {view.status === 'done' || view.status === 'failed' ? t('common.close') : t('common.cancel')}
    </Button>
  );
  let body: ReactNode;
  let footer: ReactNode = close;
  switch (view.status) {
    case 'waiting-for-device':
      body = <p className="card__text">{t('chats.pairing.waitingForDevice')}</p>;
      break;
    case 'offered':
      body = (
        <p className="card__text">
          {t('chats.pairing.offered', { name: view.role === 'existing-device' ? (view.peerName ?? '') : '' })}
        </p>
      );
      footer = (
        <>
          {close}
          <Button variant="primary" disabled={busy} onClick={onAccept}>
            {t('chats.pairing.accept')}
          </Button>
        </>
      );
      break;
    case 'compare':
      body = (
        <>
          <p className="card__text">{t('chats.pairing.compare')}</p>
          <p className="pairing-code" aria-label={t('chats.pairing.codeLabel')}>
            {view.sas}
          </p>
        </>
      );
      footer = (
        <>
          <Button variant="ghost" onClick={onCancel}>
            {t('chats.pairing.mismatch')}
          </Button>
          <Button variant="primary" disabled={busy} onClick={onConfirm}>
            {t('chats.pairing.match')}
          </Button>
        </>
      );
      break;
    case 'waiting-for-peer':
      body = <p className="card__text">{t('chats.pairing.waitingForPeer')}</p>;
      break;
    case 'done':
      body = (
        <p className="card__text" role="status">
          {view.role === 'new-device' ? t('chats.pairing.doneNew') : t('chats.pairing.doneExisting')}
        </p>
      );
      break;
    case 'failed':
      body = (
        <p className="field__error" role="alert">
          {t('chats.pairing.failed')}
        </p>
      );
      break;
  }
  return (
    <Modal title={title} onClose={onCancel} footer={footer}>
      {body}
    </Modal>
  );
}

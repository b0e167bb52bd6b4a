import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { FormDialog } from '../../../ui/FormDialog';
import { Modal } from '../../../ui/Modal';

/** First device: the recovery key; "Done" needs the "I have saved it" check (closing shows it again later). */
export function RecoveryKeyDialog({
  words,
  onSaved,
  onClose,
}: {
  words: string;
  onSaved: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  const list = words.split(' ');
  return (
    <Modal
      title={t('chats.history.newKeyTitle')}
      onClose={onClose}
      footer={
        <Button variant="primary" disabled={!saved} onClick={onSaved}>
          {t('chats.history.done')}
        </Button>
      }
    >
      <p className="card__text">{t('chats.history.newKeyText')}</p>
      <ol className="recovery-words" aria-label={t('chats.history.wordsLabel')}>
        {list.map((word, i) => (
          <li key={i}>{word}</li>
        ))}
      </ol>
      <div className="recovery-actions">
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            void navigator.clipboard?.writeText(words).then(() => setCopied(true));
          }}
        >
          {copied ? t('chats.history.copied') : t('chats.history.copy')}
        </Button>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={saved} onChange={(event) => setSaved(event.target.checked)} />
        <span>{t('chats.history.savedCheck')}</span>
      </label>
    </Modal>
  );
}

/** A later device: restore history with the recovery key, or skip (new messages work without it). */
export function RestoreHistoryDialog({
  busy,
  error,
  onRestore,
  onPair,
  onSkip,
  onCancel,
}: {
  busy: boolean;
  error: string | null;
  onRestore: (words: string) => void;
  /** Get the History Key from a signed-in device instead. */
  onPair: () => void;
  /** Not now: hides the notice for this session. */
  onSkip: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [words, setWords] = useState('');
  return (
    <FormDialog
      title={t('chats.history.restoreTitle')}
      error={error}
      submitLabel={busy ? t('chats.history.restoring') : t('chats.history.restore')}
      submitDisabled={busy || words.trim() === ''}
      onSubmit={() => onRestore(words.trim().toLowerCase().split(/\s+/).join(' '))}
      onCancel={onCancel}
    >
      <p className="card__text">{t('chats.history.restoreText')}</p>
      <div className="recovery-actions">
        <Button variant="secondary" onClick={onPair}>
          {t('chats.pairing.start')}
        </Button>
        <p className="field__help">{t('chats.pairing.startHelp')}</p>
      </div>
      <label className="field">
        <span className="field__label">{t('chats.history.restoreLabel')}</span>
        <textarea
          className="input recovery-input"
          rows={4}
          autoComplete="off"
          spellCheck={false}
          value={words}
          onChange={(event) => setWords(event.target.value)}
        />
      </label>
      <Button variant="link" onClick={onSkip}>
        {t('chats.history.skip')}
      </Button>
    </FormDialog>
  );
}

import { useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';

/** The longest text body libs/crypto encodes (content.ts MAX_BODY_LENGTH). */
export const MAX_MESSAGE_LENGTH = 32_000;

export interface ComposerProps {
  /** Whom the message goes to, for the placeholder. */
  recipientName: string;
  onSend: (text: string) => void;
  /** Files chosen, pasted (images) or dropped on the composer. */
  onFiles?: (files: File[]) => void;
  /** The user started or stopped typing (for the typing indicator others see). */
  onTyping?: (typing: boolean) => void;
  disabled?: boolean;
}

/**
 * Multiline input: Enter sends, Shift+Enter adds a line. An IME composition (pinyin input) is never sent by the
 * Enter that confirms a candidate. Text over the limit is refused before sending, and nothing typed is lost.
 */
export function Composer({ recipientName, onSend, onFiles, onTyping, disabled = false }: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const tooLong = text.length > MAX_MESSAGE_LENGTH;
  const empty = text.trim() === '';

  const send = () => {
    if (empty || tooLong || disabled) return;
    onSend(text);
    setText('');
    onTyping?.(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    send();
  };

  return (
    <form
      className={dragging ? 'composer is-dragging' : 'composer'}
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
      onDragOver={(event) => {
        if (!onFiles || !event.dataTransfer.types.includes('Files')) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        setDragging(false);
        if (!onFiles || event.dataTransfer.files.length === 0) return;
        event.preventDefault();
        onFiles([...event.dataTransfer.files]);
      }}
    >
      <textarea
        className="composer__input"
        aria-label={t('chats.composer.label')}
        aria-invalid={tooLong || undefined}
        aria-describedby={tooLong ? 'composer-error' : undefined}
        placeholder={t('chats.composer.placeholder', { name: recipientName })}
        rows={3}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          onTyping?.(event.target.value.trim() !== '');
        }}
        onBlur={() => onTyping?.(false)}
        onKeyDown={onKeyDown}
        onPaste={(event) => {
          // Pasted images (screenshots) are sent as files; pasted text stays text.
          const files = [...event.clipboardData.files];
          if (!onFiles || files.length === 0) return;
          event.preventDefault();
          onFiles(files);
        }}
      />
      <div className="composer__bar">
        {tooLong ? (
          <p className="field__error" id="composer-error" role="alert">
            {t('chats.composer.tooLong', { max: MAX_MESSAGE_LENGTH })}
          </p>
        ) : (
          <span />
        )}
        {onFiles ? (
          <>
            <input
              ref={picker}
              type="file"
              multiple
              hidden
              aria-label={t('chats.files.choose')}
              onChange={(event) => {
                const files = [...(event.target.files ?? [])];
                event.target.value = '';
                if (files.length > 0) onFiles(files);
              }}
            />
            <Button variant="ghost" onClick={() => picker.current?.click()}>
              {t('chats.files.attach')}
            </Button>
          </>
        ) : null}
        <Button type="submit" variant="primary" disabled={empty || tooLong || disabled}>
          {t('chats.composer.send')}
        </Button>
      </div>
    </form>
  );
}

import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';

/** The longest text body libs/crypto encodes (content.ts MAX_BODY_LENGTH). */
export const MAX_MESSAGE_LENGTH = 32_000;

export interface ComposerProps {
  /** Whom the message goes to, for the placeholder. */
  recipientName: string;
  onSend: (text: string) => void;
  disabled?: boolean;
}

/**
 * Multiline input: Enter sends, Shift+Enter adds a line. An IME composition (pinyin input) is never sent by the
 * Enter that confirms a candidate. Text over the limit is refused before sending, and nothing typed is lost.
 */
export function Composer({ recipientName, onSend, disabled = false }: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const tooLong = text.length > MAX_MESSAGE_LENGTH;
  const empty = text.trim() === '';

  const send = () => {
    if (empty || tooLong || disabled) return;
    onSend(text);
    setText('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    send();
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
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
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="composer__bar">
        {tooLong ? (
          <p className="field__error" id="composer-error" role="alert">
            {t('chats.composer.tooLong', { max: MAX_MESSAGE_LENGTH })}
          </p>
        ) : (
          <span />
        )}
        <Button type="submit" variant="primary" disabled={empty || tooLong || disabled}>
          {t('chats.composer.send')}
        </Button>
      </div>
    </form>
  );
}

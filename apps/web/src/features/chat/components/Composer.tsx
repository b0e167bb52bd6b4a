import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Mention } from '@miyu/crypto';
import { Button } from '../../../ui/Button';
import { ALL, collectMentions, insertMention, type Mentionable, mentionQuery } from './mentions';
import { LegalHoldBadge } from '../../compliance';

/** The emoji offered by the composer's picker (the system font draws them). */
export const EMOJI = [
  '😀',
  '😄',
  '😂',
  '🙂',
  '😉',
  '😍',
  '🤔',
  '😅',
  '😭',
  '😡',
  '😴',
  '🤝',
  '👍',
  '👎',
  '👏',
  '🙏',
  '💪',
  '👌',
  '✌️',
  '🎉',
  '❤️',
  '🔥',
  '✅',
  '❌',
  '⭐',
  '☕',
  '🍵',
  '🌹',
  '📌',
  '📎',
  '📅',
  '⏰',
  '🚀',
  '💡',
  '⚠️',
  '❓',
];

/** The longest text body libs/crypto encodes (content.ts MAX_BODY_LENGTH). */
export const MAX_MESSAGE_LENGTH = 32_000;

export interface ComposerSend {
  text: string;
  mentions: Mention[];
  mentionsAll: boolean;
}

export interface ComposerProps {
  /** Whom the message goes to, for the placeholder. */
  recipientName: string;
  /** Resolving to false keeps the text in the box (e.g. the word policy refused it, or the writer did not confirm). */
  onSend: (message: ComposerSend) => void | Promise<boolean>;
  /** Files chosen, pasted (images) or dropped on the composer. */
  onFiles?: (files: File[]) => void;
  /** The user started or stopped typing (for the typing indicator others see). */
  onTyping?: (typing: boolean) => void;
  /** People who can be @mentioned (the conversation's other members). */
  members?: readonly Mentionable[];
  /** People under legal hold (marked in the @mention suggestions). */
  heldUserIds?: ReadonlySet<string>;
  /** Whether @all is offered (small groups, or owners and admins of big ones). */
  allowMentionAll?: boolean;
  /** Replying to a message: shown above the input, with a way to cancel. */
  replyingTo?: { name: string; preview: string } | null;
  onCancelReply?: () => void;
  /** Editing one of the user's messages: the input starts with its text. */
  editing?: { text: string } | null;
  onCancelEdit?: () => void;
  disabled?: boolean;
}

/**
 * Multiline input: Enter sends, Shift+Enter adds a line. An IME composition (pinyin input) is never sent by the
 * Enter that confirms a candidate. Typing "@" offers the members (and @all where allowed), chosen with the
 * arrows and Enter. Text over the limit is refused before sending, and nothing typed is lost.
 */
export function Composer({
  recipientName,
  onSend,
  onFiles,
  onTyping,
  members = [],
  heldUserIds,
  allowMentionAll = false,
  replyingTo = null,
  onCancelReply,
  editing = null,
  onCancelEdit,
  disabled = false,
}: ComposerProps) {
  const { t } = useTranslation();
  const listId = useId();
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [picked, setPicked] = useState<Mentionable[]>([]);
  const [active, setActive] = useState(0);
  /** Where the "@" was whose suggestions the user closed with Escape. */
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const tooLong = text.length > MAX_MESSAGE_LENGTH;
  const empty = text.trim() === '';
  const allLabel = t('chats.mention.all');

  useEffect(() => {
    if (!editing) return;
    setText(editing.text);
    input.current?.focus();
  }, [editing]);

  const query = mentionQuery(text, caret);
  const candidates: Mentionable[] = query
    ? [
        ...(allowMentionAll ? [{ userId: ALL, name: allLabel }] : []),
        ...members.filter((m) => m.name.toLowerCase().includes(query.query.toLowerCase())),
      ]
        .filter((m) => m.userId !== ALL || allLabel.includes(query.query) || 'all'.includes(query.query.toLowerCase()))
        .slice(0, 8)
    : [];
  const open = candidates.length > 0 && query?.start !== dismissed;

  const choose = (person: Mentionable) => {
    if (!query) return;
    const next = insertMention(text, query.start, caret, person.name);
    setText(next.text);
    setCaret(next.caret);
    setPicked((list) => (list.some((p) => p.userId === person.userId) ? list : [...list, person]));
    requestAnimationFrame(() => input.current?.setSelectionRange(next.caret, next.caret));
  };

  const insertEmoji = (emoji: string) => {
    const at = input.current?.selectionStart ?? text.length;
    const next = text.slice(0, at) + emoji + text.slice(at);
    setText(next);
    setEmojiOpen(false);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(at + emoji.length, at + emoji.length);
    });
  };

  const send = async () => {
    if (empty || tooLong || disabled) return;
    if ((await onSend({ text, ...collectMentions(text, picked, allLabel) })) === false) return;
    setText('');
    setPicked([]);
    onTyping?.(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const composing = event.nativeEvent.isComposing || event.keyCode === 229;
    if (open && !composing) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive((i) => (i + step + candidates.length) % candidates.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        choose(candidates[Math.min(active, candidates.length - 1)]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setDismissed(query?.start ?? null);
        return;
      }
    }
    if (event.key === 'Escape' && editing) onCancelEdit?.();
    if (event.key !== 'Enter' || event.shiftKey || composing) return;
    event.preventDefault();
    void send();
  };

  return (
    <form
      className={dragging ? 'composer is-dragging' : 'composer'}
      onSubmit={(event) => {
        event.preventDefault();
        void send();
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
      {replyingTo ? (
        <div className="composer__context">
          <span>{t('chats.reply.to', { name: replyingTo.name, preview: replyingTo.preview })}</span>
          <Button size="sm" variant="ghost" onClick={onCancelReply}>
            {t('chats.reply.cancel')}
          </Button>
        </div>
      ) : null}
      {editing ? (
        <div className="composer__context">
          <span>{t('chats.edit.editing')}</span>
          <Button size="sm" variant="ghost" onClick={onCancelEdit}>
            {t('chats.edit.cancel')}
          </Button>
        </div>
      ) : null}
      {emojiOpen ? (
        <div className="emoji-picker" role="group" aria-label={t('chats.emoji.label')}>
          {EMOJI.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="emoji-picker__item"
              aria-label={t('chats.emoji.insert', { emoji })}
              onClick={() => insertEmoji(emoji)}
            >
              {emoji}
            </button>
          ))}
        </div>
      ) : null}
      {open ? (
        <ul className="mention-list" id={listId} role="listbox" aria-label={t('chats.mention.label')}>
          {candidates.map((person, i) => (
            <li
              key={person.userId}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'mention-list__item is-active' : 'mention-list__item'}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(person);
              }}
            >
              @{person.name}
              {heldUserIds?.has(person.userId) ? <LegalHoldBadge /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <textarea
        ref={input}
        className="composer__input"
        aria-label={t('chats.composer.label')}
        aria-invalid={tooLong || undefined}
        aria-describedby={tooLong ? 'composer-error' : undefined}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        placeholder={t('chats.composer.placeholder', { name: recipientName })}
        rows={3}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setCaret(event.target.selectionStart);
          setActive(0);
          onTyping?.(event.target.value.trim() !== '');
        }}
        onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
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
        <Button variant="ghost" aria-expanded={emojiOpen} onClick={() => setEmojiOpen(!emojiOpen)}>
          {t('chats.emoji.open')}
        </Button>
        {onFiles && !editing ? (
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
          {editing ? t('chats.edit.save') : t('chats.composer.send')}
        </Button>
      </div>
    </form>
  );
}

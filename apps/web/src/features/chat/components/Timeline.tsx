import { useLayoutEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { initials } from '../../../lib/format';
import type { AttachmentRef, MessageRef } from '@miyu/crypto';
import { segments } from './mentions';

/** What a reply shows of the message it answers (null: not loaded on this device, or unknown). */
type Quote = { senderUserId: string; text: string | null } | null;
import type { PendingMessage } from '../engine/chatEngine';
import type { ReceiptCounts } from '../hooks/useReceipts';
import { AttachmentView, formatBytes } from './AttachmentView';
import type { StoredMessage } from '../engine/deviceStore';
import { systemText } from './messageText';
import { clock, dayLabel } from './time';
import { useReportSeen } from '../hooks/useReportSeen';
import { buildRows, type TimelineRow } from './timelineModel';

export interface TimelineProps {
  items: readonly StoredMessage[];
  pending: readonly PendingMessage[];
  currentUserId: string;
  nameOf: (userId: string) => string;
  /** Senders that are bots (incoming webhooks): their messages get the integration badge. */
  isBot?: (userId: string | null) => boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (clientMsgId: string) => void;
  /** A message to scroll to and outline (search result, first unread). */
  focusSeq?: number | null;
  onReact?: (message: StoredMessage, emoji: string, remove: boolean) => void;
  /** Offered on the user's own messages (the server decides whether the recall window allows it). */
  onRecall?: (message: StoredMessage) => void;
  /** Downloads and decrypts a file of a message. */
  onOpenAttachment?: (ref: AttachmentRef) => Promise<Blob>;
  onReply?: (message: StoredMessage) => void;
  /** Offered on the user's own text messages. */
  onEdit?: (message: StoredMessage) => void;
  /** Read/delivered counts of the user's own messages, and whether this is a direct chat (ticks) or a group (ring). */
  receipts?: ReceiptCounts;
  direct?: boolean;
  onOpenReceipts?: (message: StoredMessage) => void;
  /** The newest message actually shown to the reader (on screen, window focused): drives read receipts. */
  onSeen?: (seq: number) => void;
}

/** The quick reactions offered on every message. */
export const QUICK_REACTIONS = ['👍', '❤️', '😄', '🎉', '👌'] as const;

/**
 * A conversation's messages, oldest first: day separators, sender groups, system events, folded edits,
 * reactions and recalls, placeholders for what cannot be read (yet), and the user's unsent messages.
 */
export function Timeline({
  items,
  pending,
  currentUserId,
  nameOf,
  isBot,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  onRetry,
  focusSeq = null,
  onReact,
  onRecall,
  onOpenAttachment = noFile,
  onReply,
  onEdit,
  receipts,
  direct = false,
  onOpenReceipts,
  onSeen,
}: TimelineProps) {
  const { t, i18n } = useTranslation();
  const rows = useMemo(() => buildRows(items), [items]);
  const quoteOf = useMemo(() => {
    const byRef = new Map(
      rows.flatMap((r) =>
        r.kind === 'message' && r.message.clientMsgId && r.message.senderUserId
          ? [[`${r.message.senderUserId}/${r.message.clientMsgId}`, r] as const]
          : [],
      ),
    );
    return (ref: MessageRef): Quote => {
      const row = byRef.get(`${ref.senderUserId}/${ref.clientMsgId}`);
      if (!row || row.kind !== 'message') return null;
      return { senderUserId: ref.senderUserId, text: row.recalled ? null : (row.body ?? '') };
    };
  }, [rows]);
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const lastKey = rows.length > 0 ? rows[rows.length - 1]!.key : '';
  useReportSeen(scroller, rows, onSeen);

  // Stay at the newest message while the reader is there; never yank them down while they read older ones.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lastKey, pending.length]);

  const focusLoaded = focusSeq !== null && items.some((m) => m.seq === focusSeq);
  useLayoutEffect(() => {
    if (!focusLoaded) return;
    pinned.current = false;
    scroller.current?.querySelector(`[data-seq="${focusSeq}"]`)?.scrollIntoView?.({ block: 'center' });
  }, [focusSeq, focusLoaded]);

  const name = (userId: string | null) => (userId === currentUserId ? t('chats.you') : userId ? nameOf(userId) : '');

  return (
    <div
      className="timeline"
      ref={scroller}
      onScroll={(event) => {
        const el = event.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        if (el.scrollTop < 80 && hasOlder && !loadingOlder) onLoadOlder();
      }}
    >
      <div className="timeline__start">
        {hasOlder ? (
          <Button size="sm" variant="ghost" disabled={loadingOlder} onClick={onLoadOlder}>
            {loadingOlder ? t('chats.loadingOlder') : t('chats.loadOlder')}
          </Button>
        ) : (
          <p className="timeline__note">{t('chats.beginning')}</p>
        )}
        <p className="timeline__note">{t('chats.e2eNote')}</p>
      </div>
      <ol className="timeline__list" role="log" aria-live="polite" aria-label={t('chats.title')}>
        {rows.map((row) => (
          <Row
            key={row.key}
            row={row}
            mine={rowSender(row) === currentUserId}
            focused={row.kind === 'message' && row.message.seq === focusSeq}
            nameFor={name}
            locale={i18n.language}
            currentUserId={currentUserId}
            onReact={onReact}
            onRecall={onRecall}
            onOpenAttachment={onOpenAttachment}
            onReply={onReply}
            onEdit={onEdit}
            quoteOf={quoteOf}
            receipt={row.kind === 'message' ? receipts?.get(row.message.seq) : undefined}
            direct={direct}
            onOpenReceipts={onOpenReceipts}
            isBot={isBot}
          />
        ))}
        {pending
          // A sent message replaces its pending copy; never show both.
          .filter((p) => !items.some((m) => m.clientMsgId === p.clientMsgId))
          .filter((p) => p.content.type === 'text' || p.content.type === 'attachment')
          .map((p) => (
            <li key={p.clientMsgId} className="message message--mine message--pending">
              <div className="message__bubble">
                {p.content.type === 'text' ? <p className="message__text">{p.content.body}</p> : null}
                {p.upload ? (
                  <div className="attachment">
                    <div className="attachment__row">
                      <span className="attachment__name">{p.upload.name}</span>
                      <span className="attachment__size">{formatBytes(p.upload.size)}</span>
                    </div>
                    <progress
                      className="attachment__progress"
                      max={1}
                      value={p.upload.progress}
                      aria-label={t('chats.files.uploading', { name: p.upload.name })}
                    />
                  </div>
                ) : null}
                {p.content.type === 'attachment' && !p.upload
                  ? p.content.attachments.map((a) => (
                      <p key={a.blobId} className="attachment__name">
                        {a.name}
                      </p>
                    ))
                  : null}
              </div>
              <div className="message__status" role="status">
                {p.state === 'sending' ? (
                  t('chats.message.sending')
                ) : (
                  <>
                    <span className="message__failed">{t('chats.message.failed')}</span>
                    {p.error === 'ESCROW_REQUIRED' || p.error === 'ESCROW_NOT_EXPECTED' ? (
                      <span className="message__failed"> {t(`errors.${p.error}`)}</span>
                    ) : null}
                    <Button size="sm" variant="link" onClick={() => onRetry(p.clientMsgId)}>
                      {t('chats.message.retry')}
                    </Button>
                  </>
                )}
              </div>
            </li>
          ))}
      </ol>
    </div>
  );
}

function rowSender(row: TimelineRow): string | null {
  return row.kind === 'message' ? row.message.senderUserId : null;
}

function Row({
  row,
  mine,
  focused,
  nameFor,
  locale,
  currentUserId,
  onReact,
  onRecall,
  onOpenAttachment,
  onReply,
  onEdit,
  quoteOf,
  receipt,
  direct,
  onOpenReceipts,
  isBot,
}: {
  row: TimelineRow;
  mine: boolean;
  focused: boolean;
  nameFor: (userId: string | null) => string;
  locale: string;
  currentUserId: string;
  onReact?: TimelineProps['onReact'];
  onRecall?: TimelineProps['onRecall'];
  onOpenAttachment: (ref: AttachmentRef) => Promise<Blob>;
  onReply?: TimelineProps['onReply'];
  onEdit?: TimelineProps['onEdit'];
  quoteOf: (ref: MessageRef) => Quote;
  receipt?: { read: number; delivered: number; members: number };
  direct: boolean;
  onOpenReceipts?: TimelineProps['onOpenReceipts'];
  isBot?: TimelineProps['isBot'];
}) {
  const { t } = useTranslation();
  if (row.kind === 'day') {
    return (
      <li className="timeline__day" role="separator">
        <span>{dayLabel(row.iso, locale, t)}</span>
      </li>
    );
  }
  if (row.kind === 'system') {
    return <li className="timeline__system">{systemText(row.message, t, (id) => nameFor(id))}</li>;
  }
  const m = row.message;
  const sender = nameFor(m.senderUserId);
  return (
    <li
      data-seq={m.seq}
      className={`message${mine ? ' message--mine' : ''}${row.continued ? ' message--continued' : ''}${focused ? ' is-focused' : ''}`}
    >
      {row.continued ? null : (
        <div className="message__meta">
          <span className="avatar avatar--sm" aria-hidden="true">
            {initials(sender)}
          </span>
          <span className="message__sender">{sender}</span>
          {isBot?.(m.senderUserId) ? (
            <span className="badge badge--muted" data-testid="bot-badge" title={t('chats.bot.description')}>
              {t('chats.bot.badge')}
              <span className="visually-hidden">{` · ${t('chats.bot.description')}`}</span>
            </span>
          ) : null}
          <time className="message__time" dateTime={m.serverTs}>
            {clock(m.serverTs, locale)}
          </time>
        </div>
      )}
      <div className="message__body">
        <div className="message__bubble">
          <MessageBody
            row={row}
            onOpenAttachment={onOpenAttachment}
            quoteOf={quoteOf}
            nameFor={nameFor}
            currentUserId={currentUserId}
          />
        </div>
        {!row.recalled && !m.problem && (onReact || onRecall) ? (
          <div className="message__actions" role="toolbar" aria-label={t('chats.actions.label', { name: sender })}>
            {onReact
              ? QUICK_REACTIONS.map((emoji) => {
                  const mineAlready = row.reactions.some((r) => r.emoji === emoji && r.userIds.includes(currentUserId));
                  return (
                    <button
                      key={emoji}
                      type="button"
                      className="message__action"
                      aria-pressed={mineAlready}
                      aria-label={t('chats.actions.react', { emoji })}
                      onClick={() => onReact(m, emoji, mineAlready)}
                    >
                      {emoji}
                    </button>
                  );
                })
              : null}
            {onReply ? (
              <button type="button" className="message__action" onClick={() => onReply(m)}>
                {t('chats.reply.action')}
              </button>
            ) : null}
            {onEdit && mine && m.content?.type === 'text' ? (
              <button type="button" className="message__action" onClick={() => onEdit(m)}>
                {t('chats.edit.action')}
              </button>
            ) : null}
            {onRecall && mine ? (
              <button type="button" className="message__action" onClick={() => onRecall(m)}>
                {t('chats.actions.recall')}
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
      {row.escrowWarning && !row.recalled ? (
        <p className="message__escrow-warning" role="note" data-testid="escrow-warning">
          {t(`chats.retention.escrow.${row.escrowWarning}`)}
        </p>
      ) : null}
      {mine && receipt && !row.recalled ? (
        <ReceiptStatus
          receipt={receipt}
          direct={direct}
          onOpen={onOpenReceipts ? () => onOpenReceipts(m) : undefined}
        />
      ) : null}
      {row.reactions.length > 0 ? (
        <ul className="message__reactions" aria-label={t('chats.actions.reactions')}>
          {row.reactions.map((r) => (
            <li key={r.emoji} title={r.userIds.map((id) => nameFor(id)).join(t('chats.system.separator'))}>
              {r.emoji} {r.userIds.length}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function MessageBody({
  row,
  onOpenAttachment,
  quoteOf,
  nameFor,
  currentUserId,
}: {
  row: Extract<TimelineRow, { kind: 'message' }>;
  onOpenAttachment: (ref: AttachmentRef) => Promise<Blob>;
  quoteOf: (ref: MessageRef) => Quote;
  nameFor: (userId: string | null) => string;
  currentUserId: string;
}) {
  const { t } = useTranslation();
  const m = row.message;
  if (row.recalled) return <p className="message__placeholder">{t('chats.message.recalled')}</p>;
  if (m.problem) {
    // A key normally arrives within seconds; after a while "waiting" becomes a failure with its reason.
    const stillWaiting = m.problem === 'waiting-for-key' && Date.now() - Date.parse(m.serverTs) < KEY_WAIT_MS;
    return (
      <p className="message__placeholder" role="note">
        {stillWaiting
          ? t('chats.message.waitingForKey')
          : m.problem === 'waiting-for-key'
            ? t('chats.message.noKey', { code: m.problemCode ?? 'UNKNOWN_SESSION' })
            : t('chats.message.undecryptableReason', { code: m.problemCode ?? 'UNKNOWN' })}
      </p>
    );
  }
  const c = m.content;
  if (!c) return null;
  if (c.type === 'unsupported') return <p className="message__placeholder">{t('chats.message.unsupported')}</p>;
  if (c.type === 'attachment')
    return (
      <ul className="message__files">
        {c.attachments.map((a) => (
          <li key={a.blobId}>
            <AttachmentView file={a} onOpen={onOpenAttachment} />
          </li>
        ))}
        {c.caption ? <li className="message__text">{c.caption}</li> : null}
      </ul>
    );
  const replyTo = c.type === 'text' ? c.replyTo : null;
  const quote = replyTo ? quoteOf(replyTo) : null;
  return (
    <>
      {replyTo ? (
        <blockquote className="message__quote">
          {quote
            ? `${nameFor(quote.senderUserId)}: ${quote.text ?? t('chats.message.recalled')}`
            : t('chats.reply.unavailable')}
        </blockquote>
      ) : null}
      <p className="message__text">
        {m.mentionsAll ? <span className="mention">{t('chats.message.mentionsAll')} </span> : null}
        {segments(row.body ?? '', row.mentions).map((part, i) =>
          part.userId ? (
            <span key={i} className={part.userId === currentUserId ? 'mention mention--me' : 'mention'}>
              {part.text}
            </span>
          ) : (
            part.text
          ),
        )}
        {row.edited ? <span className="message__edited"> ({t('chats.message.edited')})</span> : null}
      </p>
    </>
  );
}

/** How long a message may wait for its key before it is shown as not decryptable, with the reason. */
const KEY_WAIT_MS = 10 * 60_000;

const noFile = (): Promise<Blob> => Promise.reject(new Error('no attachment access'));

/**
 * Under the user's own message: in a direct chat "sent / delivered / read"; in a group how many have not read it
 * yet (a button to the read and unread lists), or "all read".
 */
function ReceiptStatus({
  receipt,
  direct,
  onOpen,
}: {
  receipt: { read: number; delivered: number; members: number };
  direct: boolean;
  onOpen?: () => void;
}) {
  const { t } = useTranslation();
  if (direct) {
    const label =
      receipt.read >= 1
        ? t('chats.receipts.read')
        : receipt.delivered >= 1
          ? t('chats.receipts.delivered')
          : t('chats.receipts.sent');
    return <span className="message__receipt">{label}</span>;
  }
  const unread = receipt.members - receipt.read;
  const label = unread <= 0 ? t('chats.receipts.allRead') : t('chats.receipts.unreadCount', { count: unread });
  return onOpen ? (
    <button type="button" className="message__receipt message__receipt--button" onClick={onOpen}>
      {label}
    </button>
  ) : (
    <span className="message__receipt">{label}</span>
  );
}

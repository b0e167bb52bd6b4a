import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { AttachmentRef } from '@miyu/crypto';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { MENTION_ALL_OPEN_MAX_MEMBERS } from '@miyu/protocol';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { Placeholder } from '../../../ui/Placeholder';
import { Spinner } from '../../../ui/Spinner';
import { ChatIcon } from '../../../ui/icons';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useSignedInAuth } from '../../auth';
import { Composer } from '../components/Composer';
import { ConversationList } from '../components/ConversationList';
import { RecoveryKeyDialog, RestoreHistoryDialog } from '../components/HistorySetupDialog';
import { Timeline } from '../components/Timeline';
import { NewGroupDialog } from '../components/NewGroupDialog';
import { SafetyNumberDialog } from '../components/SafetyNumberDialog';
import { GroupMembersDialog } from '../components/GroupMembersDialog';
import { LegalHoldBadge } from '../../compliance';
import { RetentionNotice } from '../components/RetentionBanner';
import { READ_LIST_PAGE, ReadListDialog } from '../components/ReadListDialog';
import { useReceipts } from '../hooks/useReceipts';
import { ChatSearch } from './ChatSearch';
import { Watermark } from '../components/Watermark';
import type { ChatEngine, ConversationView } from '../engine/chatEngine';
import type { StoredMessage } from '../engine/deviceStore';
import type { AttachmentTooLargeError } from '../engine/attachments';
import type { ContentRefusedError } from '../engine/wordPolicy';
import { formatBytes } from '../components/AttachmentView';
import { ConfirmDialog } from '../../../ui/ConfirmDialog';
import { useChat } from '../hooks/useChat';
import { useMessagingSettings } from '../hooks/useMessagingSettings';
import { useConversationMembers } from '../hooks/useConversationMembers';
import { previewOf } from '../components/messageText';
import { editedBody } from '../components/timelineModel';
import { requestPersistentStorage } from '../engine/indexedDbDeviceStore';
import { usePeopleNames } from '../hooks/usePeople';
import { watermarkText } from '../components/watermarkText';
import { useConversationBots } from '../hooks/useConversationBots';

/** The messenger: conversation list on the left, the open conversation on the right (route /chats/:id). */
export function ChatsScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { user } = useSignedInAuth();
  const { engine, snapshot, error } = useChat();
  const { conversationId = null } = useParams();
  const navigate = useNavigate();

  const conversations = useMemo(() => snapshot?.conversations ?? [], [snapshot?.conversations]);
  const timeline = conversationId ? snapshot?.timelines[conversationId] : undefined;
  const people = useMemo(() => {
    const ids = new Set<string>();
    for (const c of conversations) {
      if (c.peerUserId) ids.add(c.peerUserId);
      if (c.lastMessage?.senderUserId) ids.add(c.lastMessage.senderUserId);
    }
    for (const m of timeline?.items ?? []) {
      if (m.senderUserId) ids.add(m.senderUserId);
      const e = m.system;
      if (e && 'by' in e && e.by) ids.add(e.by);
      if (e && 'userId' in e) ids.add(e.userId);
      if (e && 'userIds' in e) e.userIds.forEach((id) => ids.add(id));
    }
    return [...ids];
  }, [conversations, timeline?.items]);
  const nameOf = usePeopleNames(people);
  const titleOf = (c: ConversationView) => c.name ?? (c.peerUserId ? nameOf(c.peerUserId) : t('chats.directFallback'));
  const open = conversations.find((c) => c.id === conversationId) ?? null;
  const heldUserIds = useHeldUserIds();

  const settings = useMessagingSettings();
  const watermark = watermarkText(user, settings.data);
  const [creating, setCreating] = useState(false);
  const [searching, setSearching] = useState(false);
  const [createBusy, setCreateBusy] = useState(false);
  const [createError, setCreateError] = useState<unknown>(null);

  return (
    <div className="chats">
      <aside className="chats__list">
        <div className="chats__head">
          <h2 className="chats__heading">{t('chats.listHeading')}</h2>
          <Button size="sm" disabled={!engine} onClick={() => setCreating(true)}>
            {t('chats.newGroup.open')}
          </Button>
        </div>
        {engine && snapshot ? <HistorySetup engine={engine} /> : null}
        <NotificationPermission />
        {engine ? <StorageWarning /> : null}
        {snapshot && !snapshot.online && snapshot.phase === 'ready' ? (
          <p className="chats__offline" role="status">
            {t('chats.offline')}
          </p>
        ) : null}
        {engine && snapshot ? (
          <ChatSearch
            engine={engine}
            conversations={conversations}
            titleOf={titleOf}
            nameOf={nameOf}
            onActive={setSearching}
          />
        ) : null}
        {engine && snapshot && searching ? null : engine && snapshot ? (
          <ConversationList
            conversations={conversations}
            selectedId={conversationId}
            currentUserId={user.id}
            nameOf={nameOf}
            titleOf={titleOf}
            onSelect={(id) => void navigate(`/chats/${id}`)}
            presence={snapshot.presence}
            typing={snapshot.typing}
            heldUserIds={heldUserIds}
          />
        ) : error ? (
          <div className="chats__status">
            <Alert tone="error">
              {(error as { code?: string }).code === 'DEVICE_IN_ANOTHER_TAB'
                ? t('chats.otherTab')
                : t('chats.startFailed', { reason: describe(error) })}
            </Alert>
          </div>
        ) : (
          <div className="chats__status">
            <Spinner label={t('chats.starting')} />
          </div>
        )}
      </aside>
      <div className="chats__pane">
        {engine && open ? (
          <Conversation
            key={open.id}
            engine={engine}
            conversation={open}
            title={titleOf(open)}
            currentUserId={user.id}
            nameOf={nameOf}
          />
        ) : (
          <Placeholder icon={<ChatIcon />} title={t('chats.title')} description={t('chats.pickConversation')} />
        )}
        {watermark ? <Watermark text={watermark} /> : null}
      </div>
      {creating && engine ? (
        <NewGroupDialog
          currentUserId={user.id}
          busy={createBusy}
          error={createError ? describe(createError) : null}
          onCancel={() => setCreating(false)}
          onCreate={({ name, memberIds }) => {
            setCreateBusy(true);
            setCreateError(null);
            engine
              .createGroup(name, memberIds)
              .then((c) => {
                setCreating(false);
                void navigate(`/chats/${c.id}`);
              })
              .catch(setCreateError)
              .finally(() => setCreateBusy(false));
          }}
        />
      ) : null}
    </div>
  );
}

function Conversation({
  engine,
  conversation,
  title,
  currentUserId,
  nameOf,
}: {
  engine: ChatEngine;
  conversation: ConversationView;
  title: string;
  currentUserId: string;
  nameOf: (userId: string) => string;
}) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { snapshot } = useChat();
  const isBot = useConversationBots(conversation.id);
  const [failure, setFailure] = useState<unknown>(null);
  const [recalling, setRecalling] = useState<StoredMessage | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [replyingTo, setReplyingTo] = useState<StoredMessage | null>(null);
  const [showSafety, setShowSafety] = useState(false);
  const [readListFor, setReadListFor] = useState<StoredMessage | null>(null);
  const ownSeqs = useMemo(
    () =>
      (snapshot?.timelines[conversation.id]?.items ?? [])
        .filter((m) => m.senderUserId === currentUserId && !m.system)
        .map((m) => m.seq)
        .slice(-50),
    [snapshot?.timelines, conversation.id, currentUserId],
  );
  const receipts = useReceipts(engine, conversation.id, ownSeqs);
  const [showMembers, setShowMembers] = useState(false);
  const [adding, setAdding] = useState(false);
  const [groupBusy, setGroupBusy] = useState(false);
  const [groupError, setGroupError] = useState<unknown>(null);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const memberList = useQuery({
    queryKey: ['chat', 'member-list', conversation.id, conversation.memberCount],
    queryFn: () => engine.members(conversation.id),
    enabled: showMembers,
  });
  /** Runs a group change, then refreshes the member lists shown here. */
  const manage = (change: () => Promise<void>) => {
    setGroupBusy(true);
    setGroupError(null);
    change()
      .then(() => queryClient.invalidateQueries({ queryKey: ['chat'] }))
      .catch(setGroupError)
      .finally(() => setGroupBusy(false));
  };
  const [safety, setSafety] = useState<Awaited<ReturnType<ChatEngine['safetyNumber']>> | null>(null);
  // Recomputed when devices come and go in this conversation (device_added / device_removed entries).
  const deviceEvents = (snapshot?.timelines[conversation.id]?.items ?? []).filter(
    (m) => m.system?.type === 'device_added' || m.system?.type === 'device_removed',
  ).length;
  useEffect(() => {
    if (!conversation.peerUserId) return;
    let live = true;
    engine.safetyNumber(conversation.peerUserId).then(
      (result) => live && setSafety(result),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [engine, conversation.peerUserId, deviceEvents]);
  const [editingMessage, setEditingMessage] = useState<StoredMessage | null>(null);
  const members = useConversationMembers(engine, conversation.id);
  const mentionable = useMemo(
    () => members.filter((id) => id !== currentUserId).map((userId) => ({ userId, name: nameOf(userId) })),
    [members, currentUserId, nameOf],
  );
  const openAttachment = useCallback((ref: AttachmentRef) => engine.openAttachment(ref), [engine]);
  const [recallError, setRecallError] = useState<unknown>(null);
  const [refused, setRefused] = useState<string[] | null>(null);
  const [warning, setWarning] = useState<{ words: string[]; resolve: (send: boolean) => void } | null>(null);
  const [params] = useSearchParams();
  const linked = Number(params.get('seq')) || null;
  // Opened from a search result: that message; otherwise the first unread one when there are unread messages.
  const [focusSeq, setFocusSeq] = useState<number | null>(linked ?? conversation.firstUnreadSeq);
  const timeline = snapshot?.timelines[conversation.id];
  const typers = snapshot?.typing[conversation.id] ?? [];
  const heldUserIds = useHeldUserIds();

  useEffect(() => {
    engine
      .openConversation(conversation.id)
      .then(() => (focusSeq ? engine.reveal(conversation.id, focusSeq) : undefined))
      .catch(setFailure);
  }, [engine, conversation.id, focusSeq]);

  useEffect(() => {
    if (linked) {
      setFocusSeq(linked);
      engine.reveal(conversation.id, linked).catch(setFailure);
    }
  }, [engine, conversation.id, linked]);

  return (
    <section className="conversation" aria-label={title}>
      <header className="conversation__header">
        <h1 className="conversation__title">{title}</h1>
        {conversation.peerUserId && heldUserIds.has(conversation.peerUserId) ? <LegalHoldBadge /> : null}
        {conversation.kind !== 'direct' ? (
          <span className="conversation__sub">{t('chats.members', { count: conversation.memberCount })}</span>
        ) : conversation.peerUserId && snapshot?.presence[conversation.peerUserId] !== undefined ? (
          <span className="conversation__sub">
            {snapshot.presence[conversation.peerUserId] ? t('chats.presence.online') : t('chats.presence.offline')}
          </span>
        ) : null}
        {conversation.kind !== 'direct' ? (
          <Button size="sm" variant="ghost" onClick={() => setShowMembers(true)}>
            {t('chats.members.open', { count: conversation.memberCount })}
          </Button>
        ) : null}
        <Button
          size="sm"
          variant="ghost"
          aria-pressed={conversation.pinned}
          onClick={() => void engine.setConversationPrefs(conversation.id, { pinned: !conversation.pinned })}
        >
          {conversation.pinned ? t('chats.prefs.unpin') : t('chats.prefs.pin')}
        </Button>
        <Button
          size="sm"
          variant="ghost"
          aria-pressed={conversation.muted}
          onClick={() => void engine.setConversationPrefs(conversation.id, { muted: !conversation.muted })}
        >
          {conversation.muted ? t('chats.prefs.unmute') : t('chats.prefs.mute')}
        </Button>
        {conversation.peerUserId ? (
          <Button size="sm" variant="ghost" onClick={() => setShowSafety(true)}>
            {safety?.verification === 'verified' ? t('chats.safety.verifiedBadge') : t('chats.safety.open')}
          </Button>
        ) : null}
        <span className="conversation__typing" aria-live="polite">
          {typers.length > 0
            ? t('chats.typing.who', { names: typers.map(nameOf).join(t('chats.system.separator')) })
            : ''}
        </span>
      </header>
      <RetentionNotice retention={snapshot?.retention.conversations[conversation.id]} />
      {failure ? <Alert tone="error">{describe(failure)}</Alert> : null}
      {safety?.verification === 'changed' ? (
        <div className="conversation__warning">
          <Alert tone="warning">
            {t('chats.safety.changed', { name: title })}{' '}
            <Button size="sm" variant="link" onClick={() => setShowSafety(true)}>
              {t('chats.safety.review')}
            </Button>
          </Alert>
        </div>
      ) : null}
      {showMembers && conversation.kind !== 'direct' ? (
        <GroupMembersDialog
          name={title}
          kind={conversation.kind}
          conversationId={conversation.id}
          members={memberList.data ?? []}
          currentUserId={currentUserId}
          myRole={conversation.myRole}
          nameOf={nameOf}
          heldUserIds={heldUserIds}
          busy={groupBusy}
          error={groupError ? describe(groupError) : null}
          onClose={() => setShowMembers(false)}
          onAdd={() => setAdding(true)}
          onRemove={(userId) => manage(() => engine.removeMember(conversation.id, userId))}
          onRename={(name) => manage(() => engine.renameGroup(conversation.id, name))}
          onRole={(userId, role) => manage(() => engine.setMemberRole(conversation.id, userId, role))}
          onLeave={() =>
            manage(async () => {
              await engine.removeMember(conversation.id, currentUserId);
              void navigate('/chats');
            })
          }
        />
      ) : null}
      {adding ? (
        <NewGroupDialog
          mode="add"
          groupName={title}
          currentUserId={currentUserId}
          exclude={(memberList.data ?? []).map((m) => m.userId)}
          busy={groupBusy}
          error={groupError ? describe(groupError) : null}
          onCancel={() => setAdding(false)}
          onCreate={({ memberIds }) =>
            manage(async () => {
              await engine.addMembers(conversation.id, memberIds);
              setAdding(false);
            })
          }
        />
      ) : null}
      {readListFor && receipts.get(readListFor.seq) ? (
        <ReadListDialog
          counts={receipts.get(readListFor.seq)!}
          load={(state, offset) => engine.receiptList(conversation.id, readListFor.seq, state, READ_LIST_PAGE, offset)}
          onClose={() => setReadListFor(null)}
        />
      ) : null}
      {showSafety && safety && conversation.peerUserId ? (
        <SafetyNumberDialog
          name={title}
          number={safety.number}
          verification={safety.verification}
          busy={false}
          onClose={() => setShowSafety(false)}
          onVerify={(verified) => {
            void engine
              .markVerified(conversation.peerUserId!, verified)
              .then(() => engine.safetyNumber(conversation.peerUserId!))
              .then(setSafety);
          }}
        />
      ) : null}
      <Timeline
        items={timeline?.items ?? []}
        pending={timeline?.pending ?? []}
        currentUserId={currentUserId}
        nameOf={nameOf}
        isBot={isBot}
        hasOlder={timeline?.hasOlder ?? false}
        loadingOlder={timeline?.loadingOlder ?? false}
        onLoadOlder={() => engine.loadOlder(conversation.id).catch(setFailure)}
        onRetry={(clientMsgId) => void engine.retry(conversation.id, clientMsgId)}
        focusSeq={focusSeq}
        receipts={receipts}
        direct={conversation.kind === 'direct'}
        onOpenReceipts={(message) => setReadListFor(message)}
        onSeen={(seq) => void engine.markRead(conversation.id, seq)}
        onReact={(message, emoji, remove) => void engine.react(message, emoji, remove)}
        onRecall={(message) => setRecalling(message)}
        onOpenAttachment={openAttachment}
        onReply={(message) => {
          setEditingMessage(null);
          setReplyingTo(message);
        }}
        onEdit={(message) => {
          setReplyingTo(null);
          setEditingMessage(message);
        }}
      />
      {recalling ? (
        <ConfirmDialog
          title={t('chats.actions.recallTitle')}
          body={recallError ? describe(recallError) : t('chats.actions.recallBody')}
          confirmLabel={t('chats.actions.recall')}
          danger
          busy={false}
          onCancel={() => {
            setRecalling(null);
            setRecallError(null);
          }}
          onConfirm={() => {
            engine
              .recall(recalling)
              .then(() => setRecalling(null))
              .catch(setRecallError);
          }}
        />
      ) : null}
      {fileError ? <Alert tone="error">{fileError}</Alert> : null}
      {refused ? (
        <Alert tone="error">
          <span role="status">{t('chats.policy.blocked', { words: refused.join('、') })}</span>
        </Alert>
      ) : null}
      {warning ? (
        <ConfirmDialog
          title={t('chats.policy.warnTitle')}
          body={t('chats.policy.warnBody', { words: warning.words.join('、') })}
          confirmLabel={t('chats.policy.sendAnyway')}
          onConfirm={() => warning.resolve(true)}
          onCancel={() => warning.resolve(false)}
        />
      ) : null}
      <Composer
        recipientName={title}
        onSend={async ({ text, mentions, mentionsAll }) => {
          setRefused(null);
          // The org's word policy, before anything is encrypted: a block keeps the text here with the words
          // shown; a warning asks first.
          const screening = await engine.screen(text);
          const words = (action: string) => [
            ...new Set(screening.hits.filter((h) => h.action === action).map((h) => h.text)),
          ];
          let confirmed = false;
          if (screening.action !== 'block' && screening.hits.some((h) => h.action === 'warn')) {
            confirmed = await new Promise<boolean>((resolve) => setWarning({ words: words('warn'), resolve }));
            setWarning(null);
            if (!confirmed) return false;
          }
          const sending = editingMessage
            ? engine.edit(editingMessage, text, mentions, confirmed)
            : engine.sendText(conversation.id, text, { mentions, mentionsAll, replyTo: replyingTo, confirmed });
          if (screening.action === 'block') {
            await sending.catch(() => undefined); // refused before anything is sent; the block is filed
            setRefused(words('block'));
            return false;
          }
          void sending.catch((error: unknown) => setRefused(isRefused(error) ? error.words : null));
          if (editingMessage) setEditingMessage(null);
          else setReplyingTo(null);
          return true;
        }}
        members={mentionable}
        heldUserIds={heldUserIds}
        allowMentionAll={
          conversation.kind !== 'direct' &&
          (conversation.memberCount <= MENTION_ALL_OPEN_MAX_MEMBERS || conversation.myRole !== 'member')
        }
        replyingTo={
          replyingTo
            ? {
                name:
                  replyingTo.senderUserId === currentUserId ? t('chats.you') : nameOf(replyingTo.senderUserId ?? ''),
                preview: previewOf(replyingTo, t, nameOf).slice(0, 40),
              }
            : null
        }
        onCancelReply={() => setReplyingTo(null)}
        editing={
          editingMessage?.content?.type === 'text' ? { text: editedBody(editingMessage, timeline?.items ?? []) } : null
        }
        onCancelEdit={() => setEditingMessage(null)}
        onTyping={(typing) => engine.setTyping(conversation.id, typing)}
        onFiles={(files) => {
          setFileError(null);
          engine.sendFiles(conversation.id, files).catch((error: unknown) => {
            if (isTooLarge(error))
              setFileError(t('chats.files.tooLarge', { name: error.fileName, limit: formatBytes(error.maxBytes) }));
            else if (isRefused(error)) setRefused(error.words);
            else setFileError(describe(error));
          });
        }}
      />
    </section>
  );
}

/** People under legal hold, from the org's compliance notice (the marker next to them wherever they appear). */
function useHeldUserIds(): ReadonlySet<string> {
  const { snapshot } = useChat();
  const held = snapshot?.retention.notice?.heldUserIds;
  return useMemo(() => new Set(held ?? []), [held]);
}

/** Asks the browser to keep this device's keys under storage pressure, and says so when it will not. */
function StorageWarning() {
  const { t } = useTranslation();
  const [persisted, setPersisted] = useState<boolean | null>(null);
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => {
    let live = true;
    requestPersistentStorage().then(
      (granted) => live && setPersisted(granted),
      () => live && setPersisted(false),
    );
    return () => {
      live = false;
    };
  }, []);
  if (persisted !== false || dismissed) return null;
  return (
    <div className="chats__setup">
      <Alert tone="warning">
        <p className="chats__setup-text">{t('chats.history.persistDenied')}</p>
        <Button size="sm" variant="ghost" onClick={() => setDismissed(true)}>
          {t('common.close')}
        </Button>
      </Alert>
    </div>
  );
}

/** Offers desktop notifications once (the browser asks only on a click; a refusal is remembered by it). */
function NotificationPermission() {
  const { t } = useTranslation();
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  if (permission !== 'default') return null;
  return (
    <div className="chats__setup">
      <Alert tone="info">
        <p className="chats__setup-text">{t('chats.notifications.offer')}</p>
        <Button
          size="sm"
          onClick={() => {
            void Notification.requestPermission().then(setPermission);
          }}
        >
          {t('chats.notifications.enable')}
        </Button>
      </Alert>
    </div>
  );
}

/**
 * The History Key step of device setup, as a notice above the list (it never blocks chatting): save the new
 * recovery key (shown until the user confirms), or restore history with it on a later device.
 */
function HistorySetup({ engine }: { engine: ChatEngine }) {
  const { t } = useTranslation();
  const { snapshot } = useChat();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const history = snapshot?.history;
  if (!history || history.kind === 'ready') return null;
  const saving = history.kind === 'show-recovery-key';
  return (
    <div className="chats__setup">
      <Alert tone="warning">
        <p className="chats__setup-text">{saving ? t('chats.history.saveNotice') : t('chats.history.restoreNotice')}</p>
        <Button size="sm" variant="primary" onClick={() => setOpen(true)}>
          {saving ? t('chats.history.newKeyTitle') : t('chats.history.restoreTitle')}
        </Button>
      </Alert>
      {open && saving ? (
        <RecoveryKeyDialog
          words={history.words}
          onClose={() => setOpen(false)}
          onSaved={() => {
            setOpen(false);
            void engine.confirmRecoveryKeySaved();
          }}
        />
      ) : null}
      {open && !saving ? (
        <RestoreHistoryDialog
          busy={busy}
          error={error}
          onCancel={() => setOpen(false)}
          onPair={() => {
            setOpen(false);
            void engine.startPairing();
          }}
          onSkip={() => {
            setOpen(false);
            engine.skipHistorySetup();
          }}
          onRestore={(words) => {
            setBusy(true);
            setError(null);
            engine
              .restoreHistory(words)
              .then(() => setOpen(false))
              .catch((e: unknown) => {
                const code = (e as { code?: string }).code;
                setError(code === 'BAD_RECOVERY_KEY' ? t('chats.history.badKey') : t('chats.history.wrongKey'));
              })
              .finally(() => setBusy(false));
          }}
        />
      ) : null}
    </div>
  );
}

/** By code, not `instanceof`: importing the engine's class here would pull libs/crypto into the first load. */
function isTooLarge(error: unknown): error is AttachmentTooLargeError {
  return (error as { code?: unknown } | null)?.code === 'ATTACHMENT_TOO_LARGE' && 'fileName' in (error as object);
}

function isRefused(error: unknown): error is ContentRefusedError {
  return (error as { code?: unknown } | null)?.code === 'WORD_FILTER_BLOCKED' && 'words' in (error as object);
}

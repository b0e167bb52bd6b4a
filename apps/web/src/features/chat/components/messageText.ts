import type { TFunction } from 'i18next';
import type { StoredMessage } from '../engine/deviceStore';

/** One line describing a timeline entry: for list previews, notifications and screen readers. */
export function previewOf(m: StoredMessage, t: TFunction, nameOf: (userId: string) => string): string {
  if (m.recalledAt) return t('chats.message.recalled');
  if (m.system) return systemText(m, t, nameOf);
  if (m.problem === 'waiting-for-key') return t('chats.message.waitingForKey');
  if (m.problem) return t('chats.message.undecryptable');
  const c = m.content;
  if (!c) return '';
  switch (c.type) {
    case 'text':
      return c.body;
    case 'edit':
      return c.body;
    case 'attachment':
      return c.caption ?? t('chats.message.attachment', { count: c.attachments.length });
    case 'reaction':
      return t('chats.message.reaction', { emoji: c.emoji });
    case 'recall':
      return t('chats.message.recalled');
    case 'system':
      return c.text ?? '';
    case 'unsupported':
      return t('chats.message.unsupported');
  }
}

/** Server-written timeline events (metadata only) as a sentence. */
export function systemText(m: StoredMessage, t: TFunction, nameOf: (userId: string) => string): string {
  const e = m.system;
  if (!e) return '';
  const names = (ids: string[]) => ids.map(nameOf).join(t('chats.system.separator'));
  switch (e.type) {
    case 'conversation_created':
      return t('chats.system.created', { name: nameOf(e.by) });
    case 'members_added':
      return t('chats.system.added', { name: nameOf(e.by), names: names(e.userIds) });
    case 'member_removed':
      return t('chats.system.removed', { name: nameOf(e.by), names: nameOf(e.userId) });
    case 'member_left':
      return t('chats.system.left', { name: nameOf(e.userId) });
    case 'directory_sync': {
      const parts = [];
      if (e.added.length) parts.push(t('chats.system.joinedDept', { names: names(e.added) }));
      if (e.removed.length) parts.push(t('chats.system.leftDept', { names: names(e.removed) }));
      return parts.join(' ');
    }
    case 'device_added':
      return t('chats.system.deviceAdded', { name: nameOf(e.userId) });
    case 'device_removed':
      return t('chats.system.deviceRemoved', { name: nameOf(e.userId) });
    case 'message_recalled':
      return t('chats.system.recalled', { name: nameOf(e.by) });
    case 'conversation_updated':
      return e.name !== undefined
        ? t('chats.system.renamed', { name: nameOf(e.by), title: e.name })
        : t('chats.system.topic', { name: nameOf(e.by), topic: e.topic ?? '' });
    case 'member_role_changed':
      return t(`chats.system.role.${e.role}`, { names: nameOf(e.userId) });
  }
}

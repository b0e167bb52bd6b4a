import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationMemberDto, MemberRole } from '@miyu/protocol';
import { initials } from '../../../lib/format';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { FormError } from '../../../ui/FormDialog';
import { Modal } from '../../../ui/Modal';
import { LegalHoldBadge } from '../../compliance';
import { GroupWebhooksSection } from './GroupWebhooksSection';

export interface GroupMembersDialogProps {
  name: string;
  kind: 'group' | 'department';
  /** The group; with it, its owner and admins also manage its integrations (incoming webhooks) here. */
  conversationId?: string;
  members: readonly ConversationMemberDto[];
  currentUserId: string;
  myRole: MemberRole;
  nameOf: (userId: string) => string;
  /** People under legal hold (marked in the list). */
  heldUserIds?: ReadonlySet<string>;
  error: string | null;
  busy: boolean;
  onAdd: () => void;
  onRemove: (userId: string) => void;
  onLeave: () => void;
  onRename: (name: string) => void;
  onRole: (userId: string, role: MemberRole) => void;
  onClose: () => void;
}

/**
 * A group's members and its settings. Owner and admins add and remove members and rename the group; only the
 * owner makes admins or hands the group over (the server enforces the same rules). Department chats follow the
 * org directory: nobody changes their members here.
 */
export function GroupMembersDialog(props: GroupMembersDialogProps) {
  const { t } = useTranslation();
  const { members, currentUserId, myRole, nameOf, kind } = props;
  const [name, setName] = useState(props.name);
  const manager = myRole !== 'member' && kind === 'group';
  const owner = myRole === 'owner' && kind === 'group';
  return (
    <Modal
      title={t('chats.members.title', { name: props.name, count: members.length })}
      onClose={props.onClose}
      footer={
        <>
          {kind === 'group' ? (
            <Button variant="danger" disabled={props.busy} onClick={props.onLeave}>
              {t('chats.members.leave')}
            </Button>
          ) : null}
          <Button variant="ghost" onClick={props.onClose}>
            {t('common.close')}
          </Button>
        </>
      }
    >
      <FormError error={props.error} />
      {kind === 'department' ? <p className="card__text">{t('chats.members.managed')}</p> : null}
      {manager ? (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            const trimmed = name.trim();
            if (trimmed && trimmed !== props.name) props.onRename(trimmed);
          }}
        >
          <TextField label={t('chats.newGroup.name')} value={name} onChange={(event) => setName(event.target.value)} />
          <Button type="submit" disabled={props.busy || !name.trim() || name.trim() === props.name}>
            {t('chats.members.rename')}
          </Button>
        </form>
      ) : null}
      {manager ? (
        <Button disabled={props.busy} onClick={props.onAdd}>
          {t('chats.members.add')}
        </Button>
      ) : null}
      <ul className="member-list" aria-label={t('chats.members.list')}>
        {members.map((m) => {
          const self = m.userId === currentUserId;
          const canRemove = manager && !self && m.role !== 'owner' && (m.role === 'member' || owner);
          return (
            <li key={m.userId} className="member-list__item">
              <span className="avatar avatar--sm" aria-hidden="true">
                {initials(nameOf(m.userId))}
              </span>
              <span className="member-list__name">
                {self ? t('chats.you') : nameOf(m.userId)}
                {m.role !== 'member' ? (
                  <span className="badge badge--muted">{t(`chats.members.role.${m.role}`)}</span>
                ) : null}
                {props.heldUserIds?.has(m.userId) ? <LegalHoldBadge /> : null}
              </span>
              {owner && !self ? (
                <>
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={props.busy}
                    onClick={() => props.onRole(m.userId, m.role === 'admin' ? 'member' : 'admin')}
                  >
                    {m.role === 'admin' ? t('chats.members.unmakeAdmin') : t('chats.members.makeAdmin')}
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={props.busy}
                    onClick={() => props.onRole(m.userId, 'owner')}
                  >
                    {t('chats.members.makeOwner')}
                  </Button>
                </>
              ) : null}
              {canRemove ? (
                <Button
                  size="sm"
                  variant="danger"
                  disabled={props.busy}
                  aria-label={t('chats.members.removeNamed', { name: nameOf(m.userId) })}
                  onClick={() => props.onRemove(m.userId)}
                >
                  {t('chats.members.remove')}
                </Button>
              ) : null}
            </li>
          );
        })}
      </ul>
      {manager && props.conversationId ? <GroupWebhooksSection conversationId={props.conversationId} /> : null}
    </Modal>
  );
}

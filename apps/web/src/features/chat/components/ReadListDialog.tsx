import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReceiptListPage } from '@miyu/protocol';
import { initials } from '../../../lib/format';
import { Alert } from '../../../ui/Alert';
import { Modal } from '../../../ui/Modal';
import { Pager } from '../../../ui/Pager';
import { Button } from '../../../ui/Button';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { usePeopleNames } from '../hooks/usePeople';

export const READ_LIST_PAGE = 50;

export interface ReadListDialogProps {
  counts: { read: number; members: number };
  load: (state: 'read' | 'unread', offset: number) => Promise<ReceiptListPage>;
  onClose: () => void;
}

/** The sender's view of a group message: who has read it and who has not, by name, a page at a time. */
export function ReadListDialog({ counts, load, onClose }: ReadListDialogProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [state, setState] = useState<'read' | 'unread'>('unread');
  const [offset, setOffset] = useState(0);
  const page = useQuery({ queryKey: ['chat', 'read-list', state, offset, load], queryFn: () => load(state, offset) });
  const nameOf = usePeopleNames((page.data?.items ?? []).map((i) => i.userId));
  const tab = (value: 'read' | 'unread', label: string) => (
    <Button
      size="sm"
      variant={state === value ? 'primary' : 'ghost'}
      aria-pressed={state === value}
      onClick={() => {
        setState(value);
        setOffset(0);
      }}
    >
      {label}
    </Button>
  );
  return (
    <Modal title={t('chats.receipts.title')} onClose={onClose}>
      <div className="read-tabs" role="group" aria-label={t('chats.receipts.title')}>
        {tab('unread', t('chats.receipts.unreadTab', { count: counts.members - counts.read }))}
        {tab('read', t('chats.receipts.readTab', { count: counts.read }))}
      </div>
      {page.error ? <Alert tone="error">{describe(page.error)}</Alert> : null}
      <ul
        className="member-list"
        aria-label={state === 'read' ? t('chats.receipts.readList') : t('chats.receipts.unreadList')}
      >
        {(page.data?.items ?? []).map(({ userId }) => (
          <li key={userId} className="member-list__item">
            <span className="avatar avatar--sm" aria-hidden="true">
              {initials(nameOf(userId))}
            </span>
            <span className="member-list__name">{nameOf(userId)}</span>
          </li>
        ))}
      </ul>
      {(page.data?.total ?? 0) > READ_LIST_PAGE ? (
        <Pager
          offset={offset}
          pageSize={READ_LIST_PAGE}
          shown={page.data?.items.length ?? 0}
          total={page.data?.total ?? 0}
          onOffsetChange={setOffset}
        />
      ) : null}
    </Modal>
  );
}

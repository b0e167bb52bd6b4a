import { useNavigate, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { Placeholder } from '../../../ui/Placeholder';
import { Spinner } from '../../../ui/Spinner';
import { ContactsIcon } from '../../../ui/icons';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useDepartmentPageQuery, usePersonCardQuery } from '../api/directory.queries';
import { DepartmentView } from '../components/DepartmentView';
import { DirectorySearch } from '../components/DirectorySearch';
import { OrgTree } from '../components/OrgTree';
import { PersonCard } from '../components/PersonCard';
import { useSignedInAuth } from '../../auth';
import { useChat, useStartDirectChat } from '../../chat';
import { useHeldUserIds } from '../../compliance';

export const directoryPaths = {
  department: (id: string) => `/directory/departments/${encodeURIComponent(id)}`,
  person: (id: string) => `/directory/people/${encodeURIComponent(id)}`,
};

/** Employees → Directory: search and the org chart on the left, a department or a person card on the right. */
export function DirectoryScreen() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { departmentId = null, personId = null } = useParams();
  const openDepartment = (id: string) => void navigate(directoryPaths.department(id));
  const openPerson = (id: string) => void navigate(directoryPaths.person(id));
  const heldUserIds = useHeldUserIds();

  return (
    <div className="directory">
      <aside className="directory__side">
        <DirectorySearch onPick={(hit) => openPerson(hit.id)} heldUserIds={heldUserIds} />
        <OrgTree
          label={t('directory.tree.label')}
          selectedId={departmentId}
          onSelect={(node) => openDepartment(node.id)}
        />
      </aside>
      <div className="directory__pane">
        {personId ? (
          <PersonPane
            personId={personId}
            onOpenPerson={openPerson}
            onOpenDepartment={openDepartment}
            heldUserIds={heldUserIds}
          />
        ) : departmentId ? (
          <DepartmentPane
            departmentId={departmentId}
            onOpenPerson={openPerson}
            onOpenDepartment={openDepartment}
            heldUserIds={heldUserIds}
          />
        ) : (
          <Placeholder icon={<ContactsIcon />} title={t('directory.title')} description={t('directory.description')} />
        )}
      </div>
    </div>
  );
}

interface PaneProps {
  onOpenPerson: (id: string) => void;
  onOpenDepartment: (id: string) => void;
  heldUserIds: ReadonlySet<string>;
}

function PersonPane({ personId, ...open }: PaneProps & { personId: string }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const card = usePersonCardQuery(personId);
  const { user } = useSignedInAuth();
  const chat = useStartDirectChat();
  return (
    <div className="page">
      {card.isPending ? <Spinner label={t('common.loading')} /> : null}
      {card.error ? <Alert tone="error">{describe(card.error)}</Alert> : null}
      {chat.error ? <Alert tone="error">{describe(chat.error)}</Alert> : null}
      {card.data ? (
        <PersonCard
          card={card.data}
          {...open}
          onMessage={card.data.id === user.id ? null : () => chat.start(personId)}
          messageBusy={!chat.ready || chat.busy}
        />
      ) : null}
    </div>
  );
}

function DepartmentPane({ departmentId, ...open }: PaneProps & { departmentId: string }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const page = useDepartmentPageQuery(departmentId);
  const navigate = useNavigate();
  const { snapshot } = useChat();
  const group = page.data?.group ?? null;
  // Members of the department are in its group chat (the directory adds them); others cannot open it.
  const inGroup = group !== null && (snapshot?.conversations.some((c) => c.id === group.id) ?? false);
  return (
    <div className="page page--wide">
      {page.isPending ? <Spinner label={t('common.loading')} /> : null}
      {page.error ? <Alert tone="error">{describe(page.error)}</Alert> : null}
      {page.data ? (
        <DepartmentView
          page={page.data}
          {...open}
          onOpenGroup={group && inGroup ? () => void navigate(`/chats/${group.id}`) : null}
        />
      ) : null}
    </div>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DepartmentMemberDto, DepartmentPageDto } from '@miyu/protocol';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { Pager } from '../../../ui/Pager';
import { ConfirmDialog } from '../../../ui/ConfirmDialog';
import { Spinner } from '../../../ui/Spinner';
import { PlusIcon } from '../../../ui/icons';
import { initials } from '../../../lib/format';
import {
  useChildDepartmentsQuery,
  useDepartmentGroupsQuery,
  useDepartmentMembersQuery,
  useDepartmentPageQuery,
  useDirectoryAdminMutations,
} from '../api/directory.queries';
import { DepartmentNameDialog, PickDepartmentDialog } from '../components/DepartmentDialogs';
import { AddMemberDialog, ManagerDialog, TitleDialog } from '../components/MemberDialogs';
import { OrgTree } from '../components/OrgTree';
import { ContactVisibility } from '../components/ContactVisibility';
import { GroupDialog } from '../components/GroupDialog';
import { useDirectoryErrorMessage } from '../hooks/useDirectoryErrorMessage';
import { LegalHoldBadge, useHeldUserIds } from '../../compliance';

export const ADMIN_MEMBERS_PAGE_SIZE = 50;

type Dialog =
  | { kind: 'createRoot' }
  | { kind: 'createChild' }
  | { kind: 'rename' }
  | { kind: 'move' }
  | { kind: 'delete' }
  | { kind: 'addMember' }
  | { kind: 'createGroup' }
  | { kind: 'title'; member: DepartmentMemberDto }
  | { kind: 'transfer'; member: DepartmentMemberDto }
  | { kind: 'manager'; member: DepartmentMemberDto }
  | { kind: 'remove'; member: DepartmentMemberDto }
  | null;

/** Admin → Departments: the tree on the left; the chosen department, its members and its groups on the right. */
export function AdminDepartmentsScreen() {
  const { t } = useTranslation();
  const describe = useDirectoryErrorMessage();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const m = useDirectoryAdminMutations();
  const page = useDepartmentPageQuery(selectedId);

  const open = (next: Dialog) => {
    setDialog(next);
    setDialogError(null);
    setError(null);
    setNotice(null);
  };
  const close = () => setDialog(null);
  /** Callbacks for a mutation started from a dialog: errors stay in the dialog. */
  const inDialog = (success: string, after?: () => void) => ({
    onSuccess: () => {
      setDialog(null);
      setNotice(success);
      after?.();
    },
    onError: (e: unknown) => setDialogError(describe(e)),
  });
  /** Callbacks for a one-click action: errors show above the panel. */
  const inline = (success: string) => ({
    onSuccess: () => setNotice(success),
    onError: (e: unknown) => setError(describe(e)),
  });

  const busy = Object.values(m).some((mutation) => mutation.isPending);
  const selected = page.data ?? null;

  return (
    <div className="page page--wide">
      <header className="page__header page__header--actions">
        <div>
          <h1 className="page__title">{t('admin.org.title')}</h1>
          <p className="page__description">{t('admin.org.description')}</p>
        </div>
        <Button variant="primary" onClick={() => open({ kind: 'createRoot' })}>
          <PlusIcon width={18} height={18} />
          {t('adminOrg.createRoot')}
        </Button>
      </header>

      <ContactVisibility />
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {error ? <Alert tone="error">{error}</Alert> : null}

      <div className="org-admin">
        <section className="card org-admin__tree">
          <OrgTree
            label={t('directory.tree.label')}
            selectedId={selectedId}
            onSelect={(node) => {
              setSelectedId(node.id);
              setError(null);
              setNotice(null);
            }}
          />
        </section>
        <div className="org-admin__panel">
          {selectedId === null ? <p className="empty card">{t('adminOrg.pickToEdit')}</p> : null}
          {page.isPending && selectedId !== null ? <Spinner label={t('common.loading')} /> : null}
          {page.error ? <Alert tone="error">{describe(page.error)}</Alert> : null}
          {selected ? (
            <>
              <DepartmentPanel
                page={selected}
                busy={busy}
                onRename={() => open({ kind: 'rename' })}
                onCreateChild={() => open({ kind: 'createChild' })}
                onMove={() => open({ kind: 'move' })}
                onDelete={() => open({ kind: 'delete' })}
                onReorder={(orderedIds) => {
                  setError(null);
                  m.reorder.mutate(
                    { parentId: selected.department.parentId, orderedIds },
                    inline(t('adminOrg.reordered')),
                  );
                }}
                onToggleHidden={() =>
                  m.update.mutate(
                    { id: selected.department.id, patch: { hidden: !selected.department.hidden } },
                    inline(t('adminOrg.updated', { name: selected.department.name })),
                  )
                }
              />
              <MembersPanel
                key={selected.department.id}
                page={selected}
                busy={busy}
                onAdd={() => open({ kind: 'addMember' })}
                onSetHead={(userId) =>
                  m.update.mutate(
                    { id: selected.department.id, patch: { headUserId: userId } },
                    inline(t('adminOrg.headSet')),
                  )
                }
                onMakePrimary={(member) =>
                  m.setMembership.mutate(
                    { departmentId: selected.department.id, userId: member.id, body: { primary: true } },
                    inline(t('adminOrg.primarySet', { name: member.displayName })),
                  )
                }
                onEditTitle={(member) => open({ kind: 'title', member })}
                onTransfer={(member) => open({ kind: 'transfer', member })}
                onSetManager={(member) => open({ kind: 'manager', member })}
                onRemove={(member) => open({ kind: 'remove', member })}
              />
              <GroupsPanel
                page={selected}
                busy={busy}
                onCreate={() => open({ kind: 'createGroup' })}
                onArchive={(groupId, name) =>
                  m.archiveGroup.mutate(groupId, inline(t('adminOrg.groupArchived', { name })))
                }
              />
            </>
          ) : null}
        </div>
      </div>

      {dialog?.kind === 'createRoot' || dialog?.kind === 'createChild' ? (
        <DepartmentNameDialog
          title={
            dialog.kind === 'createRoot'
              ? t('adminOrg.createRoot')
              : t('adminOrg.createChildOf', { name: selected?.department.name ?? '' })
          }
          submitLabel={t('adminOrg.create')}
          withCode
          busy={m.create.isPending}
          error={dialogError}
          onCancel={close}
          onSubmit={({ name, code }) =>
            m.create.mutate(
              { name, code, parentId: dialog.kind === 'createChild' ? (selectedId ?? null) : null },
              inDialog(t('adminOrg.created', { name })),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'rename' && selected ? (
        <DepartmentNameDialog
          title={t('adminOrg.renameTitle', { name: selected.department.name })}
          submitLabel={t('common.save')}
          initialName={selected.department.name}
          busy={m.update.isPending}
          error={dialogError}
          onCancel={close}
          onSubmit={({ name }) =>
            m.update.mutate({ id: selected.department.id, patch: { name } }, inDialog(t('adminOrg.updated', { name })))
          }
        />
      ) : null}
      {dialog?.kind === 'move' && selected ? (
        <PickDepartmentDialog
          title={t('adminOrg.moveTitle', { name: selected.department.name })}
          confirmLabel={t('adminOrg.move')}
          allowRoot
          excludeId={selected.department.id}
          busy={m.move.isPending}
          error={dialogError}
          onCancel={close}
          onConfirm={(parentId) =>
            m.move.mutate(
              { id: selected.department.id, body: { parentId } },
              inDialog(t('adminOrg.moved', { name: selected.department.name })),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'delete' && selected ? (
        <ConfirmDialog
          danger
          title={t('adminOrg.deleteTitle', { name: selected.department.name })}
          body={dialogError ?? t('adminOrg.deleteBody')}
          confirmLabel={t('adminOrg.delete')}
          busy={m.remove.isPending}
          onCancel={close}
          onConfirm={() =>
            m.remove.mutate(
              selected.department.id,
              inDialog(t('adminOrg.deleted', { name: selected.department.name }), () =>
                setSelectedId(selected.department.parentId),
              ),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'addMember' && selected ? (
        <AddMemberDialog
          departmentName={selected.department.name}
          busy={m.setMembership.isPending}
          error={dialogError}
          onCancel={close}
          onSubmit={({ userId, title, primary }) =>
            m.setMembership.mutate(
              { departmentId: selected.department.id, userId, body: { title, primary } },
              inDialog(t('adminOrg.memberAdded')),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'manager' ? (
        <ManagerDialog
          name={dialog.member.displayName}
          personId={dialog.member.id}
          busy={m.setManager.isPending}
          error={dialogError}
          onCancel={close}
          onSubmit={(managerId) =>
            m.setManager.mutate(
              { userId: dialog.member.id, body: { managerId } },
              inDialog(t('adminOrg.managerSet', { name: dialog.member.displayName })),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'title' && selected ? (
        <TitleDialog
          name={dialog.member.displayName}
          initialTitle={dialog.member.title}
          busy={m.setMembership.isPending}
          error={dialogError}
          onCancel={close}
          onSubmit={(title) =>
            m.setMembership.mutate(
              { departmentId: selected.department.id, userId: dialog.member.id, body: { title } },
              inDialog(t('adminOrg.updated', { name: dialog.member.displayName })),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'transfer' && selected ? (
        <PickDepartmentDialog
          title={t('adminOrg.transferTitle', { name: dialog.member.displayName })}
          confirmLabel={t('adminOrg.transfer')}
          excludeId={selected.department.id}
          busy={m.transfer.isPending}
          error={dialogError}
          onCancel={close}
          onConfirm={(toDepartmentId) =>
            toDepartmentId &&
            m.transfer.mutate(
              {
                userId: dialog.member.id,
                body: { fromDepartmentId: selected.department.id, toDepartmentId, title: dialog.member.title },
              },
              inDialog(t('adminOrg.transferred', { name: dialog.member.displayName })),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'remove' && selected ? (
        <ConfirmDialog
          danger
          title={t('adminOrg.removeTitle', { name: dialog.member.displayName, department: selected.department.name })}
          body={dialogError ?? t('adminOrg.removeBody')}
          confirmLabel={t('adminOrg.remove')}
          busy={m.removeMembership.isPending}
          onCancel={close}
          onConfirm={() =>
            m.removeMembership.mutate(
              { departmentId: selected.department.id, userId: dialog.member.id },
              inDialog(t('adminOrg.removed', { name: dialog.member.displayName })),
            )
          }
        />
      ) : null}
      {dialog?.kind === 'createGroup' && selected ? (
        <GroupDialog
          departmentName={selected.department.name}
          busy={m.createGroup.isPending}
          error={dialogError}
          onCancel={close}
          onSubmit={({ name, includeSubdepartments }) =>
            m.createGroup.mutate(
              { departmentId: selected.department.id, name: name ?? undefined, includeSubdepartments },
              inDialog(t('adminOrg.groupCreated')),
            )
          }
        />
      ) : null}
    </div>
  );
}

function DepartmentPanel({
  page,
  busy,
  onRename,
  onCreateChild,
  onMove,
  onDelete,
  onReorder,
  onToggleHidden,
}: {
  page: DepartmentPageDto;
  busy: boolean;
  onRename: () => void;
  onCreateChild: () => void;
  onMove: () => void;
  onDelete: () => void;
  onReorder: (orderedIds: string[]) => void;
  onToggleHidden: () => void;
}) {
  const { t } = useTranslation();
  const { department } = page;
  const siblings = useChildDepartmentsQuery(department.parentId);
  const ids = (siblings.data ?? []).map((s) => s.id);
  const index = ids.indexOf(department.id);
  const swap = (offset: -1 | 1) => {
    const next = [...ids];
    const other = index + offset;
    if (index < 0 || other < 0 || other >= next.length) return;
    [next[index], next[other]] = [next[other]!, next[index]!];
    onReorder(next);
  };
  return (
    <section className="card" aria-labelledby="org-admin-dept">
      <p className="table__sub">{page.breadcrumbs.map((c) => c.name).join(' / ')}</p>
      <h2 className="card__title" id="org-admin-dept">
        {department.name}
        {department.hidden ? <span className="badge badge--muted">{t('directory.hiddenTag')}</span> : null}
      </h2>
      <p className="card__text">
        {t('directory.department.counts', { direct: page.memberCount, total: page.recursiveMemberCount })}
        {department.code ? ` · ${t('adminOrg.code')} ${department.code}` : ''}
      </p>
      <div className="toolbar toolbar--wrap">
        <Button size="sm" disabled={busy} onClick={onRename}>
          {t('adminOrg.rename')}
        </Button>
        <Button size="sm" disabled={busy} onClick={onCreateChild}>
          {t('adminOrg.createChild')}
        </Button>
        <Button size="sm" disabled={busy || index <= 0} onClick={() => swap(-1)}>
          {t('adminOrg.moveUp')}
        </Button>
        <Button size="sm" disabled={busy || index < 0 || index >= ids.length - 1} onClick={() => swap(1)}>
          {t('adminOrg.moveDown')}
        </Button>
        <Button size="sm" disabled={busy} onClick={onMove}>
          {t('adminOrg.moveTo')}
        </Button>
        <Button size="sm" disabled={busy} onClick={onToggleHidden}>
          {department.hidden ? t('adminOrg.unhide') : t('adminOrg.hide')}
        </Button>
        <Button size="sm" variant="danger" disabled={busy} onClick={onDelete}>
          {t('adminOrg.delete')}
        </Button>
      </div>
    </section>
  );
}

function MembersPanel({
  page,
  busy,
  onAdd,
  onSetHead,
  onMakePrimary,
  onEditTitle,
  onTransfer,
  onSetManager,
  onRemove,
}: {
  page: DepartmentPageDto;
  busy: boolean;
  onAdd: () => void;
  onSetHead: (userId: string | null) => void;
  onMakePrimary: (member: DepartmentMemberDto) => void;
  onEditTitle: (member: DepartmentMemberDto) => void;
  onTransfer: (member: DepartmentMemberDto) => void;
  onSetManager: (member: DepartmentMemberDto) => void;
  onRemove: (member: DepartmentMemberDto) => void;
}) {
  const { t } = useTranslation();
  const describe = useDirectoryErrorMessage();
  const [offset, setOffset] = useState(0);
  const members = useDepartmentMembersQuery(page.department.id, ADMIN_MEMBERS_PAGE_SIZE, offset);
  const heldUserIds = useHeldUserIds();
  const items = members.data?.items ?? [];
  const total = members.data?.total ?? 0;
  const headId = page.department.headUserId;
  return (
    <section className="card" aria-labelledby="org-admin-members">
      <div className="card__heading-row">
        <h2 className="card__title" id="org-admin-members">
          {t('directory.department.members')}
        </h2>
        <Button size="sm" variant="primary" disabled={busy} onClick={onAdd}>
          {t('adminOrg.addMember')}
        </Button>
      </div>
      <label className="org-admin__head">
        <span className="field__label">{t('directory.department.head')}</span>
        <select
          className="input select input--sm"
          value={headId ?? ''}
          disabled={busy}
          onChange={(event) => onSetHead(event.target.value === '' ? null : event.target.value)}
        >
          <option value="">{t('adminOrg.noHead')}</option>
          {page.head && !items.some((i) => i.id === page.head?.id) ? (
            <option value={page.head.id}>{page.head.displayName}</option>
          ) : null}
          {items.map((member) => (
            <option key={member.id} value={member.id}>
              {member.displayName}
            </option>
          ))}
        </select>
      </label>
      {members.isPending ? <Spinner label={t('common.loading')} /> : null}
      {members.error ? <Alert tone="error">{describe(members.error)}</Alert> : null}
      {members.data && items.length === 0 ? <p className="empty">{t('directory.department.noMembers')}</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('adminOrg.membersTable')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('adminUsers.columns.name')}</th>
                <th scope="col">{t('adminUsers.columns.employeeNo')}</th>
                <th scope="col">{t('adminOrg.memberTitle')}</th>
                <th scope="col" className="table__actions-head">
                  {t('adminUsers.columns.actions')}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((member) => (
                <tr key={member.id}>
                  <th scope="row">
                    <div className="table__name">
                      <span className="avatar avatar--sm" aria-hidden="true">
                        {initials(member.displayName)}
                      </span>
                      <span>
                        {member.displayName}
                        {member.primary ? (
                          <span className="badge badge--success">{t('directory.primaryTag')}</span>
                        ) : null}
                        {member.disabled ? (
                          <span className="badge badge--muted">{t('directory.disabledTag')}</span>
                        ) : null}
                        {heldUserIds.has(member.id) ? <LegalHoldBadge /> : null}
                      </span>
                    </div>
                  </th>
                  <td>{member.employeeNo ?? '—'}</td>
                  <td>{member.title ?? '—'}</td>
                  <td className="table__actions">
                    {member.primary ? null : (
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={busy}
                        aria-label={`${t('adminOrg.makePrimaryShort')} · ${member.displayName}`}
                        onClick={() => onMakePrimary(member)}
                      >
                        {t('adminOrg.makePrimaryShort')}
                      </Button>
                    )}
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={busy}
                      aria-label={`${t('adminOrg.editTitle')} · ${member.displayName}`}
                      onClick={() => onEditTitle(member)}
                    >
                      {t('adminOrg.editTitle')}
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={busy}
                      aria-label={`${t('adminOrg.setManager')} · ${member.displayName}`}
                      onClick={() => onSetManager(member)}
                    >
                      {t('adminOrg.managerShort')}
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={busy}
                      aria-label={`${t('adminOrg.transfer')} · ${member.displayName}`}
                      onClick={() => onTransfer(member)}
                    >
                      {t('adminOrg.transfer')}
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      disabled={busy}
                      aria-label={`${t('adminOrg.remove')} · ${member.displayName}`}
                      onClick={() => onRemove(member)}
                    >
                      {t('adminOrg.remove')}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {total > ADMIN_MEMBERS_PAGE_SIZE ? (
        <Pager
          offset={offset}
          pageSize={ADMIN_MEMBERS_PAGE_SIZE}
          shown={items.length}
          total={total}
          onOffsetChange={setOffset}
        />
      ) : null}
    </section>
  );
}

function GroupsPanel({
  page,
  busy,
  onCreate,
  onArchive,
}: {
  page: DepartmentPageDto;
  busy: boolean;
  onCreate: () => void;
  onArchive: (groupId: string, name: string) => void;
}) {
  const { t } = useTranslation();
  const describe = useDirectoryErrorMessage();
  const groups = useDepartmentGroupsQuery(true);
  const mine = (groups.data ?? []).filter((g) => g.departmentId === page.department.id);
  const active = mine.some((g) => !g.archived);
  return (
    <section className="card" aria-labelledby="org-admin-groups">
      <div className="card__heading-row">
        <h2 className="card__title" id="org-admin-groups">
          {t('adminOrg.groups')}
        </h2>
        {active ? null : (
          <Button size="sm" disabled={busy} onClick={onCreate}>
            {t('adminOrg.createGroup')}
          </Button>
        )}
      </div>
      <p className="card__text">{t('adminOrg.groupsText')}</p>
      {groups.error ? <Alert tone="error">{describe(groups.error)}</Alert> : null}
      {groups.data && mine.length === 0 ? <p className="empty">{t('adminOrg.noGroups')}</p> : null}
      <ul className="group-list" aria-label={t('adminOrg.groups')}>
        {mine.map((group) => (
          <li key={group.id} className="group-list__item">
            <span className="group-list__name">{group.name}</span>
            <span className="table__sub">
              {t('adminOrg.groupMembers', { count: group.memberCount })}
              {group.includeSubdepartments ? ` · ${t('adminOrg.includesSub')}` : ''}
            </span>
            {group.archived ? (
              <span className="badge badge--muted">{t('adminOrg.archivedTag')}</span>
            ) : (
              <Button
                size="sm"
                variant="ghost"
                disabled={busy}
                aria-label={`${t('adminOrg.archive')} · ${group.name}`}
                onClick={() => onArchive(group.id, group.name)}
              >
                {t('adminOrg.archive')}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

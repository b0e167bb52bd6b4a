import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DepartmentPageDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { Pager } from '../../../ui/Pager';
import { Spinner } from '../../../ui/Spinner';
import { Alert } from '../../../ui/Alert';
import { initials } from '../../../lib/format';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { LegalHoldBadge } from '../../compliance';
import { useDepartmentMembersQuery } from '../api/directory.queries';

export const MEMBERS_PAGE_SIZE = 20;

export interface DepartmentViewProps {
  page: DepartmentPageDto;
  onOpenDepartment: (departmentId: string) => void;
  onOpenPerson: (personId: string) => void;
  /** Opens the department's group chat; null when there is none or the viewer is not in it. */
  onOpenGroup?: (() => void) | null;
  /** People under legal hold, marked next to the head and in the member list. */
  heldUserIds?: ReadonlySet<string>;
}

/** A department: where it sits, its head, its sub-departments and its direct members, a page at a time. */
export function DepartmentView({
  page,
  onOpenDepartment,
  onOpenPerson,
  onOpenGroup = null,
  heldUserIds,
}: DepartmentViewProps) {
  const { t } = useTranslation();
  const { department, head, children, breadcrumbs } = page;
  return (
    <div className="dept-view">
      <nav aria-label={t('directory.department.breadcrumbs')} className="breadcrumbs">
        <ol>
          {breadcrumbs.map((crumb, index) => (
            <li key={crumb.id}>
              {index === breadcrumbs.length - 1 ? (
                <span aria-current="page">{crumb.name}</span>
              ) : (
                <Button variant="link" onClick={() => onOpenDepartment(crumb.id)}>
                  {crumb.name}
                </Button>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <header className="page__header">
        <h1 className="page__title">{department.name}</h1>
        <p className="page__description">
          {t('directory.department.counts', { direct: page.memberCount, total: page.recursiveMemberCount })}
        </p>
        {page.group && onOpenGroup ? (
          <div>
            <Button variant="primary" onClick={onOpenGroup}>
              {t('directory.department.openGroup', { name: page.group.name })}
            </Button>
          </div>
        ) : null}
      </header>

      <section className="card">
        <h2 className="card__title">{t('directory.department.head')}</h2>
        {head ? (
          <button type="button" className="person-row" onClick={() => onOpenPerson(head.id)}>
            <span className="avatar avatar--sm" aria-hidden="true">
              {initials(head.displayName)}
            </span>
            <span className="person-row__name">
              {head.displayName}
              {heldUserIds?.has(head.id) ? <LegalHoldBadge /> : null}
            </span>
            {head.title ? <span className="person-row__sub">{head.title}</span> : null}
          </button>
        ) : (
          <p className="empty">{t('directory.department.noHead')}</p>
        )}
      </section>

      {children.length > 0 ? (
        <section className="card">
          <h2 className="card__title">{t('directory.department.subDepartments')}</h2>
          <ul className="dept-view__children">
            {children.map((child) => (
              <li key={child.id}>
                <button type="button" className="person-row" onClick={() => onOpenDepartment(child.id)}>
                  <span className="person-row__name">{child.name}</span>
                  <span className="person-row__sub">
                    {t('directory.tree.count', { count: child.recursiveMemberCount })}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <DepartmentMembers
        key={department.id}
        departmentId={department.id}
        onOpenPerson={onOpenPerson}
        heldUserIds={heldUserIds}
      />
    </div>
  );
}

function DepartmentMembers({
  departmentId,
  onOpenPerson,
  heldUserIds,
}: {
  departmentId: string;
  onOpenPerson: (personId: string) => void;
  heldUserIds: ReadonlySet<string> | undefined;
}) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [offset, setOffset] = useState(0);
  const members = useDepartmentMembersQuery(departmentId, MEMBERS_PAGE_SIZE, offset);
  const items = members.data?.items ?? [];
  const total = members.data?.total ?? 0;
  return (
    <section className="card">
      <h2 className="card__title">{t('directory.department.members')}</h2>
      {members.isPending ? <Spinner label={t('common.loading')} /> : null}
      {members.error ? <Alert tone="error">{describe(members.error)}</Alert> : null}
      {members.data && items.length === 0 ? <p className="empty">{t('directory.department.noMembers')}</p> : null}
      <ul className="dept-view__members" aria-label={t('directory.department.members')}>
        {items.map((member) => (
          <li key={member.id}>
            <button type="button" className="person-row" onClick={() => onOpenPerson(member.id)}>
              <span className="avatar avatar--sm" aria-hidden="true">
                {initials(member.displayName)}
              </span>
              <span className="person-row__name">
                {member.displayName}
                {heldUserIds?.has(member.id) ? <LegalHoldBadge /> : null}
              </span>
              <span className="person-row__sub">{[member.title, member.employeeNo].filter(Boolean).join(' · ')}</span>
            </button>
          </li>
        ))}
      </ul>
      {total > MEMBERS_PAGE_SIZE ? (
        <Pager
          offset={offset}
          pageSize={MEMBERS_PAGE_SIZE}
          shown={items.length}
          total={total}
          onOffsetChange={setOffset}
        />
      ) : null}
    </section>
  );
}

import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DepartmentNodeDto } from '@miyu/protocol';
import { Spinner } from '../../../ui/Spinner';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useChildDepartmentsQuery } from '../api/directory.queries';

export interface OrgTreeProps {
  /** Accessible name of the tree. */
  label: string;
  selectedId: string | null;
  onSelect: (department: DepartmentNodeDto) => void;
  /** A department that cannot be picked, with its subtree (moving a department under itself). */
  disabledId?: string | null;
}

/**
 * The org chart, loaded lazily: the roots first, then a node's children only when it is expanded. Nested lists
 * of disclosure buttons, so it works with Tab/Enter/Space and screen readers without a custom key map.
 */
export function OrgTree({ label, selectedId, onSelect, disabledId = null }: OrgTreeProps) {
  return (
    <nav className="org-tree" aria-label={label}>
      <OrgTreeLevel parentId={null} selectedId={selectedId} onSelect={onSelect} disabledId={disabledId} />
    </nav>
  );
}

interface LevelProps {
  parentId: string | null;
  selectedId: string | null;
  onSelect: (department: DepartmentNodeDto) => void;
  disabledId: string | null;
}

function OrgTreeLevel({ parentId, selectedId, onSelect, disabledId }: LevelProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const children = useChildDepartmentsQuery(parentId);
  if (children.isPending) return <Spinner label={t('common.loading')} />;
  if (children.error) return <p className="org-tree__error">{describe(children.error)}</p>;
  if (children.data.length === 0) {
    return parentId === null ? <p className="empty">{t('directory.tree.empty')}</p> : null;
  }
  return (
    <ul className={parentId === null ? 'org-tree__list' : 'org-tree__list org-tree__list--nested'}>
      {children.data.map((node) => (
        <OrgTreeNode key={node.id} node={node} selectedId={selectedId} onSelect={onSelect} disabledId={disabledId} />
      ))}
    </ul>
  );
}

function OrgTreeNode({
  node,
  selectedId,
  onSelect,
  disabledId,
}: {
  node: DepartmentNodeDto;
  selectedId: string | null;
  onSelect: (department: DepartmentNodeDto) => void;
  disabledId: string | null;
}) {
  const { t } = useTranslation();
  const [expanded, setExpanded] = useState(false);
  const disabled = node.id === disabledId;
  const selected = node.id === selectedId;
  return (
    <li className="org-tree__item">
      <div className={selected ? 'org-tree__row is-selected' : 'org-tree__row'}>
        {node.hasChildren ? (
          <button
            type="button"
            className="org-tree__toggle"
            aria-expanded={expanded}
            aria-label={t(expanded ? 'directory.tree.collapse' : 'directory.tree.expand', { name: node.name })}
            onClick={() => setExpanded(!expanded)}
          >
            <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span className="org-tree__toggle org-tree__toggle--leaf" aria-hidden="true" />
        )}
        <button
          type="button"
          className="org-tree__name"
          aria-current={selected ? 'true' : undefined}
          disabled={disabled}
          onClick={() => onSelect(node)}
        >
          <span className="org-tree__label">{node.name}</span>
          {node.hidden ? <span className="badge badge--muted">{t('directory.hiddenTag')}</span> : null}
          <span className="org-tree__count">{t('directory.tree.count', { count: node.recursiveMemberCount })}</span>
        </button>
      </div>
      {expanded && !disabled ? (
        <OrgTreeLevel parentId={node.id} selectedId={selectedId} onSelect={onSelect} disabledId={disabledId} />
      ) : null}
    </li>
  );
}

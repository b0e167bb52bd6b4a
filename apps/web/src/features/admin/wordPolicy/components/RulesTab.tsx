import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FilterActionName, filterActionSchema, type FilterRuleDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useDebouncedValue } from '../../../../lib/useDebouncedValue';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { ConfirmedActionDialog } from '../../../../ui/ConfirmedActionDialog';
import { DataTable } from '../../../../ui/DataTable';
import { PlusIcon, SearchIcon } from '../../../../ui/icons';
import { Pager } from '../../../../ui/Pager';
import { Spinner } from '../../../../ui/Spinner';
import { useConfirmedAction } from '../../../../ui/useConfirmedAction';
import type { Published } from '../api/wordPolicy.api';
import { useDeleteRuleMutation, useRuleListQuery, useSaveRuleMutation } from '../api/wordPolicy.queries';
import { ActionBadge, ActionFilterOptions, ActionLegend } from './ActionBadge';
import { RuleDialog } from './RuleDialog';

export const RULES_PAGE_SIZE = 50;

export interface RulesTabProps {
  onPublished: (version: number) => void;
}

/** The rule list with search, category and action filters, and add / edit / delete. */
export function RulesTab({ onPublished }: RulesTabProps) {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search, 250);
  const [category, setCategory] = useState<string | null>(null);
  const [action, setAction] = useState<FilterActionName | null>(null);
  const [offset, setOffset] = useState(0);
  const list = useRuleListQuery({ q, category, action, limit: RULES_PAGE_SIZE, offset });
  const save = useSaveRuleMutation();
  const remove = useDeleteRuleMutation();
  // undefined: no dialog; null: adding; a rule: editing it.
  const [editing, setEditing] = useState<FilterRuleDto | null | undefined>(undefined);
  const deleting = useConfirmedAction<FilterRuleDto, Published>(remove, (published) => onPublished(published.version));

  const items = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  const categories = list.data?.categories ?? [];
  const filtered = q.trim() !== '' || category !== null || action !== null;
  const pageEmptied = list.data !== undefined && items.length === 0 && offset > 0;

  // Deleting the last rule of the last page leaves it empty: go back a page.
  useEffect(() => {
    if (pageEmptied) setOffset((o) => Math.max(0, o - RULES_PAGE_SIZE));
  }, [pageEmptied]);

  const openDialog = (rule: FilterRuleDto | null) => {
    save.reset();
    setEditing(rule);
  };

  return (
    <>
      <ActionLegend />
      <div className="toolbar wp-toolbar">
        <label className="search">
          <SearchIcon width={18} height={18} />
          <span className="visually-hidden">{t('adminWordPolicy.rules.search')}</span>
          <input
            type="search"
            className="search__input"
            placeholder={t('adminWordPolicy.rules.searchPlaceholder')}
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setOffset(0);
            }}
          />
        </label>
        <select
          className="input select wp-toolbar__select"
          aria-label={t('adminWordPolicy.rules.category')}
          value={category ?? ''}
          onChange={(event) => {
            setCategory(event.target.value || null);
            setOffset(0);
          }}
        >
          <option value="">{t('adminWordPolicy.rules.allCategories')}</option>
          {categories.map((c) => (
            <option key={c.category} value={c.category}>
              {t('adminWordPolicy.rules.categoryOption', { category: c.category, count: c.count })}
            </option>
          ))}
        </select>
        <select
          className="input select wp-toolbar__select"
          aria-label={t('adminWordPolicy.rules.action')}
          value={action ?? ''}
          onChange={(event) => {
            setAction(event.target.value ? filterActionSchema.parse(event.target.value) : null);
            setOffset(0);
          }}
        >
          <ActionFilterOptions allLabel={t('adminWordPolicy.rules.allActions')} />
        </select>
        <Button variant="primary" className="wp-toolbar__end" onClick={() => openDialog(null)}>
          <PlusIcon width={18} height={18} />
          {t('adminWordPolicy.rules.add')}
        </Button>
      </div>

      {remove.error ? <Alert tone="error">{describe(remove.error)}</Alert> : null}
      {list.error ? <Alert tone="error">{describe(list.error)}</Alert> : null}

      <section className="card card--flush">
        {list.isPending ? <Spinner label={t('common.loading')} /> : null}
        <DataTable
          caption={t('adminWordPolicy.rules.table')}
          columns={[
            t('adminWordPolicy.rules.columns.pattern'),
            t('adminWordPolicy.rules.columns.category'),
            t('adminWordPolicy.rules.columns.action'),
            t('adminWordPolicy.rules.columns.updatedAt'),
          ]}
          actions={t('adminWordPolicy.rules.columns.actions')}
          rows={items}
          empty={list.data ? (filtered ? t('adminWordPolicy.rules.noMatch') : t('adminWordPolicy.rules.empty')) : null}
          renderRow={(rule) => (
            <tr key={rule.id}>
              <th scope="row" className="wp-cell-wrap">
                {rule.type === 'pattern' ? (
                  <>
                    <code className="wp-pattern">{rule.pattern}</code>
                    <span className="table__sub">
                      {t('adminWordPolicy.types.pattern')}
                      {rule.validator !== 'none' ? ` · ${t(`adminWordPolicy.validators.${rule.validator}`)}` : null}
                    </span>
                  </>
                ) : (
                  rule.pattern
                )}
              </th>
              <td>{rule.category}</td>
              <td>
                <ActionBadge action={rule.action} />
              </td>
              <td>{formatDateTime(rule.updatedAt, i18n.language)}</td>
              <td className="table__actions">
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`${t('adminWordPolicy.rules.edit')} · ${rule.pattern}`}
                  onClick={() => openDialog(rule)}
                >
                  {t('adminWordPolicy.rules.edit')}
                </Button>
                <Button
                  size="sm"
                  variant="danger"
                  aria-label={`${t('adminWordPolicy.rules.delete')} · ${rule.pattern}`}
                  onClick={() => deleting.ask(rule)}
                >
                  {t('adminWordPolicy.rules.delete')}
                </Button>
              </td>
            </tr>
          )}
        />
        {total > 0 ? (
          <Pager
            offset={offset}
            pageSize={RULES_PAGE_SIZE}
            shown={items.length}
            total={total}
            onOffsetChange={setOffset}
          />
        ) : null}
      </section>

      {editing !== undefined ? (
        <RuleDialog
          rule={editing}
          categories={categories.map((c) => c.category)}
          busy={save.isPending}
          error={save.error}
          onCancel={() => setEditing(undefined)}
          onSubmit={(input) =>
            save.mutate(
              { id: editing?.id ?? null, input },
              {
                onSuccess: (published) => {
                  setEditing(undefined);
                  onPublished(published.version);
                },
              },
            )
          }
        />
      ) : null}

      <ConfirmedActionDialog
        action={deleting}
        title={(rule) => t('adminWordPolicy.rules.confirmDeleteTitle', { pattern: rule.pattern })}
        body={() => t('adminWordPolicy.rules.confirmDeleteBody')}
        confirmLabel={t('adminWordPolicy.rules.delete')}
      />
    </>
  );
}
